"""``stripe-reconcile``: Stripe's balance transactions since a date against the ledger's online gifts
and refunds, every difference listed.

Stripe's side: each ``charge`` (or ``payment``) balance transaction is one gift's payment, each
``refund`` one refund of it; they are listed with their sources in full (the charge, the refund), so
each is found by its charge id (``Donation.stripe_charge_id``) without asking Stripe once per
transaction. Gifts booked before their charge was kept are found by the charge's PaymentIntent. Our
side: online gifts settled since the date and the refunds of online gifts booked since then (not
lost disputes: Stripe books those as dispute adjustments, not refunds). A charge we did not book, a
booked gift Stripe never charged, an amount or currency that differs, and refunds that do not add
up per gift are differences. Stripe is read only; nothing is changed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from portal.donations import stripe_gateway
from portal.donations.models import SETTLED_STATUSES, Channel, Donation, DonationRefund, RefundStatus

CHARGE_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund")


def _id(value):
    return value.get("id") if isinstance(value, dict) else value


class _Gifts:
    """The online gifts Stripe's transactions name, found by charge id, or by PaymentIntent for a
    gift whose charge was never kept (never one whose kept charge is another)."""

    def __init__(self, session: Session, charges: set, intents: set):
        rows = session.scalars(select(Donation).where(Donation.channel == Channel.online, or_(
            Donation.stripe_charge_id.in_([c for c in charges if c]),
            Donation.stripe_payment_intent_id.in_([i for i in intents if i])))).all() if charges | intents else []
        self.by_charge = {d.stripe_charge_id: d for d in rows if d.stripe_charge_id}
        self.by_intent = {d.stripe_payment_intent_id: d for d in rows
                          if d.stripe_payment_intent_id and not d.stripe_charge_id}

    def of(self, charge, intent) -> Donation | None:
        return self.by_charge.get(charge) or self.by_intent.get(intent)


def _stripe_side(found: list, differences: list[str]) -> tuple[list, list]:
    """(charges, refunds) as (charge id, PaymentIntent, fen); other currencies are differences."""
    charges, refunds = [], []
    for txn in found:
        txn = txn.to_dict() if hasattr(txn, "to_dict") else txn
        kind, source, amount = txn.get("type"), txn.get("source"), txn.get("amount")
        if str(txn.get("currency", "")).lower() != "cny":
            differences.append(f"{txn['id']}: {kind} {_id(source)} in {txn.get('currency')}, not CNY")
            continue
        detail = source if isinstance(source, dict) else {}
        if kind in CHARGE_TYPES:
            charges.append((_id(source), _id(detail.get("payment_intent")), amount))
        elif kind in REFUND_TYPES:
            refunds.append((_id(detail.get("charge")), _id(detail.get("payment_intent")), -amount))
        # payouts, fees, dispute adjustments: not gifts nor refunds
    return charges, refunds


def reconcile(session: Session, since: datetime) -> tuple[int, list[str]]:
    """(balance transactions checked, differences as readable lines)."""
    differences: list[str] = []
    found = stripe_gateway.balance_transactions(int(since.timestamp()))
    charges, refunds = _stripe_side(found, differences)
    gifts = _Gifts(session, {c for c, _i, _a in charges + refunds}, {i for _c, i, _a in charges + refunds})
    charged: dict[int, int] = defaultdict(int)
    for charge, intent, amount in charges:
        gift = gifts.of(charge, intent)
        if gift is None or gift.status not in SETTLED_STATUSES:
            differences.append(f"Stripe charged {amount} fen ({intent}, charge {charge}); the ledger books no gift "
                               f"for it")
            continue
        charged[gift.id] += amount
    for gift in {g.id: g for g in list(gifts.by_charge.values()) + list(gifts.by_intent.values())}.values():
        if gift.id in charged and charged[gift.id] != gift.amount_fen:
            differences.append(f"donation {gift.id}: Stripe charged {charged[gift.id]} fen, the ledger booked "
                               f"{gift.amount_fen}")
    booked_since = session.execute(select(Donation.id, Donation.stripe_payment_intent_id, Donation.stripe_charge_id,
                                          Donation.amount_fen).where(
        Donation.channel == Channel.online, Donation.status.in_([s.value for s in SETTLED_STATUSES]),
        Donation.paid_at >= since).order_by(Donation.id)).all()
    for donation_id, intent, charge, amount in booked_since:
        if donation_id not in charged:
            differences.append(f"donation {donation_id}: {amount} fen booked as paid online; Stripe shows no charge "
                               f"({intent or 'no payment id'}, charge {charge or 'unknown'})")
    stripe_refunded: dict = defaultdict(int)
    for charge, intent, amount in refunds:
        gift = gifts.of(charge, intent)
        stripe_refunded[gift.id if gift else (charge or intent)] += amount
    refunded_here = dict(session.execute(
        select(Donation.id, func.sum(DonationRefund.amount_fen))
        .join(Donation, Donation.id == DonationRefund.donation_id)
        .where(Donation.channel == Channel.online, DonationRefund.status == RefundStatus.done,
               DonationRefund.stripe_dispute_id.is_(None), DonationRefund.done_at >= since)
        .group_by(Donation.id)).all())
    for key in sorted(set(stripe_refunded) | set(refunded_here), key=str):
        theirs, ours = stripe_refunded.get(key, 0), int(refunded_here.get(key) or 0)
        if theirs != ours:
            who = f"donation {key}" if isinstance(key, int) else str(key)
            differences.append(f"{who}: Stripe refunded {theirs} fen, the ledger {ours}")
    return len(found), differences
