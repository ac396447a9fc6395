"""The Stripe webhook: signature and age checked, each event applied once in any order and any
number of times, and anything that does not match the gift recorded as an anomaly, ledger unchanged."""

import random
import re
import time

import pytest
from sqlalchemy import func, select

from portal import db
from portal.donations.models import DonationAnomaly, StripeEvent
from portal.ledger.models import LedgerTransaction
from portal.needs.models import Need
from tests.conftest import post
from tests.donations.conftest import donations_of
from tests.stripe_fake import events


@pytest.fixture
def app(stripe_app):
    return stripe_app


GUEST = {"name": "王捐赠", "email": "wang@example.org"}


def give(client, target: str, amount: str = "500") -> str:
    """A guest gives through the form; returns the Checkout Session's id."""
    response = post(client, f"/donate?{target}", {"amount": amount, **GUEST})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location.rsplit("/", 1)[-1]


def deliver(client, event: dict, secret: str, timestamp: int | None = None):
    body, headers = events.signed_request(event, secret, timestamp)
    return client.post("/stripe/webhook", data=body, headers=headers)


def counts(app) -> tuple[int, int, int]:
    with app.app_context(), db.write_session() as s:
        return (s.scalar(select(func.count()).select_from(LedgerTransaction)),
                s.scalar(select(func.count()).select_from(StripeEvent)),
                s.scalar(select(func.count()).select_from(DonationAnomaly)))


def raised(app, need_id: int) -> int:
    with app.app_context(), db.write_session() as s:
        return s.get(Need, need_id).raised_fen


def test_a_donor_gives_500_yuan_and_the_signed_event_books_it(app, client, stripe_settings, stripe_standin,
                                                               money_need):
    session_id = give(client, f"need={money_need}")
    paid = stripe_standin.pay(session_id)
    assert client.get(f"/donate/thanks?session={session_id}").status_code == 200  # "confirming"
    response = deliver(client, events.checkout_session_completed(paid), stripe_settings["STRIPE_WEBHOOK_SECRET"])
    assert response.status_code == 200 and response.get_json() == {"outcome": "applied"}
    [gift] = donations_of(app)
    assert gift.status == "paid" and gift.stripe_payment_intent_id == paid["payment_intent"]
    assert raised(app, money_need) == 50_000
    assert "500.00" in client.get(f"/needs/{money_need}/money").get_data(as_text=True)
    thanks = client.get(f"/donate/thanks?session={session_id}").get_data(as_text=True)
    link = re.search(r'href="([^"]*receipt\.pdf[^"]*)"', thanks).group(1).replace("&amp;", "&")
    receipt = client.get(link)
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0


def test_the_same_event_100_times_is_one_ledger_transaction(app, client, stripe_settings, stripe_standin, money_need):
    event = events.checkout_session_completed(stripe_standin.pay(give(client, f"need={money_need}")))
    outcomes = [deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json()["outcome"]
                for _ in range(100)]
    assert outcomes == ["applied"] + ["duplicate"] * 99
    assert counts(app) == (1, 1, 0) and raised(app, money_need) == 50_000


def test_a_shuffled_batch_of_events_books_each_gift_once(app, client, stripe_settings, stripe_standin, money_need):
    sessions = [give(client, target, amount) for target, amount in
                [(f"need={money_need}", "100"), ("fund=general", "50"), ("fund=scholarship", "300"),
                 (f"need={money_need}", "20")]]
    batch = []
    for session_id in sessions:
        paid = stripe_standin.pay(session_id)
        completed = events.checkout_session_completed(paid)
        # Stripe may send the same event again, and a second event saying the same (async succeeded).
        batch += [completed, completed, events.checkout_session_async_payment_succeeded(paid)]
    batch.append(events.build_event("customer.created", {"id": "cus_1", "object": "customer"}))
    random.Random(19).shuffle(batch)
    for event in batch:
        assert deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).status_code == 200
    gifts = donations_of(app)
    assert [g.status for g in gifts] == ["paid"] * 4
    assert counts(app)[0] == 4 and raised(app, money_need) == 12_000
    assert app.test_cli_runner().invoke(args=["ledger-check"]).exit_code == 0


def test_a_bad_signature_is_refused_and_changes_nothing(app, client, stripe_standin, money_need):
    event = events.checkout_session_completed(stripe_standin.pay(give(client, f"need={money_need}")))
    assert deliver(client, event, "whsec_someone_else").status_code == 400
    assert client.post("/stripe/webhook", data=events.payload_bytes(event),
                       headers={"Content-Type": "application/json"}).status_code == 400
    assert counts(app) == (0, 0, 0) and donations_of(app)[0].status == "pending"


def test_an_event_signed_more_than_300_seconds_ago_is_refused(app, client, stripe_settings, stripe_standin,
                                                               money_need):
    event = events.checkout_session_completed(stripe_standin.pay(give(client, f"need={money_need}")))
    stale = deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"], timestamp=int(time.time()) - 301)
    assert stale.status_code == 400 and counts(app) == (0, 0, 0)


def test_a_changed_body_under_a_valid_signature_is_refused(app, client, stripe_settings, stripe_standin, money_need):
    event = events.checkout_session_completed(stripe_standin.pay(give(client, f"need={money_need}")))
    body, headers = events.signed_request(event, stripe_settings["STRIPE_WEBHOOK_SECRET"])
    assert client.post("/stripe/webhook", data=body.replace(b"50000", b"90000"), headers=headers).status_code == 400
    assert counts(app) == (0, 0, 0)


