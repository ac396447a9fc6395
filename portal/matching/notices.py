"""The notice of the matching area: a helper invited by staff to look at a need on the board."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal.categories import NEED_CATEGORY_LABELS
from portal.notifications.rules import notify, register_kind

register_kind("need_invited",
              _l("Civil-affairs staff invite you to help with need no. %(need)s (%(category)s) on the board."),
              _l("Invitations to needs"), param_labels={"category": NEED_CATEGORY_LABELS})


def invited(session: Session, need, user_ids: list[int]) -> int:
    """The invited helper (an organization's members) hear of it, with a link to the public page."""
    return notify(session, user_ids, "need_invited", {"need": need.id, "category": need.category.value},
                  f"/board/{need.id}")
