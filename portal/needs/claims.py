"""Claiming published needs, withdrawing, delivering, verifying; pairings and money needs.

Claiming is race-safe on SQLite and PostgreSQL alike: a slot is taken by one conditional UPDATE
(``slots_taken < slots``), so when many helpers press "claim" on the last slot at the same moment
exactly as many win as there are slots; the unique (need, helper) constraint stops one helper
taking two slots. The loser's transaction changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.helpers import orgs
from portal.helpers.models import HelperArea, OrganizationArea, OrganizationMember
from portal.helpers.rules import acting_problem
from portal.helpers.vetting import vetting_problem
from portal.needs import notices
from portal.needs.models import (
    Claim,
    ClaimMessage,
    ClaimStatus,
    Delivery,
    DeliveryPhoto,
    DeliveryStatus,
    Need,
    NeedKind,
    NeedStatus,
    PairingReport,
    close_contact,
)
from portal.needs.rules import _event, _move
from portal.regions.models import Level
from portal.regions.rules import level_of_code
from portal.types import utcnow

CLAIMABLE = (NeedStatus.published,)
REMIND_AFTER_DAYS = 7
PAIRING_REPORT_DAYS = 35  # a pairing files a report at least monthly; a week's grace


class SlotsTaken(Conflict):
    def __init__(self):
        super().__init__(_l("All places on this need have just been taken. Thank you — look for another need."))


def service_area(session: Session, user: User) -> tuple[list[str], int | None]:
    """The regions ``user`` may take needs in, and the organization they act for (if any)."""
    member = orgs.membership(session, user) if user.role == Role.org_member else None
    if member is not None:
        codes = session.scalars(select(OrganizationArea.region_code)
                                .where(OrganizationArea.organization_id == member.organization_id))
        return list(codes), member.organization_id
    return list(session.scalars(select(HelperArea.region_code).where(HelperArea.user_id == user.id))), None


def covers(area_codes: list[str], town_code: str) -> bool:
    """Whether a helper serving ``area_codes`` serves the town ``town_code``. Decided by town, never
    by village: a helper who lists one village serves its whole town, so trying needs against
    one's areas can never tell which village a child lives in (the public knows only the town)."""
    def as_town(code: str) -> str:
        return code[:9] + "000" if level_of_code(code) == Level.village else code

    return any(town_code.startswith(access.scope_prefix(as_town(code))) for code in area_codes)


