"""A refund and a dispute on the same payment, in either order, as signed events on objects that exist
in localstripe: money Stripe gives back is booked once (a Stripe refund and a lost dispute each
count for themselves), never twice, never beyond the gift, and no fund goes below zero."""

import pytest
from sqlalchemy import select

from portal import db
from portal.donations.models import DonationAnomaly
from portal.ledger import rules as ledger
from tests.donations.conftest import donations_of
from tests.donations.test_dispute_outcomes import closed, ledger_clean, raised
from tests.donations.test_webhooks import counts, deliver, give
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


@pytest.fixture
def paid(app, client, stripe_settings, stripe_standin, stripe_client, money_need):
    """A 500-yuan gift to the money need, paid and booked: its charge as Stripe shows it."""
    session = stripe_standin.pay(give(client, f"need={money_need}"))
    deliver(client, events.checkout_session_completed(session), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    intent = stripe_client.v1.payment_intents.retrieve(session["payment_intent"])
    return stripe_client.v1.charges.retrieve(intent.latest_charge).to_dict()


@pytest.fixture
def send(client, stripe_settings):
    """``send(event)``: Stripe posts the signed event; the outcome the webhook answered."""
    return lambda event: deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json()["outcome"]


def stripe_refunds(stripe_client, charge: dict, amount: int) -> dict:
    """Money given back in Stripe itself (its dashboard): the refund made in localstripe, and the
    ``charge.refunded`` event Stripe sends with the charge as it now is."""
    stripe_client.v1.refunds.create(params={"charge": charge["id"], "amount": amount})
    return events.charge_refunded(stripe_client.v1.charges.retrieve(charge["id"]).to_dict())


def dispute_opened(charge: dict, amount: int | None = None) -> dict:
    dispute = events.dispute(charge)
    if amount is not None:
        dispute["amount"] = amount
    return events.build_event("charge.dispute.created", dispute)


def gift_state(app) -> tuple[str, int]:
    gift = donations_of(app)[0]
    return str(gift.status), gift.refunded_fen


def no_fund_below_zero(app) -> bool:
    with app.app_context(), db.write_session() as s:
        return all(figures.balance >= 0 for _fund, figures in ledger.all_fund_figures(s))


def anomaly_kinds(app) -> list[str]:
    with app.app_context(), db.write_session() as s:
        return list(s.scalars(select(DonationAnomaly.kind).order_by(DonationAnomaly.id)))


def test_a_refund_while_disputed_then_the_dispute_lost_books_each_part_once(app, send, stripe_client, paid,
                                                                           money_need):
    opened = dispute_opened(paid)
    assert send(opened) == "applied"
    refunded = stripe_refunds(stripe_client, paid, 10_000)
    assert send(refunded) == "applied"
    # The refund is booked, and the dispute is still open: the gift stays disputed.
    assert gift_state(app) == ("disputed", 10_000)
    assert raised(app, money_need) == 40_000
    # Stripe's dispute covers what was left of the payment; lost, it is booked on top of the refund.
    lost = closed({**opened["data"]["object"], "amount": 40_000}, "lost")
    assert send(lost) == "applied"
    assert gift_state(app) == ("refunded", 50_000)
    assert raised(app, money_need) == 0
    transactions = counts(app)[0]
    for again in (refunded, lost, events.charge_refunded(stripe_client.v1.charges.retrieve(paid["id"]).to_dict())):
        assert send(again) in ("duplicate", "already_booked")
    assert counts(app)[0] == transactions and gift_state(app) == ("refunded", 50_000)
    assert no_fund_below_zero(app) and ledger_clean(app)


def test_a_full_refund_while_disputed_then_the_dispute_lost_is_not_booked_twice(app, send, stripe_client, paid,
                                                                                money_need):
    opened = dispute_opened(paid)
    send(opened)
    assert send(stripe_refunds(stripe_client, paid, 50_000)) == "applied"
    assert gift_state(app) == ("disputed", 50_000)
    transactions = counts(app)[0]
    # The bank takes the whole payment back as well: Stripe gave the money back twice. The books show
    # the gift given back once, and staff see the second time as an anomaly.
    assert send(closed(opened["data"]["object"], "lost")) == "anomaly"
    assert counts(app)[0] == transactions
    assert donations_of(app)[0].refunded_fen == 50_000 and raised(app, money_need) == 0
    assert anomaly_kinds(app)[-1] == "given_back_twice"
    assert no_fund_below_zero(app) and ledger_clean(app)


def test_a_refund_while_disputed_then_the_dispute_won_keeps_the_refund(app, send, stripe_client, paid, money_need):
    opened = dispute_opened(paid)
    send(opened)
    send(stripe_refunds(stripe_client, paid, 10_000))
    transactions = counts(app)[0]
    assert send(closed(opened["data"]["object"], "won")) == "applied"
    assert gift_state(app) == ("partially_refunded", 10_000)
    assert counts(app)[0] == transactions and raised(app, money_need) == 40_000
    assert ledger_clean(app)


def test_a_refund_then_a_dispute_lost_of_the_rest_books_each_once(app, send, stripe_client, paid, money_need):
    refunded = stripe_refunds(stripe_client, paid, 10_000)
    assert send(refunded) == "applied"
    assert gift_state(app) == ("partially_refunded", 10_000)
    opened = dispute_opened(paid, 40_000)
    assert send(opened) == "applied"
    assert gift_state(app) == ("disputed", 10_000)
    # The same refund told again while the dispute is open books nothing.
    assert send(events.charge_refunded(stripe_client.v1.charges.retrieve(paid["id"]).to_dict())) == "already_booked"
    assert send(closed(opened["data"]["object"], "lost")) == "applied"
    assert gift_state(app) == ("refunded", 50_000) and raised(app, money_need) == 0
    assert no_fund_below_zero(app) and ledger_clean(app)


def test_a_refund_after_a_partly_lost_dispute_is_booked_too(app, send, stripe_client, paid, money_need):
    opened = dispute_opened(paid, 40_000)
    send(opened)
    assert send(closed(opened["data"]["object"], "lost")) == "applied"
    assert gift_state(app) == ("partially_refunded", 40_000)
    # Stripe's amount_refunded counts refunds only, never what a dispute took: the 100 yuan refunded
    # now is new money given back, not the dispute told again.
    assert send(stripe_refunds(stripe_client, paid, 10_000)) == "applied"
    assert gift_state(app) == ("refunded", 50_000) and raised(app, money_need) == 0
    assert no_fund_below_zero(app) and ledger_clean(app)


def test_a_fully_refunded_gift_disputed_and_lost_is_an_anomaly_not_a_second_refund(app, send, stripe_client, paid,
                                                                                 money_need):
    send(stripe_refunds(stripe_client, paid, 50_000))
    assert gift_state(app) == ("refunded", 50_000)
    opened = dispute_opened(paid)
    assert send(opened) == "applied"
    assert gift_state(app) == ("disputed", 50_000)
    transactions = counts(app)[0]
    assert send(closed(opened["data"]["object"], "lost")) == "anomaly"
    assert anomaly_kinds(app)[-1] == "given_back_twice"
    assert counts(app)[0] == transactions and donations_of(app)[0].refunded_fen == 50_000
    # Won instead (told after): the gift shows refunded, as it was before the dispute.
    assert send(closed(opened["data"]["object"], "won")) == "applied"
    assert gift_state(app) == ("refunded", 50_000)
    assert no_fund_below_zero(app) and ledger_clean(app)
