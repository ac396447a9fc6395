"""Webhook events built from real localstripe / stand-in objects and signed as Stripe signs them,
proved with the official library's verification."""

from __future__ import annotations

import json
import re
import time

import pytest
import stripe

from . import events

SECRET = "whsec_events_test_secret"


def _verify(body: bytes, header: str, secret: str = SECRET):
    return stripe.Webhook.construct_event(body, header, secret)


def _paid_charge(client, amount=6000):
    intent = client.v1.payment_intents.create(
        params={"amount": amount, "currency": "cny", "payment_method": "pm_card_visa", "confirm": True})
    return intent, client.v1.charges.retrieve(intent.latest_charge)


def test_signature_has_stripes_shape():
    header = events.sign(b'{"id": "evt_1"}', SECRET, timestamp=1767225600)

    assert re.fullmatch(r"t=1767225600,v1=[0-9a-f]{64}", header)


def test_signed_event_is_accepted_by_the_official_library(stripe_client):
    _, charge = _paid_charge(stripe_client)
    stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 1000})
    refunded = stripe_client.v1.charges.retrieve(charge.id)
    event = events.charge_refunded(refunded.to_dict())

    body, headers = events.signed_request(event, SECRET)
    verified = _verify(body, headers["Stripe-Signature"])

    assert (verified.id, verified.type, verified.livemode) == (event["id"], "charge.refunded", False)
    assert verified.id.startswith("evt_") and verified.object == "event"
    assert verified.api_version == stripe.api_version
    assert (verified.data.object.id, verified.data.object.amount_refunded) == (charge.id, 1000)


def test_tampered_payload_is_refused():
    event = events.build_event("charge.refunded", {"id": "ch_1", "object": "charge", "amount_refunded": 5})
    body, headers = events.signed_request(event, SECRET)
    tampered = body.replace(b'"amount_refunded": 5', b'"amount_refunded": 500')

    with pytest.raises(stripe.SignatureVerificationError):
        _verify(tampered, headers["Stripe-Signature"])


def test_signature_with_another_secret_is_refused():
    event = events.build_event("invoice.paid", {"id": "in_1", "object": "invoice"})
    body, headers = events.signed_request(event, "whsec_someone_else")

    with pytest.raises(stripe.SignatureVerificationError):
        _verify(body, headers["Stripe-Signature"])


def test_replayed_event_older_than_five_minutes_is_refused():
    event = events.build_event("invoice.paid", {"id": "in_1", "object": "invoice"})
    body = events.payload_bytes(event)
    now = int(time.time())

    assert _verify(body, events.sign(body, SECRET, timestamp=now - 299)).id == event["id"]
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        _verify(body, events.sign(body, SECRET, timestamp=now - 301))


def test_events_refer_to_objects_that_exist(stripe_client, stripe_standin):
    intent, charge = _paid_charge(stripe_client, 9000)
    session = stripe_client.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "https://portal.test/ok",
        "line_items": [{"quantity": 1, "price_data": {"currency": "cny", "unit_amount": 2000,
                                                      "product_data": {"name": "捐赠"}}}]})
    completed = stripe_standin.pay(session.id)

    built = [
        events.checkout_session_completed(completed),
        events.checkout_session_async_payment_succeeded(completed),
        events.checkout_session_async_payment_failed(stripe_standin.session(session.id)),
        events.charge_dispute_created(charge.to_dict()),
    ]

    for event in built:
        body, headers = events.signed_request(event, SECRET)
        verified = _verify(body, headers["Stripe-Signature"])
        assert json.loads(body) == event and verified.type == event["type"]
    assert stripe_client.v1.payment_intents.retrieve(completed["payment_intent"]).amount == 2000
    dispute = built[-1]["data"]["object"]
    assert (dispute["object"], dispute["charge"], dispute["amount"], dispute["currency"]) == (
        "dispute", charge.id, 9000, "cny")
    assert dispute["payment_intent"] == intent.id


def test_builders_refuse_objects_of_the_wrong_kind(stripe_client):
    _, charge = _paid_charge(stripe_client)

    with pytest.raises(ValueError):
        events.charge_refunded(charge.to_dict())  # nothing refunded yet
    with pytest.raises(ValueError):
        events.invoice_paid(charge.to_dict())
    with pytest.raises(ValueError):
        events.checkout_session_completed(charge.to_dict())
