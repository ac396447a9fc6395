"""The notices of the accounts area: every step of a password reset someone else started."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal.notifications.rules import mark_done, notify, register_kind

RESETS_PATH = "/accounts/resets"

register_kind("password_reset_started",
              _l("%(by)s started a reset of your password. You will receive a one-time link, or a one-time code "
                 "from your supervisor in person. If you did not ask for this, tell your supervisor."),
              _l("Password resets of my account"))
register_kind("password_reset_to_confirm",
              _l("%(by)s asks to reset the password of %(name)s (%(username)s). Confirm it and hand them the "
                 "one-time code in person."),
              _l("Password resets to confirm"))
register_kind("first_password_to_confirm",
              _l("%(by)s created the account %(name)s (%(username)s) without a password. Once you know who holds "
                 "it, confirm its first password and hand them the one-time code in person."),
              _l("Password resets to confirm"))
register_kind("password_reset_confirmed",
              _l("%(by)s confirmed the reset of your password and will hand you a one-time code in person."),
              _l("Password resets of my account"))
register_kind("password_reset_done",
              _l("Your password was reset and all your sessions were ended. If this was not you, tell your "
                 "supervisor at once."),
              _l("Password resets of my account"))


def reset_started(session: Session, reset, target, initiator) -> None:
    notify(session, [target.id], "password_reset_started", {"by": initiator.display_name}, "/account")


def reset_to_confirm(session: Session, reset, target, initiator, confirmer_ids: list[int]) -> None:
    notify(session, confirmer_ids, "password_reset_to_confirm",
           {"by": initiator.display_name, "name": target.display_name, "username": target.username}, RESETS_PATH,
           about=f"reset:{reset.id}")


def first_password_to_confirm(session: Session, reset, target, creator, confirmer_ids: list[int]) -> None:
    notify(session, confirmer_ids, "first_password_to_confirm",
           {"by": creator.display_name, "name": target.display_name, "username": target.username}, RESETS_PATH,
           about=f"reset:{reset.id}")


def reset_handled(session: Session, reset) -> None:
    """A reset was confirmed (by one of those asked): the others' requests to confirm it are done."""
    mark_done(session, f"reset:{reset.id}", ["password_reset_to_confirm", "first_password_to_confirm"])


def reset_confirmed(session: Session, target, confirmer) -> None:
    notify(session, [target.id], "password_reset_confirmed", {"by": confirmer.display_name}, "/account")


def reset_done(session: Session, target) -> None:
    notify(session, [target.id], "password_reset_done", {}, "/account")
