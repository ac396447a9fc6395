"""Refunds of online gifts go through Stripe (localstripe) and post reversing entries; Stripe's
``charge.refunded`` books what our books lack, once, and nothing a staff refund already booked."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal import db
from portal.donations import refunds
from portal.donations.models import DonationRefund
from portal.ledger.models import LedgerTransaction
from tests.conftest import login, post
from tests.donations.conftest import donations_of
from tests.donations.test_webhooks import deliver, give, raised
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


@pytest.fixture
def paid_gift(app, client, stripe_settings, stripe_standin, money_need):
    """A guest's 500 yuan to the money need, paid and booked through the webhook."""
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    assert deliver(client, events.checkout_session_completed(paid),
                   stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json() == {"outcome": "applied"}
    return donations_of(app)[0]


def charge_of(stripe_client, payment_intent: str) -> dict:
    intent = stripe_client.v1.payment_intents.retrieve(payment_intent)
    return stripe_client.v1.charges.retrieve(intent.latest_charge).to_dict()


def refund_kinds(app) -> list[str]:
    with app.app_context(), db.write_session() as s:
        return list(s.scalars(select(LedgerTransaction.kind).where(LedgerTransaction.kind.in_(["refund", "refund_paid"]))
                              .order_by(LedgerTransaction.id)))


def test_a_staff_refund_goes_through_stripe_and_reverses_the_gift(app, stripe_standin, stripe_client,
                                                                  stripe_settings, money_need, paid_gift):
    staff = app.test_client()
    assert login(staff, "county").status_code == 302
    post(staff, f"/donations/{paid_gift.id}/refund", {"amount": "500", "reason": "捐赠人要求退款"})
    [gift] = donations_of(app)
    [sent] = stripe_standin.requests_to("POST", "/v1/refunds")
    with app.app_context(), db.write_session() as s:
        row = s.scalar(select(DonationRefund))
    assert sent.idempotency_key == f"donation-refund-{row.id}" and sent.params["amount"] == "50000"
    assert charge_of(stripe_client, gift.stripe_payment_intent_id)["amount_refunded"] == 50_000  # in localstripe
    assert (gift.status, gift.refunded_fen) == ("refunded", 50_000) and row.stripe_refund_id.startswith("re_")
    assert raised(app, money_need) == 0 and refund_kinds(app) == ["refund", "refund_paid"]
    pdf = staff.get(f"/donations/{gift.id}/receipt.pdf").data
    assert "已退款" in "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0
    # Stripe then says so: already booked, nothing changes.
    event = events.charge_refunded(charge_of(stripe_client, gift.stripe_payment_intent_id))
    assert deliver(staff, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json() == {"outcome": "already_booked"}
    assert refund_kinds(app) == ["refund", "refund_paid"]


def test_a_refund_made_in_stripe_is_booked_once_from_its_event(app, client, stripe_client, stripe_settings,
                                                               money_need, paid_gift):
    stripe_client.v1.refunds.create(params={"payment_intent": paid_gift.stripe_payment_intent_id, "amount": 20_000})
    event = events.charge_refunded(charge_of(stripe_client, paid_gift.stripe_payment_intent_id))
    outcomes = [deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json()["outcome"]
                for _ in range(3)]
    assert outcomes == ["applied", "duplicate", "duplicate"]
    [gift] = donations_of(app)
    assert (gift.status, gift.refunded_fen) == ("partially_refunded", 20_000)
    assert raised(app, money_need) == 30_000 and refund_kinds(app) == ["refund", "refund_paid"]
    assert app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0


def test_stripe_unreachable_refuses_the_refund_and_books_nothing(app, database_url, stripe_settings, users,
                                                                 paid_gift):
    from portal import create_app
    from portal.accounts.models import User
    from portal.errors import DomainError
    from tests.conftest import make_config

    broken = create_app(make_config(database_url, **{**stripe_settings, "STRIPE_API_BASE": "http://127.0.0.1:9"}))
    with pytest.raises(DomainError), broken.app_context(), db.write_session() as s:
        refunds.refund(s, s.get(User, users["county"].id), paid_gift.id, 10_000, "捐赠人要求")
    assert donations_of(app)[0].refunded_fen == 0 and refund_kinds(app) == []
    with app.app_context(), db.write_session() as s:
        assert s.scalar(select(func.count()).select_from(DonationRefund)) == 0


def test_a_refunded_total_beyond_the_gift_is_an_anomaly(app, client, stripe_client, stripe_settings, paid_gift):
    charge = charge_of(stripe_client, paid_gift.stripe_payment_intent_id)
    event = events.build_event("charge.refunded", {**charge, "amount_refunded": 90_000})
    assert deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json() == {"outcome": "anomaly"}
    assert donations_of(app)[0].refunded_fen == 0 and refund_kinds(app) == []
