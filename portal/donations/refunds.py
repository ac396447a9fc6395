"""Refunds of paid gifts: a reason, an audit entry, a second staff member above ``REFUND_CONFIRM_FEN``.

A refund posts a ``refund`` transaction out of the fund(s) the gift went to, the general fund's
share first (the excess over a need's target never served the child, so the need stays funded as
long as it can), lowers the need's raised amount through ``needs.claims.remove_funding``, and marks
the gift's receipt; the receipt's number is never given again. Offline gifts are paid back by staff
at once (``refund_paid`` out of the bank or the cash box); online ones when Stripe confirms.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlmodel import Session

from portal.audit.rules import record
from portal.donations.models import Channel, Donation, DonationRefund, DonationStatus, Receipt, RefundStatus
from portal.donations.rules import SOURCE, checked_amount, load_donation
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose, Fund, TransactionKind
from portal.needs.claims import remove_funding
from portal.needs.models import Need
from portal.types import utcnow

REFUNDABLE = (DonationStatus.paid, DonationStatus.partially_refunded)


def refund(session: Session, actor, donation_id: int, amount_fen: int, reason: str) -> DonationRefund:
    """Give back ``amount_fen`` of a paid gift, for ``reason`` (audited).

    At or below ``REFUND_CONFIRM_FEN`` it is booked at once; above it waits for a second staff
    member (``confirm_refund``). Refuses: staff without authority over the gift; no reason; an
    amount that is not a positive int of fen or more than what is left of the gift; a gift not paid;
    a gift with a refund already waiting; a refund the fund cannot pay (money already disbursed).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    donation = load_donation(session, actor, donation_id)
    checked_amount(amount_fen)
    if donation.status not in REFUNDABLE:
        raise Conflict(_l("Only a paid gift can be refunded."))
    if amount_fen > donation.kept_fen:
        raise DomainError(_l("A refund cannot be more than what is left of the gift."), field="amount")
    waiting = session.scalar(select(DonationRefund.id).where(
        DonationRefund.donation_id == donation_id, DonationRefund.status == RefundStatus.awaiting_confirmation))
    if waiting is not None:
        raise Conflict(_l("A refund of this gift is already waiting for confirmation."))
    row = DonationRefund(donation_id=donation_id, amount_fen=amount_fen, reason=reason[:500],
                         requested_by_id=actor.id)
    session.add(row)
    session.flush()
    record(session, actor, "donation.refund_request", "donation", donation_id, region_code=donation.region_code,
           detail={"refund": row.id, "amount_fen": amount_fen, "reason": row.reason})
    if amount_fen <= current_app.config["REFUND_CONFIRM_FEN"]:
        row.status = RefundStatus.done
        _book_refund(session, actor, donation, row)
    return row


