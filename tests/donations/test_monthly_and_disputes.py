"""Monthly giving (a Stripe subscription; each paid invoice a donation, booked once, in any order),
the donor stopping it, and disputes (the gift marked, an anomaly for staff, the ledger unchanged)."""

import pytest
from sqlalchemy import select

from portal import db
from portal.donations.models import DonationAnomaly
from tests.conftest import post
from tests.donations.conftest import donations_of
from tests.donations.test_webhooks import counts, deliver, give
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


@pytest.fixture
def first_month(app, client, as_user, stripe_standin, stripe_client):
    as_user("donor")
    response = post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)
    paid = stripe_standin.pay(response.location.rsplit("/", 1)[-1])
    invoice = stripe_client.v1.invoices.retrieve(paid["invoice"]).to_dict()
    return paid, invoice


def test_monthly_gift_opens_a_subscription_checkout(app, client, as_user, stripe_standin):
    as_user("donor")
    post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y"})
    [sent] = stripe_standin.requests_to("POST", "/v1/checkout/sessions")
    assert sent.params["mode"] == "subscription"
    assert sent.params["line_items"][0]["price_data"]["recurring"] == {"interval": "month"}


@pytest.mark.parametrize("order", ["completed first", "invoice first"])
def test_each_paid_month_is_one_donation_in_any_order(app, client, stripe_settings, first_month, order):
    paid, invoice = first_month
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    completed, first = events.checkout_session_completed(paid), events.invoice_paid(invoice)
    batch = [completed, first] if order == "completed first" else [first, completed]
    second = events.invoice_paid({**invoice, "id": invoice["id"] + "_month2", "payment_intent": "pi_month2"})
    for event in [*batch, second, first, second]:
        assert deliver(client, event, secret).status_code == 200
    gifts = donations_of(app)
    assert [(g.status, g.amount_fen, g.stripe_subscription_id) for g in gifts] == [
        ("paid", 10_000, paid["subscription"])] * 2
    assert counts(app)[0] == 2
    assert app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0


def test_a_month_of_another_amount_is_an_anomaly(app, client, stripe_settings, first_month):
    paid, invoice = first_month
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    deliver(client, events.invoice_paid(invoice), secret)
    odd = events.invoice_paid({**invoice, "id": invoice["id"] + "_odd", "amount_paid": 99_900, "total": 99_900})
    assert deliver(client, odd, secret).get_json() == {"outcome": "anomaly"}
    assert counts(app)[0] == 1


def test_the_donor_stops_a_monthly_gift_from_their_page(app, client, stripe_settings, stripe_client, first_month):
    paid, invoice = first_month
    deliver(client, events.invoice_paid(invoice), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    page = client.get("/donations/mine").get_data(as_text=True)
    assert "停止此月捐" in page
    first = donations_of(app)[0]
    post(client, f"/donations/monthly/{first.id}/cancel")
    assert stripe_client.v1.subscriptions.retrieve(paid["subscription"]).status == "canceled"
    assert donations_of(app)[0].monthly_cancelled_at is not None
    assert "停止此月捐" not in client.get("/donations/mine").get_data(as_text=True)


def test_another_donor_cannot_stop_it(app, client, stripe_settings, stripe_client, users, first_month):
    from tests.conftest import login

    paid, invoice = first_month
    deliver(client, events.invoice_paid(invoice), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    other = app.test_client()
    login(other, "volunteer")
    assert post(other, f"/donations/monthly/{donations_of(app)[0].id}/cancel").status_code == 404
    assert stripe_client.v1.subscriptions.retrieve(paid["subscription"]).status == "active"


def test_a_guest_cannot_give_monthly(app, client, stripe_standin):
    response = post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y", "name": "王",
                                                         "email": "w@example.org"})
    assert response.status_code == 400 and donations_of(app) == []


def test_a_dispute_marks_the_gift_and_leaves_the_ledger(app, client, stripe_settings, stripe_standin, stripe_client,
                                                        money_need):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    deliver(client, events.checkout_session_completed(paid), secret)
    intent = stripe_client.v1.payment_intents.retrieve(paid["payment_intent"])
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge).to_dict()
    event = events.charge_dispute_created(charge)
    assert [deliver(client, event, secret).get_json()["outcome"] for _ in range(2)] == ["applied", "duplicate"]
    assert donations_of(app)[0].status == "disputed" and counts(app) == (1, 2, 1)
    with app.app_context(), db.write_session() as s:
        assert s.scalar(select(DonationAnomaly.kind)) == "dispute"
    assert app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0
