"""``flask stripe-reconcile --since DATE``: Stripe's balance transactions (localstripe) against the
ledger; every difference printed, the last line JSON."""

import json
from datetime import datetime

import pytest
from sqlalchemy import select, update

from portal import db
from portal.accounts.models import User
from portal.donations import refunds
from portal.donations.models import Donation
from portal.donations.rules import RECEIPT_TIMEZONE
from tests.donations.test_webhooks import deliver, give
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


TODAY = datetime.now(RECEIPT_TIMEZONE).date().isoformat()


def reconcile(app, since: str = TODAY):
    result = app.test_cli_runner().invoke(args=["stripe-reconcile", "--since", since])
    lines = result.output.strip().splitlines()
    return result.exit_code, lines[:-1], json.loads(lines[-1])


def booked_gift(client, stripe_standin, stripe_settings, target: str, amount: str = "500") -> dict:
    paid = stripe_standin.pay(give(client, target, amount))
    deliver(client, events.checkout_session_completed(paid), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    return paid


def test_booked_gifts_and_a_staff_refund_match_stripe(app, client, stripe_standin, stripe_settings, stripe_client,
                                                      money_need):
    booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    paid = booked_gift(client, stripe_standin, stripe_settings, "fund=general", "80")
    with app.app_context(), db.write_session() as s:
        city = s.scalar(select(User).where(User.username == "city"))
        gift = s.scalar(select(Donation).where(Donation.stripe_payment_intent_id == paid["payment_intent"]))
        refunds.refund(s, city, gift.id, 3_000, "捐赠人要求")  # a gift to a fund: the city's
    code, lines, summary = reconcile(app)
    assert (code, summary["checked"], summary["differences"]) == (0, 3, 0), lines


def test_a_charge_the_ledger_never_booked_is_a_difference(app, client, stripe_standin, stripe_settings, money_need):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))  # its webhook never came
    code, lines, summary = reconcile(app)
    assert code == 1 and summary == {"checked": 1, "differences": 1, "since": TODAY}
    assert paid["payment_intent"] in lines[0] and "50000" in lines[0]


def test_a_refund_made_only_in_stripe_is_a_difference(app, client, stripe_standin, stripe_settings, stripe_client,
                                                      money_need):
    paid = booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    stripe_client.v1.refunds.create(params={"payment_intent": paid["payment_intent"], "amount": 10_000})
    code, lines, summary = reconcile(app)
    assert (code, summary["differences"]) == (1, 1) and "Stripe refunded 10000 fen, the ledger 0" in lines[0]


def test_a_gift_booked_online_that_stripe_never_charged_is_a_difference(app, client, stripe_standin,
                                                                         stripe_settings, money_need):
    booked_gift(client, stripe_standin, stripe_settings, f"need={money_need}")
    with app.app_context(), db.write_session() as s:
        s.execute(update(Donation).values(stripe_payment_intent_id="pi_made_up", stripe_charge_id="ch_made_up"))
    code, lines, summary = reconcile(app)
    assert code == 1 and summary["differences"] == 2
    assert any("pi_made_up" in line and "no charge" in line for line in lines)


def test_without_keys_reconcile_says_so_and_exits_1(database_url):
    from portal import create_app
    from tests.conftest import make_config

    result = create_app(make_config(database_url)).test_cli_runner().invoke(
        args=["stripe-reconcile", "--since", TODAY])
    assert result.exit_code == 1 and json.loads(result.output.strip().splitlines()[-1])["checked"] == 0
