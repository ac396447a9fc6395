"""The pending sweep: a lost webhook never leaves money unrecorded.

Every few minutes the queue asks Stripe about online gifts still ``pending`` an hour after their
checkout opened. A session Stripe says is paid is booked exactly as its webhook would have booked it
(the same handler; a webhook arriving later finds it settled and changes nothing); an expired one
is marked failed. Stripe is asked outside any database transaction, one gift at a time, so a slow
answer holds no lock; a gift Stripe does not answer for waits for the next sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal import db
from portal.donations import stripe_gateway, webhooks
from portal.donations.models import Channel, Donation, DonationStatus
from portal.types import utcnow

PENDING_AFTER = timedelta(hours=1)
BATCH = 200


@dataclass
class SweepReport:
    asked: int = 0
    booked: int = 0
    failed: int = 0
    unanswered: list[int] = field(default_factory=list)


def sweep_pending(now: datetime | None = None, limit: int = BATCH) -> SweepReport:
    """Ask Stripe about online gifts pending for more than an hour and book or fail them."""
    report = SweepReport()
    if not stripe_gateway.available():
        return report
    now = now or utcnow()
    with db.write_session() as session:
        rows = session.execute(select(Donation.id, Donation.stripe_checkout_session_id).where(
            Donation.channel == Channel.online, Donation.status == DonationStatus.pending,
            Donation.created_at < now - PENDING_AFTER).order_by(Donation.id).limit(limit)).all()
    for donation_id, checkout_id in rows:
        if not checkout_id:
            _fail(donation_id)  # Stripe never opened a checkout for it
            report.failed += 1
            continue
        report.asked += 1
        try:
            # With its PaymentIntent in full: the charge the gift is booked with (webhooks.with_payment_intent).
            checkout = stripe_gateway.retrieve_checkout_session(checkout_id, expand=["payment_intent"]).to_dict()
        except stripe_gateway.GatewayError:
            report.unanswered.append(donation_id)
            continue
        if checkout.get("status") == "expired":
            _fail(donation_id)
            report.failed += 1
        elif checkout.get("status") == "complete":
            invoice = _first_invoice(checkout)
            with db.write_session() as session:
                if invoice is not None:  # a monthly gift: its first month is booked from its invoice
                    webhooks.apply_checkout(session, f"sweep:{checkout_id}", checkout)
                    outcome, _ = webhooks.apply_invoice(session, f"sweep:{invoice['id']}", invoice)
                else:
                    outcome, _ = webhooks.apply_checkout(session, f"sweep:{checkout_id}", checkout)
            report.booked += outcome == "applied"
    return report


def _first_invoice(checkout: dict) -> dict | None:
    invoice = checkout.get("invoice")
    if checkout.get("mode") != "subscription" or not invoice:
        return None
    invoice_id = invoice.get("id") if isinstance(invoice, dict) else invoice
    try:
        found = stripe_gateway.retrieve_invoice(invoice_id)
    except stripe_gateway.GatewayError:
        return None
    return webhooks.with_payment_intent(found)  # its charge, as the webhook books it


def _fail(donation_id: int) -> None:
    with db.write_session() as session:
        session.execute(update(Donation).where(Donation.id == donation_id, Donation.status == DonationStatus.pending)
                        .values(status=DonationStatus.failed, updated_at=utcnow())
                        .execution_options(synchronize_session=False))
