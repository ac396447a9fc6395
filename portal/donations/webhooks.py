"""What each Stripe event does to our books, applied exactly once in any order and any number of times.

The route verifies the signature (``stripe_gateway.verified_event``); ``apply_event`` then stores the
event id (unique) and applies it in the same database transaction, so an event sent again finds its
id and changes nothing, and one that fails half-way leaves no id behind (Stripe sends it again).
Each handler is itself a conditional state change (``settle`` from ``pending``, a refund up to what
Stripe says was refunded), so two different events saying the same thing book it once.

Anything that does not match the gift (amount, currency, an unknown gift, a dispute) is recorded
as a ``DonationAnomaly`` for staff; the ledger is not touched.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlmodel import Session

from portal.audit.rules import record
from portal.donations import online, rules
from portal.donations.models import Channel, Donation, DonationAnomaly, DonationStatus, StripeEvent
from portal.errors import DomainError
from portal.types import utcnow

HANDLED = ("checkout.session.completed", "checkout.session.async_payment_succeeded",
           "checkout.session.async_payment_failed", "invoice.paid", "charge.refunded", "charge.dispute.created",
           "charge.dispute.closed", "customer.subscription.deleted")


PAID_CHECKOUT_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
log = logging.getLogger(__name__)


def with_payment_intent(paid: dict) -> dict:
    """A paid one-time Checkout Session, or a paid invoice of a monthly gift, with its PaymentIntent
    in full (``latest_charge`` is the charge reconciliation finds the gift by): Stripe's event names
    the intent only, so it is asked for once. Unreachable, the gift is booked all the same, without
    its charge (reconciliation falls back on the PaymentIntent). An invoice of API versions that no
    longer name their PaymentIntent is looked up by its payments first."""
    from portal.donations import stripe_gateway

    intent = paid.get("payment_intent")
    try:
        if paid.get("object") == "invoice" and not intent and paid.get("id"):
            intent = stripe_gateway.invoice_payment_intent(paid["id"])
        if not isinstance(intent, str) or paid.get("object") == "checkout.session" and (
                paid.get("mode") != "payment" or paid.get("payment_status") != "paid"):
            return paid
        return {**paid, "payment_intent": stripe_gateway.retrieve_payment_intent(intent).to_dict()}
    except stripe_gateway.GatewayError as error:
        log.warning("donations: the charge of payment %s could not be read: %s", intent, error)
        return paid


def _plain(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def _id(value):
    return value.get("id") if isinstance(value, dict) else value


def already_applied(session: Session, event_id: str) -> bool:
    return session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)) is not None


def apply_event(session: Session, event) -> str:
    """Store ``event``'s id and apply it, in the caller's transaction; returns the outcome. An event
    seen before is a no-op ("duplicate"); a type we do not handle is stored and ignored."""
    event = _plain(event)
    event_id, kind = event["id"], event["type"]
    if already_applied(session, event_id):
        return "duplicate"
    obj = event["data"]["object"]
    if kind in PAID_CHECKOUT_EVENTS or kind == "invoice.paid":
        obj = with_payment_intent(obj)  # asked before anything is written: no lock held meanwhile
    row = StripeEvent(event_id=event_id, type=kind[:100])
    session.add(row)
    session.flush()  # a second delivery racing this one stops here on the unique event id
    handler = _HANDLERS.get(kind)
    outcome, donation_id = handler(session, event_id, obj) if handler else ("ignored", None)
    row.outcome, row.donation_id = outcome, donation_id
    session.add(row)
    session.flush()
    return outcome


def anomaly(session: Session, event_id: str, kind: str, detail: str, donation: Donation | None = None) -> str:
    session.add(DonationAnomaly(donation_id=donation.id if donation else None,
                                region_code=donation.region_code if donation else None,
                                event_id=event_id, kind=kind, detail=detail[:1000]))
    session.flush()
    record(session, None, "donation.anomaly", "donation", donation.id if donation else None,
           region_code=donation.region_code if donation else None, detail={"kind": kind, "event": event_id})
    return "anomaly"


def _donation_of_session(session: Session, checkout: dict) -> Donation | None:
    donation = None
    if checkout.get("id"):
        donation = session.scalar(select(Donation).where(Donation.stripe_checkout_session_id == checkout["id"]))
    if donation is None:
        meta = (checkout.get("metadata") or {}).get("donation", "")
        if str(meta).isascii() and str(meta).isdigit():
            donation = session.get(Donation, int(meta))
            if donation is not None and donation.stripe_checkout_session_id not in (None, checkout.get("id")):
                return None  # another session's gift: metadata alone does not reach it
    return donation if donation is not None and donation.channel == Channel.online else None


def _matches(session: Session, event_id: str, donation: Donation, amount, currency) -> str | None:
    """None when Stripe's amount and currency are the gift's; else the anomaly recorded."""
    if str(currency or "").lower() != donation.currency.lower():
        return anomaly(session, event_id, "currency_mismatch",
                       f"Stripe: {currency}; gift: {donation.currency}", donation)
    if amount != donation.amount_fen:
        return anomaly(session, event_id, "amount_mismatch",
                       f"Stripe: {amount} fen; gift: {donation.amount_fen} fen", donation)
    return None


def mark_paid(session: Session, donation: Donation, *, payment_intent: str | None = None,
              charge: str | None = None) -> Donation:
    """Settle an online gift Stripe says is paid, remembering its payment and charge. A gift marked
    failed meanwhile (an expired session, a lost webhook) is booked all the same: the money was taken."""
    values = {"updated_at": utcnow()}
    if payment_intent and not donation.stripe_payment_intent_id:
        values["stripe_payment_intent_id"] = payment_intent
    session.execute(update(Donation).where(Donation.id == donation.id).values(**values)
                    .execution_options(synchronize_session=False))
    remember_charge(session, donation, charge)
    session.execute(update(Donation).where(Donation.id == donation.id, Donation.status == DonationStatus.failed)
                    .values(status=DonationStatus.pending).execution_options(synchronize_session=False))
    return rules.settle(session, None, donation.id)


def remember_charge(session: Session, donation: Donation, charge: str | None) -> None:
    """Keep the charge Stripe made for a gift, once known (never another gift's: ids are unique)."""
    if not charge or not isinstance(charge, str) or donation.stripe_charge_id:
        return
    if session.scalar(select(Donation.id).where(Donation.stripe_charge_id == charge)) is not None:
        return
    session.execute(update(Donation).where(Donation.id == donation.id, Donation.stripe_charge_id.is_(None))
                    .values(stripe_charge_id=charge[:255]).execution_options(synchronize_session=False))


def apply_checkout(session: Session, event_id: str, checkout: dict) -> tuple[str, int | None]:
    """Book a completed Checkout Session, as its webhook does (the pending sweep calls it too)."""
    return _checkout_paid(session, event_id, checkout)


def _checkout_paid(session: Session, event_id: str, checkout: dict) -> tuple[str, int | None]:
    donation = _donation_of_session(session, checkout)
    if donation is None:
        return anomaly(session, event_id, "unknown_gift", f"checkout session {checkout.get('id')}"), None
    if checkout.get("mode") == "subscription":
        # A monthly gift: each paid invoice is booked (invoice.paid); here only the subscription is kept.
        subscription = _id(checkout.get("subscription"))
        if subscription and not donation.stripe_subscription_id:
            donation.stripe_subscription_id = subscription
            session.add(donation)
            session.flush()
        return "subscribed", donation.id
    refused = _matches(session, event_id, donation, checkout.get("amount_total"), checkout.get("currency"))
    if refused:
        return refused, donation.id
    if checkout.get("payment_status") != "paid":
        return "awaiting_payment", donation.id  # an asynchronous method: async_payment_succeeded follows
    was = donation.status
    intent = checkout.get("payment_intent")
    booked = mark_paid(session, donation, payment_intent=_id(intent),
                       charge=_id(intent.get("latest_charge")) if isinstance(intent, dict) else None)
    if was in (DonationStatus.pending, DonationStatus.failed):
        online.mail_receipt_link(session, booked)
    return "applied", donation.id


def _checkout_failed(session: Session, event_id: str, checkout: dict) -> tuple[str, int | None]:
    donation = _donation_of_session(session, checkout)
    if donation is None:
        return anomaly(session, event_id, "unknown_gift", f"checkout session {checkout.get('id')}"), None
    session.execute(update(Donation).where(Donation.id == donation.id, Donation.status == DonationStatus.pending)
                    .values(status=DonationStatus.failed, updated_at=utcnow())
                    .execution_options(synchronize_session=False))
    return "applied", donation.id


def _donation_of_payment(session: Session, payment_intent, charge_id=None) -> Donation | None:
    donation = None
    if payment_intent:
        donation = session.scalar(select(Donation).where(Donation.stripe_payment_intent_id == payment_intent))
    if donation is None and charge_id:
        donation = session.scalar(select(Donation).where(Donation.stripe_charge_id == charge_id))
    return donation


def _charge_refunded(session: Session, event_id: str, charge: dict) -> tuple[str, int | None]:
    """Stripe gave money back on a gift's charge (``amount_refunded`` is the total so far): book what
    our books do not show yet, once; a refund staff made here is already booked and changes nothing."""
    from portal.donations import refunds

    donation = _donation_of_payment(session, _id(charge.get("payment_intent")), charge.get("id"))
    if donation is None:
        return anomaly(session, event_id, "unknown_gift", f"charge {charge.get('id')}"), None
    remember_charge(session, donation, charge.get("id"))
    refunded = charge.get("amount_refunded")
    if str(charge.get("currency") or "").lower() != "cny" or type(refunded) is not int \
            or not 0 <= refunded <= donation.amount_fen:
        return anomaly(session, event_id, "refund_mismatch",
                       f"Stripe refunded {refunded} {charge.get('currency')}; gift {donation.amount_fen} fen",
                       donation), donation.id
    try:
        with session.begin_nested():
            booked = refunds.book_stripe_refund(session, donation.id, refunded)
    except refunds.GivenBackTwice:
        return anomaly(session, event_id, "given_back_twice",
                       f"charge {charge.get('id')}: Stripe refunded {refunded} fen in all; gift {donation.amount_fen} "
                       f"fen, {donation.refunded_fen} fen given back already (refunds and lost disputes)",
                       donation), donation.id
    except DomainError as error:
        return anomaly(session, event_id, "refund_not_bookable", str(error.message), donation), donation.id
    return ("applied" if booked else "already_booked"), donation.id


def _dispute_created(session: Session, event_id: str, dispute: dict) -> tuple[str, int | None]:
    """A donor's bank disputes a payment: the gift is marked disputed and staff see an anomaly; the
    ledger is unchanged until the dispute is decided (a lost dispute is booked as a refund). A gift
    already refunded in full is marked too: lost, the money would be given back a second time."""
    donation = _donation_of_payment(session, _id(dispute.get("payment_intent")), _id(dispute.get("charge")))
    if donation is None:
        return anomaly(session, event_id, "unknown_gift", f"dispute {dispute.get('id')}"), None
    remember_charge(session, donation, _id(dispute.get("charge")))
    session.execute(update(Donation).where(Donation.id == donation.id, Donation.status.in_(
        [DonationStatus.paid, DonationStatus.partially_refunded, DonationStatus.refunded]))
        .values(status=DonationStatus.disputed, updated_at=utcnow()).execution_options(synchronize_session=False))
    anomaly(session, event_id, "dispute", f"dispute {dispute.get('id')}: {dispute.get('amount')} "
            f"{dispute.get('currency')}, reason {dispute.get('reason')}", donation)
    return "applied", donation.id


def _dispute_closed(session: Session, event_id: str, dispute: dict) -> tuple[str, int | None]:
    """A dispute is decided. Lost: Stripe has given the disputed amount back to the donor's bank, so
    it is booked as a refund (once: only a gift still disputed is booked), on top of any refund
    Stripe made meanwhile; more than is left of the gift is an anomaly (given back twice), the
    ledger unchanged. Won: the gift is paid, partly refunded or refunded, by what refunds gave back;
    the ledger is unchanged. Other outcomes (a warning closed, …) change nothing."""
    from portal.donations import refunds

    donation = _donation_of_payment(session, _id(dispute.get("payment_intent")), _id(dispute.get("charge")))
    if donation is None:
        return anomaly(session, event_id, "unknown_gift", f"dispute {dispute.get('id')}"), None
    status = dispute.get("status")
    if status not in ("lost", "won"):
        return "ignored", donation.id
    session.refresh(donation)
    if donation.status != DonationStatus.disputed:
        return "already_booked", donation.id
    if status == "won":
        session.execute(update(Donation).where(Donation.id == donation.id, Donation.status == DonationStatus.disputed)
                        .values(status=refunds.status_after_refunds(donation), updated_at=utcnow())
                        .execution_options(synchronize_session=False))
        record(session, None, "donation.dispute_won", "donation", donation.id, region_code=donation.region_code,
               detail={"dispute": dispute.get("id"), "event": event_id})
        return "applied", donation.id
    amount = dispute.get("amount")
    detail = (f"dispute {dispute.get('id')} lost: {amount} {dispute.get('currency')}; "
              f"gift {donation.amount_fen} fen, {donation.refunded_fen} refunded")
    if str(dispute.get("currency") or "").lower() != "cny" or type(amount) is not int \
            or not 0 < amount <= donation.amount_fen:
        return anomaly(session, event_id, "refund_mismatch", detail, donation), donation.id
    try:
        with session.begin_nested():
            refunds.book_lost_dispute(session, donation.id, str(dispute.get("id") or event_id)[:255], amount)
    except refunds.GivenBackTwice:
        return anomaly(session, event_id, "given_back_twice", detail, donation), donation.id
    except DomainError as error:
        return anomaly(session, event_id, "refund_not_bookable", str(error.message), donation), donation.id
    record(session, None, "donation.dispute_lost", "donation", donation.id, region_code=donation.region_code,
           detail={"dispute": dispute.get("id"), "event": event_id, "amount_fen": amount})
    return "applied", donation.id


def _subscription_deleted(session: Session, event_id: str, subscription: dict) -> tuple[str, int | None]:
    """Stripe ended a monthly gift's subscription (cancelled in its dashboard, or payments failed):
    every month of it shows as ended; a subscription of no gift of ours is ignored."""
    subscription_id = subscription.get("id")
    first = session.scalar(select(Donation).where(Donation.stripe_subscription_id == subscription_id)
                           .order_by(Donation.id).limit(1)) if subscription_id else None
    if first is None:
        return "ignored", None
    ended = session.execute(update(Donation).where(Donation.stripe_subscription_id == subscription_id,
                                                   Donation.monthly_cancelled_at.is_(None))
                            .values(monthly_cancelled_at=utcnow()).execution_options(synchronize_session=False))
    if ended.rowcount:
        record(session, None, "donation.cancel_monthly", "donation", first.id, region_code=first.region_code,
               detail={"subscription": subscription_id, "event": event_id})
    return "applied", first.id


def _invoice_subscription(invoice: dict) -> str | None:
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(invoice.get("subscription")) or _id(parent.get("subscription"))


def _first_month(session: Session, invoice: dict, subscription: str | None) -> Donation | None:
    """The monthly gift a subscription was opened for (its first month's donation)."""
    if subscription:
        first = session.scalar(select(Donation).where(Donation.stripe_subscription_id == subscription)
                               .order_by(Donation.id).limit(1))
        if first is not None:
            return first
    meta = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("metadata") or {}
    donation_id = str(meta.get("donation", ""))
    if not donation_id and subscription:
        from portal.donations import stripe_gateway

        donation_id = str((stripe_gateway.retrieve_subscription(subscription).get("metadata") or {})
                          .get("donation", ""))
    if donation_id.isascii() and donation_id.isdigit():
        first = session.get(Donation, int(donation_id))
        if first is not None and first.channel == Channel.online and first.stripe_subscription_id in (None,
                                                                                                        subscription):
            return first
    return None


def apply_invoice(session: Session, event_id: str, invoice: dict) -> tuple[str, int | None]:
    """Book a paid invoice of a monthly gift, as its webhook does (the pending sweep calls it too)."""
    return _invoice_paid(session, event_id, invoice)


def _invoice_paid(session: Session, event_id: str, invoice: dict) -> tuple[str, int | None]:
    """One month of a monthly gift is paid: the first month settles the donation the checkout was
    opened for; each later one is a donation of its own (unique by invoice: booked once)."""
    subscription = _invoice_subscription(invoice)
    if not subscription:
        return "ignored", None  # not a monthly gift's invoice
    known = session.scalar(select(Donation).where(Donation.stripe_invoice_id == invoice.get("id")))
    if known is not None:
        return "already_booked", known.id
    first = _first_month(session, invoice, subscription)
    if first is None:
        return anomaly(session, event_id, "unknown_gift", f"invoice {invoice.get('id')} of {subscription}"), None
    paid = invoice.get("amount_paid", invoice.get("total"))
    refused = _matches(session, event_id, first, paid, invoice.get("currency"))
    if refused:
        return refused, first.id
    intent = _id(invoice.get("payment_intent"))
    charge = _id(invoice["payment_intent"].get("latest_charge")) if isinstance(invoice.get("payment_intent"),
                                                                              dict) else None
    if intent and session.scalar(select(Donation.id).where(Donation.stripe_payment_intent_id == intent)):
        intent = charge = None  # already another month's: a payment is one gift's, never two
    if first.stripe_invoice_id is None and first.status in (DonationStatus.pending, DonationStatus.failed):
        first.stripe_invoice_id, first.stripe_subscription_id = invoice.get("id"), subscription
        session.add(first)
        session.flush()
        mark_paid(session, first, payment_intent=intent, charge=charge)
        return "applied", first.id
    month = Donation(fund_id=first.fund_id, need_id=None, region_code=first.region_code, donor_id=first.donor_id,
                     guest_name=first.guest_name, email=first.email, anonymous=first.anonymous,
                     amount_fen=paid, channel=Channel.online, stripe_subscription_id=subscription,
                     stripe_invoice_id=invoice.get("id"), stripe_payment_intent_id=intent)
    session.add(month)
    session.flush()
    remember_charge(session, month, charge)
    rules.settle(session, None, month.id)
    return "applied", month.id


_HANDLERS = {
    "checkout.session.completed": _checkout_paid,
    "checkout.session.async_payment_succeeded": _checkout_paid,
    "checkout.session.async_payment_failed": _checkout_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.paid": _invoice_paid,
}
