"""The notices of the clues area: who hears when a clue arrives, is assigned, waits too long.
A notice names the clue by number only, never what was seen or where."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.notifications.rules import mark_done, notify, register_kind

register_kind("clue_arrived", _l("Clue no. %(clue)s is waiting for you to assign it."), _l("Clues arriving at my level"))
register_kind("clue_assigned", _l("Clue no. %(clue)s is assigned to you: check it on site and record the outcome."),
              _l("Clues assigned to me"))
register_kind("clue_urgent", _l("Urgent clue no. %(clue)s has waited 24 hours without anyone acting on it."),
              _l("Urgent clues not acted on"))
register_kind("clue_overdue", _l("Clue no. %(clue)s has waited its time at the county without an outcome."),
              _l("Clues waiting too long at the county"))

# Notices asking someone to act on a clue: once it is assigned or closed, by whoever, they are done.
WAITING_FOR_ASSIGNMENT = ("clue_arrived", "clue_urgent")
WAITING_FOR_OUTCOME = ("clue_arrived", "clue_urgent", "clue_overdue", "clue_assigned")


def _staff(session: Session, role: Role, region_code: str | None) -> list[int]:
    if not region_code:
        return []
    return list(session.scalars(select(User.id).where(User.is_active, User.role == role,
                                                      User.region_code == region_code)))


def _link(clue) -> str:
    return f"/clues/{clue.id}"


def _about(clue) -> str:
    return f"clue:{clue.id}"


def county_staff(session: Session, clue) -> list[int]:
    return _staff(session, Role.civil_affairs, clue.county_code)


def clue_arrived(session: Session, clue) -> None:
    """The town's supervisors (the county's civil-affairs staff when the clue waits there) hear of it."""
    if clue.level == "town":
        recipients = _staff(session, Role.child_supervisor, clue.town_code) or county_staff(session, clue)
    else:
        recipients = county_staff(session, clue)
    notify(session, recipients, "clue_arrived", {"clue": clue.id}, _link(clue), about=_about(clue))


def clue_assigned(session: Session, clue) -> None:
    mark_done(session, _about(clue), WAITING_FOR_ASSIGNMENT)
    notify(session, [clue.assigned_to_id], "clue_assigned", {"clue": clue.id}, _link(clue), about=_about(clue))


def clue_urgent_waiting(session: Session, clue) -> None:
    notify(session, county_staff(session, clue), "clue_urgent", {"clue": clue.id}, _link(clue), about=_about(clue))


def clue_overdue_at_county(session: Session, clue) -> None:
    notify(session, county_staff(session, clue), "clue_overdue", {"clue": clue.id}, _link(clue), about=_about(clue))


def clue_closed(session: Session, clue) -> None:
    mark_done(session, _about(clue), WAITING_FOR_OUTCOME)