def test_an_unknown_event_type_is_stored_and_changes_nothing(app, client, stripe_settings):
    event = events.build_event("payout.paid", {"id": "po_1", "object": "payout"})
    response = deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"])
    assert response.status_code == 200 and response.get_json() == {"outcome": "ignored"}
    assert counts(app) == (0, 1, 0)


@pytest.mark.parametrize(("field", "value", "kind"), [("amount_total", 5_000, "amount_mismatch"),
                                                      ("currency", "usd", "currency_mismatch")])
def test_a_mismatched_amount_or_currency_is_an_anomaly_and_the_ledger_is_unchanged(
        app, client, stripe_settings, stripe_standin, money_need, field, value, kind):
    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    response = deliver(client, events.checkout_session_completed({**paid, field: value}),
                       stripe_settings["STRIPE_WEBHOOK_SECRET"])
    assert response.get_json() == {"outcome": "anomaly"}
    assert counts(app) == (0, 1, 1) and donations_of(app)[0].status == "pending" and raised(app, money_need) == 0
    with app.app_context(), db.write_session() as s:
        assert s.scalar(select(DonationAnomaly.kind)) == kind


def test_an_event_for_a_gift_we_do_not_know_is_an_anomaly(app, client, stripe_settings, stripe_standin):
    paid = stripe_standin.pay(give(client, "fund=general"))
    stranger = {**paid, "id": "cs_test_unknown", "metadata": {"donation": "999"}}
    assert deliver(client, events.checkout_session_completed(stranger),
                   stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json() == {"outcome": "anomaly"}
    assert counts(app) == (0, 1, 1)


def test_another_sessions_event_naming_our_gift_in_metadata_does_not_book_it(app, client, stripe_settings,
                                                                            stripe_standin):
    paid = stripe_standin.pay(give(client, "fund=general"))
    forged = {**paid, "id": "cs_test_other"}  # metadata still names our gift
    assert deliver(client, events.checkout_session_completed(forged),
                   stripe_settings["STRIPE_WEBHOOK_SECRET"]).get_json() == {"outcome": "anomaly"}
    assert donations_of(app)[0].status == "pending"


def test_an_unpaid_completed_session_waits_and_async_failure_marks_it_failed(app, client, stripe_settings,
                                                                            stripe_standin):
    paid = stripe_standin.pay(give(client, "fund=general"))
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    waiting = {**paid, "payment_status": "unpaid"}
    assert deliver(client, events.checkout_session_completed(waiting), secret).get_json() == {
        "outcome": "awaiting_payment"}
    assert donations_of(app)[0].status == "pending"
    deliver(client, events.checkout_session_async_payment_failed(waiting), secret)
    assert donations_of(app)[0].status == "failed" and counts(app)[0] == 0


def test_async_success_after_a_waiting_completion_books_it_once(app, client, stripe_settings, stripe_standin):
    paid = stripe_standin.pay(give(client, "fund=general"))
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    deliver(client, events.checkout_session_completed({**paid, "payment_status": "unpaid"}), secret)
    deliver(client, events.checkout_session_async_payment_succeeded(paid), secret)
    assert donations_of(app)[0].status == "paid" and counts(app)[0] == 1


def test_without_keys_the_webhook_refuses_everything(database_url, stripe_settings):
    from portal import create_app
    from tests.conftest import make_config

    bare = create_app(make_config(database_url)).test_client()
    event = events.build_event("payout.paid", {"id": "po_1", "object": "payout"})
    assert deliver(bare, event, stripe_settings["STRIPE_WEBHOOK_SECRET"]).status_code == 404


def test_staff_over_the_need_see_the_anomaly_and_other_regions_do_not(app, client, stripe_settings,
                                                                      stripe_standin, money_need):
    from tests.conftest import login

    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    deliver(client, events.checkout_session_completed({**paid, "amount_total": 5_000}),
            stripe_settings["STRIPE_WEBHOOK_SECRET"])
    county, county2, donor = app.test_client(), app.test_client(), app.test_client()
    for browser, name in ((county, "county"), (county2, "county2"), (donor, "donor")):
        login(browser, name)
    assert "金额与捐赠不符" in county.get("/donations/anomalies").get_data(as_text=True)
    assert "金额与捐赠不符" in county.get(f"/donations/{donations_of(app)[0].id}").get_data(as_text=True)
    assert "金额与捐赠不符" not in county2.get("/donations/anomalies").get_data(as_text=True)
    assert donor.get("/donations/anomalies").status_code in (403, 404)


def test_a_guest_is_mailed_the_signed_receipt_link_once_the_gift_is_booked(app, client, stripe_settings,
                                                                          stripe_standin, money_need, caplog):
    import email

    paid = stripe_standin.pay(give(client, f"need={money_need}"))
    event = events.checkout_session_completed(paid)
    for _ in range(2):
        deliver(client, event, stripe_settings["STRIPE_WEBHOOK_SECRET"])
    mails = [email.message_from_string(str(r.args[1]), policy=email.policy.default) for r in caplog.records
             if "mail to" in r.msg and r.args and r.args[0] == "wang@example.org"]
    assert len(mails) == 1
    link = re.search(r"https://portal\.test(/donations/\d+/receipt\.pdf\?token=\S+)", mails[0].get_content()).group(1)
    stranger = app.test_client()
    assert stranger.get(link).status_code == 200 and stranger.get(link).mimetype == "application/pdf"
