"""The Checkout Session stand-in: what it records of the library's requests, how it answers as
Stripe documents, and the pay page that completes a session and posts a signed event."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit

import pytest
import stripe

DONATION = {
    "mode": "payment",
    "line_items": [{"quantity": 1, "price_data": {
        "currency": "cny", "unit_amount": 5000, "product_data": {"name": "捐赠：助学金"}}}],
    "payment_method_types": ["card", "alipay", "wechat_pay"],
    "payment_method_options": {"wechat_pay": {"client": "web"}},
    "metadata": {"donation": "17", "fund": "3"},
    "payment_intent_data": {"metadata": {"donation": "17"}},
    "client_reference_id": "donation-17",
    "success_url": "https://portal.test/donate/thanks?session={CHECKOUT_SESSION_ID}",
    "cancel_url": "https://portal.test/donate/cancelled",
}


def _create(client, params=DONATION, key="donation-17-checkout"):
    return client.v1.checkout.sessions.create(params=params, options={"idempotency_key": key})


def test_session_creation_records_what_the_library_sent(stripe_client, stripe_standin, stripe_settings):
    _create(stripe_client)

    [sent] = stripe_standin.requests_to("POST", "/v1/checkout/sessions")
    line = sent.params["line_items"][0]
    assert line["price_data"]["unit_amount"] == "5000"
    assert (line["price_data"]["currency"], line["quantity"]) == ("cny", "1")
    assert sent.params["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert sent.params["metadata"] == {"donation": "17", "fund": "3"}
    assert sent.params["payment_intent_data"] == {"metadata": {"donation": "17"}}
    assert sent.idempotency_key == "donation-17-checkout"
    assert sent.headers["Authorization"] == f"Bearer {stripe_settings['STRIPE_SECRET_KEY']}"
    assert sent.api_key == stripe_settings["STRIPE_SECRET_KEY"]


def test_session_answers_as_stripe_documents_it(stripe_client, stripe_standin):
    session = _create(stripe_client)

    assert session.object == "checkout.session"
    assert session.id.startswith("cs_test_")
    assert session.url == f"{stripe_standin.base_url}/checkout/pay/{session.id}"
    assert (session.mode, session.status, session.payment_status) == ("payment", "open", "unpaid")
    assert (session.amount_total, session.currency) == (5000, "cny")
    assert session.payment_method_types == ["card", "alipay", "wechat_pay"]
    assert (session.client_reference_id, session.metadata["fund"]) == ("donation-17", "3")
    assert session.success_url == DONATION["success_url"]
    assert session.cancel_url == DONATION["cancel_url"]
    # Since API version 2022-08-01 the PaymentIntent is created when the customer pays.
    assert session.payment_intent is None and session.customer is None
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).to_dict() == session.to_dict()


def test_same_idempotency_key_gives_one_session(stripe_client, stripe_standin):
    first = _create(stripe_client, key="donation-18")
    second = _create(stripe_client, key="donation-18")
    other = _create(stripe_client, key="donation-19")

    assert second.id == first.id
    assert other.id != first.id
    assert len(stripe_standin.requests_to("POST", "/v1/checkout/sessions")) == 3


def test_reused_key_with_another_amount_is_refused(stripe_client):
    _create(stripe_client, key="donation-20")
    changed = {**DONATION, "line_items": [{**DONATION["line_items"][0], "quantity": 2}]}

    with pytest.raises(stripe.IdempotencyError):
        _create(stripe_client, params=changed, key="donation-20")


@pytest.mark.parametrize("change, param", [
    ({"line_items": None}, "line_items"),
    ({"mode": "setup"}, "mode"),
    ({"payment_method_options": None}, "payment_method_options[wechat_pay][client]"),
    ({"payment_method_types": ["card", "paypal"]}, "payment_method_types"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "cny", "unit_amount": 100,
                      "product_data": {"name": "x"}, "recurring": {"interval": "month"}}}]},
     "line_items[0][price_data][recurring]"),
    ({"line_items": [{"quantity": 1, "price_data": {"currency": "cny", "unit_amount": "5O00",
                      "product_data": {"name": "x"}}}]}, "line_items[0][price_data][unit_amount]"),
])
def test_invalid_session_request_is_refused_like_stripe(stripe_client, change, param):
    params = {k: v for k, v in {**DONATION, **change}.items() if v is not None}

    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.checkout.sessions.create(params=params)

    assert (refused.value.http_status, refused.value.param) == (400, param)


def test_unknown_session_is_not_found(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.checkout.sessions.retrieve("cs_test_nosuchsession")

    assert missing.value.http_status == 404


def test_expired_session_can_no_longer_be_paid(stripe_client, stripe_standin):
    session = _create(stripe_client)

    expired = stripe_client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.url) == ("expired", None)
    status, _, _ = _post(f"{stripe_standin.base_url}/checkout/pay/{session.id}", {"action": "pay"})
    assert status == 402
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).payment_status == "unpaid"


def test_paying_creates_the_payment_intent_in_localstripe(stripe_client, stripe_standin):
    session = _create(stripe_client)

    stripe_standin.pay(session.id)

    paid = stripe_client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (paid.status, paid.payment_status, paid.url) == ("complete", "paid", None)
    intent = paid.payment_intent
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 5000, "cny")
    assert intent.metadata.to_dict() == {"donation": "17"}
    assert stripe_client.v1.charges.retrieve(intent.latest_charge).amount == 5000
    [read] = stripe_standin.requests_to("GET", f"/v1/checkout/sessions/{session.id}")
    assert read.params == {"expand": ["payment_intent"]}


@pytest.fixture
def webhook_receiver():
    """A tiny endpoint that keeps what Stripe would post to the portal."""
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook", received
    server.shutdown()
    server.server_close()


def _get(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path)
    response = conn.getresponse()
    return response.status, response.read().decode()


def _post(url: str, form: dict) -> tuple[int, dict, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("POST", parts.path, body=urlencode(form),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def test_pay_page_pays_posts_a_signed_event_and_returns_to_the_portal(
        stripe_client, stripe_standin, stripe_settings, webhook_receiver):
    url, received = webhook_receiver
    stripe_standin.send_webhooks_to(url)
    session = _create(stripe_client)

    status, page = _get(session.url)
    assert status == 200
    assert 'id="pay"' in page and 'id="cancel"' in page and "CNY 50.00" in page

    status, headers, _ = _post(session.url, {"action": "pay", "payment_method": "pm_card_visa"})

    assert status == 303
    assert headers["Location"] == f"https://portal.test/donate/thanks?session={session.id}"
    [(body, signature)] = received
    event = stripe.Webhook.construct_event(body, signature, stripe_settings["STRIPE_WEBHOOK_SECRET"])
    assert event.type == "checkout.session.completed"
    completed = event.data.object
    assert (completed.id, completed.payment_status, completed.amount_total) == (session.id, "paid", 5000)
    intent = stripe_client.v1.payment_intents.retrieve(completed.payment_intent)
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 5000, "cny")
    assert [d.status for d in stripe_standin.deliveries] == [200]


def test_cancel_returns_to_the_cancel_url_and_leaves_the_session_open(stripe_client, webhook_receiver,
                                                                      stripe_standin):
    url, received = webhook_receiver
    stripe_standin.send_webhooks_to(url)
    session = _create(stripe_client)

    status, headers, _ = _post(session.url, {"action": "cancel"})

    assert (status, headers["Location"]) == (303, "https://portal.test/donate/cancelled")
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert received == []


def test_declined_card_keeps_the_customer_on_the_pay_page(stripe_client, stripe_standin, webhook_receiver):
    url, received = webhook_receiver
    stripe_standin.send_webhooks_to(url)
    session = _create(stripe_client)

    status, _, page = _post(session.url, {"action": "pay", "payment_method": "pm_card_chargeCustomerFail"})

    assert status == 402
    assert 'id="error"' in page and "declined" in page
    after = stripe_client.v1.checkout.sessions.retrieve(session.id)
    assert (after.status, after.payment_status) == ("open", "unpaid")
    assert received == []


def test_monthly_giving_checkout_starts_a_subscription_with_a_paid_invoice(
        stripe_client, stripe_standin, stripe_settings, webhook_receiver):
    url, received = webhook_receiver
    stripe_standin.send_webhooks_to(url)
    session = _create(stripe_client, key="monthly-4", params={
        "mode": "subscription",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": "cny", "unit_amount": 3000, "recurring": {"interval": "month"},
            "product_data": {"name": "每月助学"}}}],
        "customer_email": "monthly@example.org",
        "subscription_data": {"metadata": {"pledge": "4"}},
        "success_url": "https://portal.test/donate/thanks",
    })

    stripe_standin.pay(session.id)

    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    events = [stripe.Webhook.construct_event(body, sig, secret) for body, sig in received]
    assert [e.type for e in events] == ["checkout.session.completed", "invoice.paid"]
    completed, invoice = events[0].data.object, events[1].data.object
    subscription = stripe_client.v1.subscriptions.retrieve(completed.subscription)
    assert (subscription.status, subscription.metadata["pledge"]) == ("active", "4")
    assert (invoice.id, invoice.status, invoice.amount_paid, invoice.currency) == (
        completed.invoice, "paid", 3000, "cny")
    assert stripe_client.v1.customers.retrieve(completed.customer).email == "monthly@example.org"
