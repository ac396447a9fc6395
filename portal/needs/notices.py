"""The notices of the needs area: who hears when a need arrives, is claimed, delivered, …"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.categories import NEED_CATEGORY_LABELS
from portal.notifications.rules import mark_done, notify, register_kind

CATEGORY = {"category": NEED_CATEGORY_LABELS}

register_kind("need_arrived", _l("A %(category)s need (no. %(need)s) is waiting for you to act."),
              _l("Needs arriving at my level"), param_labels=CATEGORY)
register_kind("need_overdue", _l("Need no. %(need)s (%(category)s) has waited its time at the county without action."),
              _l("Needs waiting too long at the county"), param_labels=CATEGORY)
register_kind("need_published", _l("Need no. %(need)s is now on the public board."), _l("My needs published"))
register_kind("need_closed", _l("Need no. %(need)s is closed: %(how)s"), _l("My needs closed"))
register_kind("need_claimed", _l("%(helper)s claimed need no. %(need)s. Arrange the contact through the portal."),
              _l("Claims of my village's needs"))
register_kind("claim_withdrawn", _l("%(helper)s withdrew from need no. %(need)s: %(reason)s"),
              _l("Claims withdrawn"))
register_kind("delivery_reported", _l("A delivery for need no. %(need)s is waiting for your verification."),
              _l("Deliveries to verify"))
register_kind("delivery_waiting", _l("A delivery for need no. %(need)s has waited more than 7 days for verification."),
              _l("Deliveries waiting for verification (daily)"), email=False)
register_kind("delivery_decided", _l("Your delivery for need no. %(need)s: %(outcome)s. %(reason)s"),
              _l("Results of my deliveries"),
              param_labels={"outcome": {"verified": _l("verified"), "disputed": _l("disputed")}})
register_kind("pairing_report", _l("%(helper)s filed a pairing report for need no. %(need)s."),
              _l("Pairing reports"), email=False)
register_kind("pairing_missing", _l("The pairing on need no. %(need)s has filed no report for over a month."),
              _l("Pairings without reports (daily)"), email=False)
register_kind("claim_message", _l("New message about need no. %(need)s from %(sender)s."), _l("Messages about claims"))


def _staff(session: Session, role: Role, region_code: str) -> list[int]:
    return list(session.scalars(select(User.id).where(User.is_active, User.role == role,
                                                      User.region_code == region_code)))


def directors(session: Session, need) -> list[int]:
    """The child directors of the need's village (else the town's supervisors)."""
    return _staff(session, Role.child_director, need.region_code) or _staff(session, Role.child_supervisor,
                                                                            need.town_code)


def _link(need) -> str:
    return f"/needs/{need.id}"


def _about(need) -> str:
    return f"need:{need.id}"


def _pairing(need_id: int, helper_id: int) -> str:
    return f"pairing:{need_id}:{helper_id}"


# Notices asking staff to act on a need where it waits: once it moves on (risen, published,
# resolved, rejected, cancelled), by whoever, they are done.
WAITING_FOR_ACTION = ("need_arrived", "need_overdue")
DELIVERY_TO_VERIFY = ("delivery_reported", "delivery_waiting")


def need_moved(session: Session, need) -> None:
    """``need`` left the status its waiting notices asked someone to act on."""
    mark_done(session, _about(need), WAITING_FOR_ACTION)


def need_arrived(session: Session, need) -> None:
    role, region = {"at_town": (Role.child_supervisor, need.town_code),
                    "at_county": (Role.civil_affairs, need.county_code)}.get(str(need.status), (None, None))
    if role:
        notify(session, _staff(session, role, region), "need_arrived",
               {"need": need.id, "category": need.category.value}, _link(need), about=_about(need))


def need_overdue_at_county(session: Session, need) -> None:
    notify(session, _staff(session, Role.civil_affairs, need.county_code), "need_overdue",
           {"need": need.id, "category": need.category.value}, _link(need), about=_about(need))


def need_published(session: Session, need) -> None:
    notify(session, {need.reported_by_id, *directors(session, need)}, "need_published", {"need": need.id}, _link(need))


def need_closed(session: Session, need) -> None:
    notify(session, {need.reported_by_id}, "need_closed", {"need": need.id, "how": need.resolution}, _link(need))


def need_claimed(session: Session, need, helper) -> None:
    notify(session, directors(session, need), "need_claimed", {"need": need.id, "helper": helper.display_name},
           _link(need))


def claim_withdrawn(session: Session, need, helper, reason: str) -> None:
    notify(session, directors(session, need), "claim_withdrawn",
           {"need": need.id, "helper": helper.display_name, "reason": reason}, _link(need))


def delivery_reported(session: Session, need, delivery) -> None:
    notify(session, directors(session, need), "delivery_reported", {"need": need.id}, _link(need),
           about=f"delivery:{delivery.id}")


def delivery_waiting(session: Session, need, delivery, today: date) -> None:
    notify(session, directors(session, need), "delivery_waiting", {"need": need.id}, _link(need),
           subject=f"delivery-{delivery.id}", about=f"delivery:{delivery.id}")


def delivery_decided(session: Session, need, claim, delivery) -> None:
    mark_done(session, f"delivery:{delivery.id}", DELIVERY_TO_VERIFY)
    notify(session, [claim.helper_id], "delivery_decided",
           {"need": need.id, "outcome": delivery.status.value, "reason": delivery.reason}, f"/claims/{claim.id}")


def pairing_reported(session: Session, need, helper) -> None:
    mark_done(session, _pairing(need.id, helper.id), ["pairing_missing"])
    notify(session, directors(session, need), "pairing_report", {"need": need.id, "helper": helper.display_name},
           _link(need))


def pairing_report_missing(session: Session, need, claim, today: date) -> None:
    notify(session, directors(session, need), "pairing_missing", {"need": need.id}, _link(need),
           subject=f"pairing-{claim.id}", about=_pairing(need.id, claim.helper_id))


def message_sent(session: Session, need, claim, sender) -> None:
    if sender.id == claim.helper_id:
        recipients, link = directors(session, need), f"/claims/{claim.id}"
    else:
        recipients, link = [claim.helper_id], f"/claims/{claim.id}"
    notify(session, recipients, "claim_message", {"need": need.id, "sender": sender.display_name}, link)
