"""A Stripe webhook racing a staff refund of the same online gift, each in its own connection and
transaction (on SQLite and on PostgreSQL, whichever the suite runs on): one wins, the books balance."""

import pytest
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.donations import refunds, webhooks
from portal.donations.models import Donation, DonationRefund, RefundStatus
from portal.ledger import rules as ledger
from portal.needs.models import Need
from tests.donations.test_webhooks import deliver, give
from tests.ledger.test_races import _race
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


def test_a_stripe_refund_event_racing_a_staff_refund_books_what_stripe_gave_back_once(
        app, client, users, stripe_settings, stripe_standin, stripe_client, money_need):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    deliver(client, events.checkout_session_completed(paid), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    with app.app_context(), db.write_session() as s:
        donation_id = s.scalar(select(Donation.id))
    # The whole gift is refunded in Stripe's dashboard while staff refund 300 yuan of it here.
    stripe_client.v1.refunds.create(params={"payment_intent": paid["payment_intent"], "amount": 50_000})
    intent = stripe_client.v1.payment_intents.retrieve(paid["payment_intent"])
    event = events.charge_refunded(stripe_client.v1.charges.retrieve(intent.latest_charge).to_dict())

    def race(session, i):
        if i == 0:
            refunds.refund(session, session.get(User, users["county"].id), donation_id, 30_000, "捐赠人要求")
        else:
            webhooks.apply_event(session, event)

    outcomes = _race(app, 2, race)
    # Staff losing are refused: by the conditional UPDATE (Conflict) if they read the gift before the
    # webhook committed, else by the amount check, whose message says why.
    assert outcomes.count("done") >= 1, outcomes
    assert all(o in ("done", "refused") or "退款金额不能超过" in o for o in outcomes), outcomes
    with app.app_context(), db.new_session() as s:
        donation = s.get(Donation, donation_id)
        booked = s.scalar(select(func.sum(DonationRefund.amount_fen)).where(
            DonationRefund.donation_id == donation_id, DonationRefund.status == RefundStatus.done))
        # Stripe gave back the whole gift (and, if staff won, 300 yuan more that reconcile shows):
        # the books say the whole gift went back, once, never more.
        assert donation.refunded_fen == booked == 50_000
        assert s.get(Need, money_need).raised_fen == 0
        assert ledger.check(s)["violations"] == 0
    # Stripe sending the event again changes nothing.
    assert deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json()["outcome"] in (
        "duplicate", "already_booked")