def confirm_refund(session: Session, actor, refund_id: int) -> DonationRefund:
    """A second staff member confirms a refund that waits, which books it. Refuses the person who
    asked for it, staff without authority over the gift, and a refund no longer waiting."""
    row = session.get(DonationRefund, refund_id)
    if row is None:
        raise NotFound(_l("This refund does not exist or is outside your region."))
    donation = load_donation(session, actor, row.donation_id)
    if row.requested_by_id == actor.id:
        raise NotAllowed(_l("You asked for this refund: another staff member must confirm it."))
    won = session.execute(
        update(DonationRefund).where(DonationRefund.id == refund_id,
                                     DonationRefund.status == RefundStatus.awaiting_confirmation,
                                     DonationRefund.requested_by_id != actor.id)
        .values(status=RefundStatus.done, confirmed_by_id=actor.id).execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        raise Conflict(_l("This refund is not waiting for confirmation: someone has already decided it."))
    session.refresh(row)
    _book_refund(session, actor, donation, row)
    return row


def _book_refund(session: Session, actor, donation: Donation, row: DonationRefund,
                 refunded_before: int | None = None) -> bool:
    """Book ``row``: the refund posting, the need's raised amount, the receipt's mark; an online gift's
    money is given back through Stripe last, while the gift's row is locked by the update below (a
    ``charge.refunded`` webhook racing this waits for it, then finds the refund booked). With
    ``refunded_before`` (Stripe already refunded: the webhook) it books only if the gift still shows
    that much refunded, and returns False otherwise (someone booked meanwhile)."""
    now = utcnow()
    amount = row.amount_fen
    condition = [Donation.id == donation.id, Donation.status.in_(list(REFUNDABLE) + [DonationStatus.disputed]),
                 Donation.refunded_fen + amount <= Donation.amount_fen]
    if refunded_before is not None:
        condition.append(Donation.refunded_fen == refunded_before)
    if row.stripe_dispute_id is not None:
        condition.append(Donation.status == DonationStatus.disputed)  # two deliveries of a loss: one books
    taken = session.execute(
        update(Donation).where(*condition)
        .values(refunded_fen=Donation.refunded_fen + amount, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        if refunded_before is not None:
            return False
        raise Conflict(_l("A refund cannot be more than what is left of the gift."))
    session.refresh(donation)
    before = donation.refunded_fen - amount
    fund = session.get(Fund, donation.fund_id)
    payable = ledger.system_account(session, AccountPurpose.refunds_payable)
    if donation.need_id is None:
        legs = [(ledger.fund_account(session, fund), amount)]
        from_need = 0
    else:
        # The general fund's share is given back first; then the need's.
        from_general = min(amount, max(0, donation.general_fen - before))
        from_need = amount - from_general
        legs = []
        if from_need:
            legs.append((ledger.fund_account(session, fund), from_need))
        if from_general:
            legs.append((ledger.fund_account(session, ledger.general_fund(session)), from_general))
    legs.append((payable, -amount))
    txn = ledger.post(session, actor, TransactionKind.refund, legs, memo=row.reason,
                      reference=f"donation:{donation.id}")
    # Staff hand offline money back themselves, out of the bank or the cash box; online money leaves
    # Stripe's balance as Stripe accepts the refund (asked below, or already done: the webhook).
    ledger.post(session, actor, TransactionKind.refund_paid,
                [(payable, amount), (ledger.system_account(session, SOURCE[Channel(donation.channel)]), -amount)],
                memo=row.reason, reference=f"donation:{donation.id}")
    if from_need:
        remove_funding(session, session.get(Need, donation.need_id), from_need, actor)
    if donation.status != DonationStatus.disputed or row.stripe_dispute_id is not None:
        # A refund Stripe made while a dispute is open leaves the gift disputed; the dispute's own
        # outcome ends it (a lost one is booked here, with its dispute id).
        donation.status = status_after_refunds(donation)
    session.add(donation)
    session.execute(update(Receipt).where(Receipt.donation_id == donation.id)
                    .values(refunded_fen=Receipt.refunded_fen + amount, refunded_at=now)
                    .execution_options(synchronize_session=False))
    row.ledger_transaction_id, row.done_at = txn.id, now
    session.add(row)
    session.flush()
    record(session, actor, "donation.refund", "donation", donation.id, region_code=donation.region_code,
           detail={"refund": row.id, "amount_fen": amount, "reason": row.reason, "transaction": txn.id,
                   "confirmed_by": row.confirmed_by_id})
    if donation.channel == Channel.online and refunded_before is None:
        _refund_through_stripe(session, donation, row)
    return True


def _refund_through_stripe(session: Session, donation: Donation, row: DonationRefund) -> None:
    """Ask Stripe to give the money back, keyed on our refund row (a retry never refunds twice).
    Refused by Stripe or unreachable: nothing is booked (the caller's transaction rolls back)."""
    from portal.donations import stripe_gateway

    if not stripe_gateway.available():
        raise DomainError(_l("Online refunds go through Stripe, which is not configured."))
    if not donation.stripe_payment_intent_id:
        raise DomainError(_l("This online gift has no Stripe payment to refund."))
    try:
        made = stripe_gateway.refund(payment_intent=donation.stripe_payment_intent_id, amount_fen=row.amount_fen,
                                     refund_id=row.id)
    except stripe_gateway.GatewayError as error:
        raise DomainError(_l("Stripe did not make the refund: %(reason)s", reason=str(error))) from error
    row.stripe_refund_id = made.id
    session.add(row)
    session.flush()


class GivenBackTwice(DomainError):
    """Stripe gave back more than is left of a gift: a refund and a lost dispute of the same money."""


def status_after_refunds(donation: Donation) -> DonationStatus:
    """Paid, partly refunded or refunded, by how much of the gift has been given back."""
    if donation.refunded_fen == 0:
        return DonationStatus.paid
    return DonationStatus.refunded if donation.refunded_fen == donation.amount_fen else DonationStatus.partially_refunded


def refunded_through_stripe_refunds(session: Session, donation_id: int) -> int:
    """What our books show given back by Stripe refunds of a gift (staff's or Stripe's own), without
    what lost disputes took: the figure Stripe's ``amount_refunded`` of the charge is compared with."""
    total = session.scalar(select(func.coalesce(func.sum(DonationRefund.amount_fen), 0)).where(
        DonationRefund.donation_id == donation_id, DonationRefund.status == RefundStatus.done,
        DonationRefund.stripe_dispute_id.is_(None)))
    return int(total or 0)


def book_stripe_refund(session: Session, donation_id: int, refunded_in_stripe: int,
                       reason: str = "Refunded through Stripe") -> int:
    """Stripe says ``refunded_in_stripe`` fen of an online gift were given back by refunds in all (a
    ``charge.refunded`` event): book whatever our books do not show yet (a refund made in Stripe's
    dashboard, or one whose booking was lost), once. Returns the fen booked now (0: nothing new).
    Refuses (``GivenBackTwice``) more than is left of the gift: a lost dispute took it back already."""
    return _book_from_stripe(session, donation_id, reason, None,
                             lambda d: refunded_in_stripe - refunded_through_stripe_refunds(session, d.id))


def book_lost_dispute(session: Session, donation_id: int, dispute_id: str, amount_fen: int) -> int:
    """The donor's bank won a dispute: Stripe took ``amount_fen`` back from our balance. Booked as a
    refund marked with the dispute (so that a later ``charge.refunded`` never counts it), once: only
    a gift still disputed is booked, and booking it ends the dispute. Refuses (``GivenBackTwice``) more than is left of the gift."""
    return _book_from_stripe(session, donation_id, "Dispute lost: refunded through Stripe", dispute_id,
                             lambda d: amount_fen if d.status == DonationStatus.disputed else 0)


def _book_from_stripe(session: Session, donation_id: int, reason: str, dispute_id: str | None, missing_of) -> int:
    for _attempt in range(10):
        donation = session.execute(select(Donation).where(Donation.id == donation_id)
                                   .execution_options(populate_existing=True)).scalar_one()
        missing = missing_of(donation)
        if missing <= 0:
            return 0
        if missing > donation.kept_fen:
            raise GivenBackTwice(_l("Stripe gave back more than is left of the gift: the money was given back "
                                    "twice (a refund and a lost dispute)."))
        savepoint = session.begin_nested()
        row = DonationRefund(donation_id=donation_id, amount_fen=missing, reason=reason, status=RefundStatus.done,
                             done_at=utcnow(), stripe_dispute_id=dispute_id)
        session.add(row)
        session.flush()
        if _book_refund(session, None, donation, row, refunded_before=donation.refunded_fen):
            savepoint.commit()
            return missing
        savepoint.rollback()  # booked by someone else meanwhile: look again
    raise Conflict(_l("The refund could not be booked; Stripe will send it again."))


def refunds_of(session: Session, donation_id: int) -> list[DonationRefund]:
    return list(session.scalars(select(DonationRefund).where(DonationRefund.donation_id == donation_id)
                                .order_by(DonationRefund.id)))


def refund_donation_id(session: Session, refund_id: int) -> int:
    donation_id = session.scalar(select(DonationRefund.donation_id).where(DonationRefund.id == refund_id))
    if donation_id is None:
        raise NotFound(_l("This refund does not exist or is outside your region."))
    return donation_id


def waiting_refunds(session: Session, donation_ids: list[int]) -> dict[int, DonationRefund]:
    if not donation_ids:
        return {}
    rows = session.scalars(select(DonationRefund).where(DonationRefund.donation_id.in_(donation_ids),
                                                        DonationRefund.status == RefundStatus.awaiting_confirmation))
    return {row.donation_id: row for row in rows}