def lock_need(session: Session, need_id: int) -> Need:
    """The need, its row locked until the transaction ends (PostgreSQL; SQLite's write requests
    already hold the database's write lock), and its attributes fresh from the database: steps
    that read the need's claims and then move it cannot interleave."""
    need = session.execute(select(Need).where(Need.id == need_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if need is None:
        raise NotFound(_l("This need does not exist or is outside your region."))
    return need


def claim_problem(session: Session, user: User, need: Need):
    """Why ``user`` may not claim ``need``, or None."""
    if not access.allowed(user, "needs.claim"):
        return _l("Volunteers and organizations take on needs; donors give through donations.")
    problem = acting_problem(session, user)
    if problem:
        return problem
    if need.kind == NeedKind.money:
        return _l("A money need is funded by donations.")
    if need.status not in CLAIMABLE:
        return _l("This need is not open for claims.")
    areas, _org = service_area(session, user)
    if not covers(areas, need.town_code):
        return _l("This need lies outside your service area.")
    if close_contact(need.kind, need.category):
        return vetting_problem(session, user)
    return None


def claim(session: Session, user: User, need_id: int) -> Claim:
    """Take one slot of a published need for ``user`` (in their organization's name, for members)."""
    need = session.get(Need, need_id)
    if need is None or need.status not in (NeedStatus.published, NeedStatus.claimed):
        raise NotFound(_l("This need is not on the board."))
    if need.status == NeedStatus.claimed:
        raise SlotsTaken()
    problem = claim_problem(session, user, need)
    if problem:
        raise NotAllowed(problem)
    earlier = session.scalar(select(Claim).where(Claim.need_id == need.id, Claim.helper_id == user.id))
    if earlier is not None and earlier.status != ClaimStatus.withdrawn:
        raise Conflict(_l("You have already claimed this need."))
    _areas, organization_id = service_area(session, user)
    now = utcnow()
    period_end = (now.date() + timedelta(days=30 * need.pairing_months)) if need.kind == NeedKind.pairing else None
    try:
        with session.begin_nested():
            taken = session.execute(
                update(Need).where(Need.id == need.id, Need.status == NeedStatus.published,
                                   Need.slots_taken < Need.slots)
                .values(slots_taken=Need.slots_taken + 1).execution_options(synchronize_session=False)
            ).rowcount
            if taken != 1:
                raise SlotsTaken()
            if earlier is None:
                row = Claim(need_id=need.id, helper_id=user.id, organization_id=organization_id, claimed_at=now,
                            period_end=period_end)
                session.add(row)
                session.flush()
            else:  # came back after withdrawing: the same claim, active again
                back = session.execute(update(Claim).where(Claim.id == earlier.id,
                                                           Claim.status == ClaimStatus.withdrawn)
                                       .values(status=ClaimStatus.active, claimed_at=now, closed_at=None, reason="",
                                               organization_id=organization_id, period_end=period_end)
                                       .execution_options(synchronize_session=False)).rowcount
                if back != 1:
                    raise Conflict(_l("You have already claimed this need."))
                row = earlier
                session.refresh(row)
    except IntegrityError:
        raise Conflict(_l("You have already claimed this need.")) from None
    session.refresh(need)
    if need.claimed_at is None:
        need.claimed_at = now
    _event(session, need, user, "claim", need.status, need.status)
    if need.slots_taken >= need.slots:
        _move(session, need, user, "all_claimed", [NeedStatus.published], NeedStatus.claimed, "",
              level_since=need.level_since)
    record(session, user, "need.claim", "need", need.id, region_code=need.region_code, detail={"claim": row.id})
    notices.need_claimed(session, need, user)
    return row


def load_claim(session: Session, viewer: User, claim_id: int) -> tuple[Claim, Need]:
    """A claim for its helper, fellow members of its organization, or staff over the need."""
    row = session.get(Claim, claim_id)
    need = session.get(Need, row.need_id) if row else None
    if row is None or not (row.helper_id == viewer.id or access.allowed(viewer, "needs.view", need)
                           or _same_organization(session, viewer, row)):
        raise NotFound(_l("This claim does not exist."))
    return row, need


def _same_organization(session: Session, viewer: User, row: Claim) -> bool:
    if row.organization_id is None or viewer.role != Role.org_member:
        return False
    member = orgs.membership(session, viewer)
    return member is not None and member.organization_id == row.organization_id


def _own(viewer: User, row: Claim) -> None:
    if row.helper_id != viewer.id:
        raise NotAllowed(_l("Only the helper who claimed it can do this."))


def withdraw(session: Session, user: User, claim_id: int, reason: str) -> None:
    """The claimer gives the slot back, with a reason; the need returns to the board."""
    row, need = load_claim(session, user, claim_id)
    _own(user, row)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    need = lock_need(session, need.id)
    left = session.execute(update(Claim).where(Claim.id == row.id, Claim.status == ClaimStatus.active)
                           .values(status=ClaimStatus.withdrawn, closed_at=utcnow(), reason=reason[:500])
                           .execution_options(synchronize_session=False)).rowcount
    if left != 1:
        raise Conflict(_l("Only an active claim can be withdrawn."))
    session.refresh(row)
    session.execute(update(Need).where(Need.id == need.id, Need.slots_taken > 0)
                    .values(slots_taken=Need.slots_taken - 1).execution_options(synchronize_session=False))
    session.refresh(need)
    if need.status == NeedStatus.claimed:
        _move(session, need, user, "reopen", [NeedStatus.claimed], NeedStatus.published, reason,
              level_since=need.level_since)
    _event(session, need, user, "withdraw", need.status, need.status, reason)
    record(session, user, "need.withdraw", "need", need.id, region_code=need.region_code, detail={"claim": row.id})
    notices.claim_withdrawn(session, need, user, reason)


# --- delivery -------------------------------------------------------------------------------------


@dataclass
class HoursLine:
    volunteer_id: int
    minutes: int


def report_delivery(session: Session, user: User, claim_id: int, report: str, photo_paths: list[str],
                    receipt_paths: list[str], hours: list[HoursLine], service_date: date) -> Delivery:
    """The claimer reports what was delivered: text, photos (already cleaned), receipts, and the
    hours each volunteer served (logged for the director to approve on verification)."""
    from portal.helpers.hours import log_hours

    row, need = load_claim(session, user, claim_id)
    _own(user, row)
    report = (report or "").strip()
    if not report:
        raise DomainError(_l("Say what was delivered."), field="report")
    need = lock_need(session, need.id)
    # The claim moves on once, however often the form is sent at the same moment. A pairing stays
    # active: it delivers again and again until it ends.
    after = ClaimStatus.active if need.kind == NeedKind.pairing else ClaimStatus.delivered
    moved = session.execute(update(Claim).where(Claim.id == row.id, Claim.status == ClaimStatus.active)
                            .values(status=after).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Conflict(_l("Only an active claim can report a delivery."))
    session.refresh(row)
    delivery = Delivery(claim_id=row.id, need_id=need.id, report=report[:2000])
    session.add(delivery)
    session.flush()
    session.add_all(DeliveryPhoto(delivery_id=delivery.id, path=p) for p in photo_paths)
    session.add_all(DeliveryPhoto(delivery_id=delivery.id, path=p, receipt=True) for p in receipt_paths)
    for line in hours:
        volunteer = session.get(User, line.volunteer_id)
        if volunteer is None or volunteer.role not in (Role.volunteer, Role.org_member):
            raise DomainError(_l("Hours are logged for volunteers only."), field="hours")
        if volunteer.id != user.id and not (row.organization_id and session.scalar(
                select(func.count()).select_from(OrganizationMember).where(
                    OrganizationMember.organization_id == row.organization_id,
                    OrganizationMember.user_id == volunteer.id))):
            raise NotAllowed(_l("Hours are logged for yourself or your organization's volunteers."))
        log_hours(session, volunteer, region_code=need.region_code, service_date=service_date,
                  minutes=line.minutes, description=report[:200], delivery_id=delivery.id,
                  organization_id=row.organization_id)
    # Delivered once every place is taken and every claimer has delivered; a need with places
    # left stays on the board.
    if need.kind != NeedKind.pairing and need.status == NeedStatus.claimed and not _active_claims(session, need.id):
        _move(session, need, user, "deliver", [NeedStatus.claimed], NeedStatus.delivered, report[:200])
    else:
        _event(session, need, user, "deliver", need.status, need.status, report[:200])
    record(session, user, "need.deliver", "need", need.id, region_code=need.region_code,
           detail={"delivery": delivery.id})
    notices.delivery_reported(session, need, delivery)
    return delivery


def _active_claims(session: Session, need_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Claim).where(
        Claim.need_id == need_id, Claim.status == ClaimStatus.active)) or 0


def load_delivery(session: Session, viewer: User, delivery_id: int) -> tuple[Delivery, Claim, Need]:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(_l("This delivery does not exist."))
    row, need = load_claim(session, viewer, delivery.claim_id)
    return delivery, row, need


def verify_delivery(session: Session, actor: User, delivery_id: int) -> None:
    """The child director (or supervisor) confirms the delivery: the claim closes, the volunteers'
    hours are approved, and the need closes once no claim is left open."""
    from portal.helpers.hours import decide_hours
    from portal.helpers.models import HoursStatus, VolunteerHours

    delivery, row, need = load_delivery(session, actor, delivery_id)
    access.require(actor, "needs.verify", need)
    need = lock_need(session, need.id)
    _decide(session, delivery, actor, DeliveryStatus.verified, "")
    if need.kind != NeedKind.pairing:  # a pairing goes on until it ends with its summary
        row.status, row.closed_at = ClaimStatus.verified, utcnow()
    for hours in session.scalars(select(VolunteerHours).where(VolunteerHours.delivery_id == delivery.id,
                                                              VolunteerHours.status == HoursStatus.pending)):
        decide_hours(session, actor, hours, approve=True)
    open_claims = session.scalar(select(func.count()).select_from(Claim).where(
        Claim.need_id == need.id, Claim.status.in_([ClaimStatus.active, ClaimStatus.delivered]))) or 0
    if need.status in (NeedStatus.delivered, NeedStatus.claimed) and not open_claims and need.slots_taken >= need.slots:
        _move(session, need, actor, "verify", [NeedStatus.delivered, NeedStatus.claimed], NeedStatus.verified, "")
    else:
        _event(session, need, actor, "verify_delivery", need.status, need.status)
    record(session, actor, "need.verify", "need", need.id, region_code=need.region_code,
           detail={"delivery": delivery.id})
    notices.delivery_decided(session, need, row, delivery)


def dispute_delivery(session: Session, actor: User, delivery_id: int, reason: str) -> None:
    """The director disagrees, with a reason: the claim is active again."""
    from portal.helpers.hours import decide_hours
    from portal.helpers.models import HoursStatus, VolunteerHours

    delivery, row, need = load_delivery(session, actor, delivery_id)
    access.require(actor, "needs.verify", need)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    need = lock_need(session, need.id)
    _decide(session, delivery, actor, DeliveryStatus.disputed, reason)
    row.status = ClaimStatus.active
    for hours in session.scalars(select(VolunteerHours).where(VolunteerHours.delivery_id == delivery.id,
                                                              VolunteerHours.status == HoursStatus.pending)):
        decide_hours(session, actor, hours, approve=False, reason=reason)
    if need.status == NeedStatus.delivered:
        target = NeedStatus.claimed if need.slots_taken >= need.slots else NeedStatus.published
        _move(session, need, actor, "dispute", [NeedStatus.delivered], target, reason)
    else:
        _event(session, need, actor, "dispute", need.status, need.status, reason)
    record(session, actor, "need.dispute", "need", need.id, region_code=need.region_code,
           detail={"delivery": delivery.id, "reason": reason})
    notices.delivery_decided(session, need, row, delivery)


def _decide(session: Session, delivery: Delivery, actor: User, status: DeliveryStatus, reason: str) -> None:
    decided = session.execute(update(Delivery).where(Delivery.id == delivery.id,
                                                     Delivery.status == DeliveryStatus.reported)
                              .values(status=status, decided_by_id=actor.id, decided_at=utcnow(), reason=reason[:500])
                              .execution_options(synchronize_session=False)).rowcount
    if decided != 1:
        raise Conflict(_l("This delivery has already been decided."))
    session.refresh(delivery)


def deliveries_of(session: Session, need_id: int) -> list[Delivery]:
    return list(session.scalars(select(Delivery).where(Delivery.need_id == need_id).order_by(Delivery.created_at)))


def hours_of(session: Session, delivery_ids: list[int]) -> dict[int, list[tuple[str, int, str]]]:
    """The volunteer hours logged with each delivery: (volunteer's name, minutes, status), so the
    director sees what verifying approves."""
    from portal.helpers.models import VolunteerHours

    found: dict[int, list[tuple[str, int, str]]] = {}
    if delivery_ids:
        stmt = (select(VolunteerHours.delivery_id, User.display_name, VolunteerHours.minutes, VolunteerHours.status)
                .join(User, User.id == VolunteerHours.user_id).where(VolunteerHours.delivery_id.in_(delivery_ids)))
        for delivery_id, name, minutes, status in session.execute(stmt):
            found.setdefault(delivery_id, []).append((name, minutes, str(status)))
    return found


def photos_of(session: Session, delivery_ids: list[int]) -> dict[int, list[DeliveryPhoto]]:
    found: dict[int, list[DeliveryPhoto]] = {}
    if delivery_ids:
        for photo in session.scalars(select(DeliveryPhoto).where(DeliveryPhoto.delivery_id.in_(delivery_ids))):
            found.setdefault(photo.delivery_id, []).append(photo)
    return found


def remind_unverified(session: Session, today: date) -> int:
    """Deliveries waiting more than seven days for the director: a daily reminder."""
    cutoff = utcnow() - timedelta(days=REMIND_AFTER_DAYS)
    waiting = session.execute(select(Delivery, Need).join(Need, Need.id == Delivery.need_id).where(
        Delivery.status == DeliveryStatus.reported, Delivery.created_at < cutoff)).all()
    for delivery, need in waiting:
        notices.delivery_waiting(session, need, delivery, today)
    return len(waiting)


# --- pairings -------------------------------------------------------------------------------------


def file_pairing_report(session: Session, user: User, claim_id: int, text: str) -> PairingReport:
    row, need = load_claim(session, user, claim_id)
    _own(user, row)
    if need.kind != NeedKind.pairing or row.status != ClaimStatus.active:
        raise Conflict(_l("Reports are filed for an active pairing."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Say how the pairing went."), field="text")
    report = PairingReport(claim_id=row.id, text=text[:2000])
    session.add(report)
    _event(session, need, user, "pairing_report", need.status, need.status, text[:200])
    record(session, user, "need.pairing_report", "need", need.id, region_code=need.region_code)
    notices.pairing_reported(session, need, user)
    return report


def end_pairing(session: Session, actor: User, claim_id: int, summary: str) -> None:
    """A pairing ends with a summary, by the helper or the director; the need closes with it."""
    row, need = load_claim(session, actor, claim_id)
    if row.helper_id != actor.id:
        access.require(actor, "needs.verify", need)
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_l("Write a short summary of the pairing."), field="summary")
    if need.kind != NeedKind.pairing:
        raise Conflict(_l("Only an active pairing can end."))
    need = lock_need(session, need.id)
    ended = session.execute(update(Claim).where(Claim.id == row.id, Claim.status == ClaimStatus.active)
                            .values(status=ClaimStatus.verified, closed_at=utcnow(), reason=summary[:500])
                            .execution_options(synchronize_session=False)).rowcount
    if ended != 1:
        raise Conflict(_l("Only an active pairing can end."))
    session.refresh(row)
    if not _active_claims(session, need.id):
        _move(session, need, actor, "end_pairing", [NeedStatus.claimed, NeedStatus.published], NeedStatus.verified,
              summary[:500], resolution=summary[:500])
    else:
        _event(session, need, actor, "end_pairing", need.status, need.status, summary[:500])


def alert_missing_reports(session: Session, today: date) -> int:
    """Active pairings with no report for ``PAIRING_REPORT_DAYS``: the director hears of it."""
    last = (select(PairingReport.claim_id, func.max(PairingReport.created_at).label("at"))
            .group_by(PairingReport.claim_id).subquery())
    cutoff = utcnow() - timedelta(days=PAIRING_REPORT_DAYS)
    stmt = (select(Claim, Need).join(Need, Need.id == Claim.need_id).outerjoin(last, last.c.claim_id == Claim.id)
            .where(Need.kind == NeedKind.pairing, Claim.status == ClaimStatus.active,
                   func.coalesce(last.c.at, Claim.claimed_at) < cutoff))
    rows = session.execute(stmt).all()
    for row, need in rows:
        notices.pairing_report_missing(session, need, row, today)
    return len(rows)


# --- money needs ----------------------------------------------------------------------------------


def add_funding(session: Session, need: Need, amount_fen: int, actor=None) -> None:
    """Money towards a money need (the donations area calls this once a donation is settled);
    the need closes for donations once funded."""
    if need.kind != NeedKind.money or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError(_l("Only a positive amount in fen goes towards a money need."))
    session.execute(update(Need).where(Need.id == need.id).values(raised_fen=Need.raised_fen + amount_fen)
                    .execution_options(synchronize_session=False))
    session.refresh(need)
    if need.raised_fen >= need.target_fen and need.status == NeedStatus.published:
        _move(session, need, actor, "funded", [NeedStatus.published], NeedStatus.claimed, "",
              level_since=need.level_since)


def remove_funding(session: Session, need: Need, amount_fen: int, actor=None, note: str = "") -> None:
    """Money taken back from a money need (a refunded donation); the donations area calls this in
    the refund's transaction.

    A need funded by the money taken back (status ``claimed``: closed for donations) opens again for
    donations (``published``) when it falls below its target, so the shortfall can be made up. A
    need already further on (delivered, verified, or closed) keeps its status: what was done for
    the child stays done, and only the amount shown changes. Refuses an amount that is not a
    positive int, a need that is not for money, and more than the need has raised.
    """
    if need.kind != NeedKind.money or type(amount_fen) is not int or amount_fen <= 0:
        raise DomainError(_l("Only a positive amount in fen goes towards a money need."))
    taken = session.execute(update(Need).where(Need.id == need.id, Need.raised_fen >= amount_fen)
                            .values(raised_fen=Need.raised_fen - amount_fen)
                            .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise Conflict(_l("The need has not raised that much."))
    session.refresh(need)
    if need.raised_fen < need.target_fen and need.status == NeedStatus.claimed:
        _move(session, need, actor, "unfunded", [NeedStatus.claimed], NeedStatus.published, note,
              level_since=need.level_since)


# --- the contact channel --------------------------------------------------------------------------


def messages_of(session: Session, claim_id: int) -> list[tuple[ClaimMessage, str]]:
    stmt = (select(ClaimMessage, User.display_name).join(User, User.id == ClaimMessage.sender_id)
            .where(ClaimMessage.claim_id == claim_id).order_by(ClaimMessage.at, ClaimMessage.id))
    return list(session.execute(stmt).all())


def send_message(session: Session, user: User, claim_id: int, text: str) -> ClaimMessage:
    """The claimer and the staff over the village talk through the portal: no phone numbers."""
    row, need = load_claim(session, user, claim_id)
    if row.helper_id != user.id and not access.allowed(user, "needs.view", need):
        raise NotAllowed(_l("Only the claimer and the child's director talk here."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write a message."), field="text")
    message = ClaimMessage(claim_id=row.id, sender_id=user.id, text=text[:1000])
    session.add(message)
    session.flush()
    record(session, user, "need.message", "need", need.id, region_code=need.region_code, detail={"claim": row.id})
    notices.message_sent(session, need, row, user)
    return message


def claims_of(session: Session, user: User) -> list[tuple[Claim, Need]]:
    stmt = (select(Claim, Need).join(Need, Need.id == Claim.need_id).where(Claim.helper_id == user.id)
            .order_by(Claim.claimed_at.desc()))
    return list(session.execute(stmt).all())


def claims_on(session: Session, need_id: int) -> list[tuple[Claim, User]]:
    stmt = (select(Claim, User).join(User, User.id == Claim.helper_id).where(Claim.need_id == need_id)
            .order_by(Claim.claimed_at))
    return list(session.execute(stmt).all())
