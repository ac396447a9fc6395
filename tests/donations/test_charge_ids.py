"""A paid online gift remembers the charge Stripe made for it (the PaymentIntent's ``latest_charge``),
whichever way it was booked, and ``stripe-reconcile`` finds gifts by it: the balance transactions are
read with their sources in one list, never one Stripe call per transaction; gifts booked before the
charge was kept are still found by their PaymentIntent."""

import pytest
from sqlalchemy import update

from portal import db
from portal.donations.models import Donation
from portal.donations.sweep import sweep_pending
from tests.donations.conftest import donations_of
from tests.donations.test_reconcile import booked_gift, reconcile
from tests.donations.test_sweep import later
from tests.donations.test_webhooks import deliver, give
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


def latest_charge(stripe_client, payment_intent: str) -> str:
    return stripe_client.v1.payment_intents.retrieve(payment_intent).latest_charge


def test_the_webhook_keeps_the_charge_of_a_paid_gift(app, client, stripe_settings, stripe_standin, stripe_client,
                                                     money_need):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    deliver(client, events.checkout_session_completed(paid), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    [gift] = donations_of(app)
    assert gift.status == "paid"
    assert gift.stripe_charge_id == latest_charge(stripe_client, paid["payment_intent"])
    assert gift.stripe_charge_id.startswith("ch_")


def test_the_sweep_keeps_the_charge_of_a_gift_whose_webhook_was_lost(app, client, stripe_standin, stripe_client,
                                                                     money_need):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    with app.app_context():
        assert sweep_pending(now=later()).booked == 1
    [gift] = donations_of(app)
    assert gift.stripe_charge_id == latest_charge(stripe_client, paid["payment_intent"])


def test_a_refund_event_fills_the_charge_of_a_gift_booked_without_it(app, client, stripe_settings, stripe_standin,
                                                                     stripe_client, money_need):
    paid = booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    with app.app_context(), db.write_session() as s:
        s.execute(update(Donation).values(stripe_charge_id=None))  # booked before charges were kept
    charge = latest_charge(stripe_client, paid["payment_intent"])
    stripe_client.v1.refunds.create(params={"charge": charge, "amount": 5_000})
    event = events.charge_refunded(stripe_client.v1.charges.retrieve(charge).to_dict())
    assert deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json() == {"outcome": "applied"}
    assert donations_of(app)[0].stripe_charge_id == charge


def test_reconcile_reads_stripe_in_one_list_not_one_call_per_transaction(app, client, stripe_standin,
                                                                         stripe_settings, stripe_client, money_need):
    booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    paid = booked_gift(client, stripe_standin, stripe_settings, "fund=general", "80")
    booked_gift(client, stripe_standin, stripe_settings, "fund=scholarship", "300")
    refunded = stripe_client.v1.refunds.create(params={"payment_intent": paid["payment_intent"], "amount": 3_000})
    charge = stripe_client.v1.charges.retrieve(refunded.charge).to_dict()
    deliver(client, events.charge_refunded(charge), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    before = len(stripe_standin.requests)
    code, lines, summary = reconcile(app)
    assert (code, summary["checked"], summary["differences"]) == (0, 4, 0), lines
    asked = [(r.method, r.path) for r in stripe_standin.requests[before:]]
    assert asked == [("GET", "/v1/balance_transactions")]


def test_gifts_booked_before_charges_were_kept_are_still_matched(app, client, stripe_standin, stripe_settings,
                                                                 stripe_client, money_need):
    booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    paid = booked_gift(client, stripe_standin, stripe_settings, "fund=general", "80")
    stripe_client.v1.refunds.create(params={"payment_intent": paid["payment_intent"], "amount": 3_000})
    with app.app_context(), db.write_session() as s:
        s.execute(update(Donation).values(stripe_charge_id=None))
    code, lines, summary = reconcile(app)
    # Both charges matched by their PaymentIntent; the refund made only in Stripe is the one difference.
    assert (code, summary["checked"], summary["differences"]) == (1, 3, 1), lines
    assert "Stripe refunded 3000 fen, the ledger 0" in lines[0]


def test_a_charge_id_of_another_gift_does_not_match(app, client, stripe_standin, stripe_settings, money_need):
    booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    booked_gift(client, stripe_standin, stripe_settings, "fund=general", "80")
    with app.app_context(), db.write_session() as s:
        s.execute(update(Donation).where(Donation.amount_fen == 8_000).values(stripe_charge_id="ch_made_up"))
    code, lines, summary = reconcile(app)
    assert code == 1 and summary["differences"] == 2, lines


def test_a_paid_month_of_a_monthly_gift_keeps_its_charge(app, client, as_user, stripe_settings, stripe_standin,
                                                         stripe_client):
    from tests.conftest import post

    as_user("donor")
    response = post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y"})
    paid = stripe_standin.pay(response.location.rsplit("/", 1)[-1])
    invoice = stripe_client.v1.invoices.retrieve(paid["invoice"]).to_dict()
    deliver(client, events.invoice_paid(invoice), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    [month] = donations_of(app)
    assert month.status == "paid" and month.stripe_payment_intent_id == invoice["payment_intent"]
    assert month.stripe_charge_id == latest_charge(stripe_client, invoice["payment_intent"])


def test_the_sweep_keeps_the_charge_of_a_first_month_whose_webhook_was_lost(app, client, as_user, stripe_standin,
                                                                           stripe_client):
    from tests.conftest import post

    as_user("donor")
    response = post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y"})
    paid = stripe_standin.pay(response.location.rsplit("/", 1)[-1])
    with app.app_context():
        assert sweep_pending(now=later()).booked == 1
    [month] = donations_of(app)
    intent = stripe_client.v1.invoices.retrieve(paid["invoice"]).payment_intent
    assert month.status == "paid" and month.stripe_charge_id == latest_charge(stripe_client, intent)


def test_a_month_paid_under_the_current_api_finds_its_payment_through_the_invoices_payments(
        app, client, as_user, stripe_settings, stripe_standin, stripe_client):
    """Since API version 2025-03-31 an invoice names neither its PaymentIntent nor (at the top) its
    subscription: the month is still booked with both, read from ``/v1/invoice_payments``, so a
    refund or a reconciliation finds it."""
    from tests.conftest import post

    as_user("donor")
    response = post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y"})
    paid = stripe_standin.pay(response.location.rsplit("/", 1)[-1])
    old_shape = stripe_client.v1.invoices.retrieve(paid["invoice"]).to_dict()
    intent = old_shape.pop("payment_intent")
    subscription = old_shape.pop("subscription")
    current = {**old_shape, "parent": {"type": "subscription_details",
                                       "subscription_details": {"subscription": subscription, "metadata": {}}}}
    deliver(client, events.invoice_paid(current), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    [month] = donations_of(app)
    assert month.status == "paid" and month.stripe_payment_intent_id == intent
    assert month.stripe_charge_id == latest_charge(stripe_client, intent)
    asked = stripe_standin.requests_to("GET", "/v1/invoice_payments")
    assert [r.query.get("invoice") for r in asked] == [paid["invoice"]]
