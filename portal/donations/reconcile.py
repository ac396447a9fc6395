"""``stripe-reconcile``: Stripe's balance transactions since a date against the ledger's online gifts
and refunds, every difference listed.

Stripe's side: each ``charge`` (or ``payment``) balance transaction is one gift's payment, found by
its PaymentIntent; each ``refund`` one refund of it. Our side: online gifts settled since the date
(by their PaymentIntent) and what refunds of online gifts were booked since then. A charge we did not
book, a booked gift Stripe never charged, an amount or currency that differs, and refunds that do not
add up per gift are differences. Stripe is read only; nothing is changed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from portal.donations import stripe_gateway
from portal.donations.models import SETTLED_STATUSES, Channel, Donation, DonationRefund, RefundStatus

CHARGE_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund")


def _id(value):
    return value.get("id") if isinstance(value, dict) else value


def reconcile(session: Session, since: datetime) -> tuple[int, list[str]]:
    """(balance transactions checked, differences as readable lines)."""
    stripe_charged: dict[str, int] = {}
    stripe_refunded: dict[str, int] = defaultdict(int)
    differences: list[str] = []
    found = stripe_gateway.balance_transactions(int(since.timestamp()))
    for txn in found:
        txn = txn.to_dict() if hasattr(txn, "to_dict") else txn
        kind, source, amount = txn.get("type"), _id(txn.get("source")), txn.get("amount")
        if str(txn.get("currency", "")).lower() != "cny":
            differences.append(f"{txn['id']}: {kind} {source} in {txn.get('currency')}, not CNY")
            continue
        if kind in CHARGE_TYPES:
            intent = _id(stripe_gateway.retrieve_charge(source).get("payment_intent")) if source else None
            stripe_charged[intent or source] = stripe_charged.get(intent or source, 0) + amount
        elif kind in REFUND_TYPES:
            refund = stripe_gateway.retrieve_refund(source)
            intent = _id(refund.get("payment_intent")) or _id(refund.get("charge"))
            stripe_refunded[intent] += -amount
        else:
            continue  # payouts, fees, adjustments: not gifts
    gifts = {d.stripe_payment_intent_id: d for d in session.scalars(select(Donation).where(
        Donation.channel == Channel.online, Donation.stripe_payment_intent_id.in_(list(stripe_charged)
                                                                                  + list(stripe_refunded))))}
    for intent, amount in sorted(stripe_charged.items()):
        gift = gifts.get(intent)
        if gift is None or gift.status not in SETTLED_STATUSES:
            differences.append(f"Stripe charged {amount} fen ({intent}); the ledger books no gift for it")
        elif gift.amount_fen != amount:
            differences.append(f"donation {gift.id}: Stripe charged {amount} fen, the ledger booked {gift.amount_fen}")
    booked_since = session.execute(select(Donation.id, Donation.stripe_payment_intent_id, Donation.amount_fen).where(
        Donation.channel == Channel.online, Donation.status.in_([s.value for s in SETTLED_STATUSES]),
        Donation.paid_at >= since)).all()
    for donation_id, intent, amount in booked_since:
        if intent not in stripe_charged:
            differences.append(f"donation {donation_id}: {amount} fen booked as paid online; Stripe shows no charge "
                               f"({intent or 'no payment id'})")
    refunded_here = dict(session.execute(
        select(Donation.stripe_payment_intent_id, func.sum(DonationRefund.amount_fen))
        .join(Donation, Donation.id == DonationRefund.donation_id)
        .where(Donation.channel == Channel.online, DonationRefund.status == RefundStatus.done,
               DonationRefund.done_at >= since)
        .group_by(Donation.stripe_payment_intent_id)).all())
    for intent in sorted(set(stripe_refunded) | set(refunded_here), key=str):
        theirs, ours = stripe_refunded.get(intent, 0), int(refunded_here.get(intent) or 0)
        if theirs != ours:
            gift = gifts.get(intent)
            who = f"donation {gift.id}" if gift else str(intent)
            differences.append(f"{who}: Stripe refunded {theirs} fen, the ledger {ours}")
    return len(found), differences
