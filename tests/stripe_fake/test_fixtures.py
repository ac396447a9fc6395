"""The fixtures hand the portal what it needs to talk to the test bed, in the portal's own config."""

from __future__ import annotations

import flask
import stripe

from portal import create_app
from tests.conftest import make_config

from . import events


def test_portal_app_is_configured_for_the_stand_in(database_url, stripe_settings, stripe_standin):
    app = create_app(make_config(database_url, **stripe_settings))

    assert app.config["STRIPE_API_BASE"] == stripe_standin.base_url
    assert app.config["STRIPE_SECRET_KEY"].startswith("sk_test_")
    assert "STRIPE_PUBLISHABLE_KEY" not in app.config  # Checkout is a redirect: no publishable key
    assert app.config["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    app.extensions["db_engine"].dispose()


def test_signed_event_posted_through_a_flask_test_client_verifies(stripe_settings):
    secret = stripe_settings["STRIPE_WEBHOOK_SECRET"]
    receiver = flask.Flask("receiver")

    @receiver.post("/stripe/webhook")
    def webhook():
        try:
            event = stripe.Webhook.construct_event(
                flask.request.get_data(), flask.request.headers.get("Stripe-Signature"), secret)
        except stripe.SignatureVerificationError:
            return "bad signature", 400
        return event.id

    event = events.build_event("invoice.paid", {"id": "in_test_1", "object": "invoice"})
    body, headers = events.signed_request(event, secret)
    client = receiver.test_client()

    assert client.post("/stripe/webhook", data=body, headers=headers).get_data(as_text=True) == event["id"]
    _, forged = events.signed_request(event, "whsec_forged")
    assert client.post("/stripe/webhook", data=body, headers=forged).status_code == 400
