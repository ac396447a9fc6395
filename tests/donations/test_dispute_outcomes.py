"""What happens after a dispute and after a monthly plan ends in Stripe: a lost dispute is booked as
the refund Stripe made (once), a won one puts the gift back to paid with the ledger unchanged, and a
subscription Stripe deleted shows the donor's monthly gift as ended."""

import pytest

from portal import db
from portal.donations import refunds
from portal.errors import Conflict
from portal.needs.models import Need
from tests.conftest import post
from tests.donations.conftest import donations_of
from tests.donations.test_webhooks import counts, deliver, give
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


@pytest.fixture
def disputed(app, client, stripe_settings, stripe_standin, stripe_client, money_need):
    """A 500-yuan gift to the money need, paid, then disputed by the donor's bank: (charge, dispute)."""
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    deliver(client, events.checkout_session_completed(paid), secret)
    intent = stripe_client.v1.payment_intents.retrieve(paid["payment_intent"])
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge).to_dict()
    created = events.charge_dispute_created(charge)
    assert deliver(client, created, secret).get_json() == {"outcome": "applied"}
    return charge, created["data"]["object"]


def closed(dispute: dict, status: str) -> dict:
    return events.build_event("charge.dispute.closed", {**dispute, "status": status})


def raised(app, need_id):
    with app.app_context(), db.write_session() as s:
        return s.get(Need, need_id).raised_fen


def ledger_clean(app) -> bool:
    return app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0


def test_a_disputed_gift_cannot_be_refunded_by_staff_while_open(app, act, disputed):
    with pytest.raises(Conflict):
        act("county", refunds.refund, donations_of(app)[0].id, 100, "捐赠人申请退款")
    assert donations_of(app)[0].refunded_fen == 0


def test_a_lost_dispute_is_booked_as_the_refund_stripe_made_once(app, client, stripe_settings, disputed,
                                                                  money_need):
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    assert raised(app, money_need) == 50_000
    lost = closed(disputed[1], "lost")
    assert deliver(client, lost, secret).get_json() == {"outcome": "applied"}
    gift = donations_of(app)[0]
    assert (gift.status, gift.refunded_fen) == ("refunded", 50_000)
    assert raised(app, money_need) == 0
    transactions = counts(app)[0]
    # Sent again, or a second event saying the same: booked once.
    assert deliver(client, lost, secret).get_json() == {"outcome": "duplicate"}
    assert deliver(client, closed(disputed[1], "lost"), secret).get_json() == {"outcome": "already_booked"}
    assert counts(app)[0] == transactions and donations_of(app)[0].refunded_fen == 50_000
    assert ledger_clean(app)


def test_a_won_dispute_puts_the_gift_back_to_paid_and_leaves_the_ledger(app, client, stripe_settings, disputed,
                                                                        money_need):
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    transactions = counts(app)[0]
    assert deliver(client, closed(disputed[1], "won"), secret).get_json() == {"outcome": "applied"}
    gift = donations_of(app)[0]
    assert (gift.status, gift.refunded_fen) == ("paid", 0)
    assert counts(app)[0] == transactions and raised(app, money_need) == 50_000
    # A "lost" arriving after the dispute was won (forged or out of order) books nothing.
    assert deliver(client, closed(disputed[1], "lost"), secret).get_json() == {"outcome": "already_booked"}
    assert counts(app)[0] == transactions and ledger_clean(app)


def test_a_lost_dispute_of_another_amount_or_currency_is_an_anomaly(app, client, stripe_settings, disputed):
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    before = counts(app)
    for odd in ({"amount": 50_001}, {"currency": "usd"}, {"amount": "50000"}):
        assert deliver(client, closed({**disputed[1], **odd}, "lost"), secret).get_json() == {"outcome": "anomaly"}
    assert counts(app)[0] == before[0] and donations_of(app)[0].status == "disputed"
    assert ledger_clean(app)


def test_a_subscription_stripe_deleted_shows_the_monthly_gift_ended(app, client, as_user, stripe_settings,
                                                                   stripe_standin, stripe_client):
    as_user("donor")
    response = post(client, "/donate?fund=scholarship", {"amount": "100", "monthly": "y"})
    paid = stripe_standin.pay(response.location.rsplit("/", 1)[-1])
    invoice = stripe_client.v1.invoices.retrieve(paid["invoice"]).to_dict()
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    deliver(client, events.invoice_paid(invoice), secret)
    assert "停止此月捐" in client.get("/donations/mine").get_data(as_text=True)
    subscription = stripe_client.v1.subscriptions.cancel(paid["subscription"]).to_dict()
    event = events.build_event("customer.subscription.deleted", subscription)
    assert deliver(client, event, secret).get_json() == {"outcome": "applied"}
    assert donations_of(app)[0].monthly_cancelled_at is not None
    page = client.get("/donations/mine").get_data(as_text=True)
    assert "停止此月捐" not in page
    # Stripe ending a subscription of no gift of ours changes nothing.
    other = events.build_event("customer.subscription.deleted", {**subscription, "id": "sub_not_ours"})
    assert deliver(client, other, secret).get_json() == {"outcome": "ignored"}
