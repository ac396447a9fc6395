"""The pending sweep asks Stripe about gifts pending for over an hour: a paid one is booked as its
lost webhook would have, once; an expired one fails; a recent one is left alone."""

from datetime import timedelta

import pytest

from portal.donations.sweep import sweep_pending
from portal.types import utcnow
from tests.donations.conftest import donations_of
from tests.donations.test_webhooks import counts, deliver, give, raised
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


def later(hours: float = 2):
    return utcnow() + timedelta(hours=hours)


def test_a_paid_gift_whose_webhook_was_lost_is_booked_by_the_sweep(app, client, stripe_standin, money_need):
    stripe_standin.pay(give(client, f"need={money_need}"))  # no webhook endpoint registered: the event is lost
    with app.app_context():
        report = sweep_pending(now=later())
    assert (report.asked, report.booked) == (1, 1)
    assert donations_of(app)[0].status == "paid" and raised(app, money_need) == 50_000
    with app.app_context():
        assert sweep_pending(now=later()).asked == 0  # no longer pending
    assert counts(app)[0] == 1


def test_the_webhook_arriving_after_the_sweep_changes_nothing(app, client, stripe_settings, stripe_standin,
                                                               money_need):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    with app.app_context():
        sweep_pending(now=later())
    late = deliver(client, events.checkout_session_completed(paid), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    assert late.status_code == 200 and counts(app)[0] == 1 and raised(app, money_need) == 50_000


def test_a_gift_pending_less_than_an_hour_is_not_asked_about(app, client, stripe_standin, money_need):
    stripe_standin.pay(give(client, f"need={money_need}"))
    before = len(stripe_standin.requests)
    with app.app_context():
        assert sweep_pending(now=later(0.5)).asked == 0
    assert len(stripe_standin.requests) == before and donations_of(app)[0].status == "pending"


def test_an_expired_checkout_marks_the_gift_failed(app, client, stripe_client, stripe_standin, money_need):
    stripe_client.v1.checkout.sessions.expire(give(client, f"need={money_need}"))
    with app.app_context():
        assert sweep_pending(now=later()).failed == 1
    assert donations_of(app)[0].status == "failed" and counts(app)[0] == 0


def test_an_open_checkout_stays_pending(app, client, stripe_standin, money_need):
    give(client, f"need={money_need}")
    with app.app_context():
        report = sweep_pending(now=later())
    assert (report.asked, report.booked, report.failed) == (1, 0, 0) and donations_of(app)[0].status == "pending"


def test_without_keys_the_sweep_does_nothing(database_url):
    from portal import create_app
    from tests.conftest import make_config

    with create_app(make_config(database_url)).app_context():
        assert sweep_pending(now=later()).asked == 0
