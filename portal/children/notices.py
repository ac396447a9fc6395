"""The notices of the children area: a ledger row that looks like a file the importer may not see."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import STAFF_ROLES
from portal.notifications.rules import notify, register_kind
from portal.regions.models import LEVEL_DIGITS, LEVEL_ORDER
from portal.regions.rules import CODE_LENGTH, level_of_code, level_rank, names_of

# Not e-mailed by default: it names a child.
register_kind(
    "similar_elsewhere",
    _l("%(importer)s is importing a ledger whose line %(line)s (%(name)s, born %(born)s, %(village)s) looks like "
       "file no. %(child)s in %(other_village)s. Check whether they are the same child."),
    _l("Ledger rows that look like a file in another village"), email=False,
)


def common_regions(first: str, second: str) -> list[str]:
    """The regions containing both region codes, lowest first (at or above ``first``'s level)."""
    top = level_rank(level_of_code(first))
    found = []
    for level in reversed(LEVEL_ORDER):
        digits = LEVEL_DIGITS[level]
        if level_rank(level) <= top and first[:digits] == second[:digits]:
            found.append(first[:digits] + "0" * (CODE_LENGTH - digits))
    return found


def common_supervisors(session: Session, first: str, second: str) -> list[int]:
    """The staff over both regions: those of the lowest region containing both (the town's child
    supervisors, the county's civil-affairs staff, …), or, when it has none, of the next one up."""
    for code in common_regions(first, second):
        staff = list(session.scalars(select(User.id).where(User.is_active, User.role.in_(STAFF_ROLES),
                                                           User.region_code == code)))
        if staff:
            return staff
    return []


def similar_elsewhere(session: Session, importer, line: int, name: str, born: date, village: str,
                      child_id: int, child_village: str) -> int:
    """Tell the staff over both villages that a ledger row looks like a file the importer may not
    see; the importer is told only that it was passed on. At most once a day per importer and file."""
    recipients = [uid for uid in common_supervisors(session, importer.region_code, child_village) if uid != importer.id]
    if not recipients:
        return 0
    names = names_of(session, [village, child_village])
    params = {"importer": importer.display_name, "line": line, "name": name, "born": born.isoformat(),
              "village": names.get(village, village), "child": child_id,
              "other_village": names.get(child_village, child_village)}
    return notify(session, recipients, "similar_elsewhere", params, link=f"/children/{child_id}",
                  subject=f"similar:{importer.id}:{child_id}")
