"""Stripe webhook events as Stripe builds and signs them, from objects that exist in localstripe or
in the Checkout stand-in.

An event is `{"id": "evt_…", "object": "event", "type": …, "created": …, "data": {"object": …},
"api_version": …, "livemode": false, …}`; Stripe signs the exact bytes it posts with the endpoint's
secret: header `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import stripe

# The API version the official library of this project speaks; Stripe renders an endpoint's
# events in the version the endpoint is pinned to.
API_VERSION = stripe.api_version

CHECKOUT_SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


def build_event(event_type: str, obj: dict, *, created: int | None = None) -> dict:
    """One event of `event_type` whose `data.object` is `obj` as the API returned it."""
    if not isinstance(obj, dict) or not str(obj.get("id", "")):
        raise ValueError("an event refers to an object with an id")
    return {
        "id": "evt_test_" + secrets.token_hex(12),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def checkout_session_event(event_type: str, session: dict) -> dict:
    if event_type not in CHECKOUT_SESSION_EVENTS or session.get("object") != "checkout.session":
        raise ValueError(f"{event_type} is not an event of a checkout.session")
    return build_event(event_type, session)


def checkout_session_completed(session: dict) -> dict:
    return checkout_session_event("checkout.session.completed", session)


def checkout_session_async_payment_succeeded(session: dict) -> dict:
    return checkout_session_event("checkout.session.async_payment_succeeded", session)


def checkout_session_async_payment_failed(session: dict) -> dict:
    return checkout_session_event("checkout.session.async_payment_failed", session)


def invoice_paid(invoice: dict) -> dict:
    if invoice.get("object") != "invoice":
        raise ValueError("invoice.paid refers to an invoice")
    return build_event("invoice.paid", invoice)


def charge_refunded(charge: dict) -> dict:
    """`charge.refunded` carries the charge after the refund (its `amount_refunded` updated)."""
    if charge.get("object") != "charge" or not charge.get("amount_refunded"):
        raise ValueError("charge.refunded refers to a charge with a refund")
    return build_event("charge.refunded", charge)


def dispute(charge: dict, *, reason: str = "fraudulent", status: str = "needs_response") -> dict:
    """A dispute object as Stripe documents it, on a charge that exists: localstripe has no
    disputes, so this is the only place one comes from."""
    return {
        "id": "du_test_" + secrets.token_hex(12),
        "object": "dispute",
        "amount": charge["amount"],
        "balance_transactions": [],
        "charge": charge["id"],
        "created": int(time.time()),
        "currency": charge["currency"],
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False,
                             "past_due": False, "submission_count": 0},
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": _id(charge.get("payment_intent")),
        "reason": reason,
        "status": status,
    }


def charge_dispute_created(charge: dict, **dispute_fields) -> dict:
    if charge.get("object") != "charge":
        raise ValueError("charge.dispute.created refers to a charge")
    return build_event("charge.dispute.created", dispute(charge, **dispute_fields))


def payload_bytes(event: dict) -> bytes:
    """The body Stripe posts: the event as JSON (Stripe pretty-prints it; any bytes are signed as
    they are)."""
    return json.dumps(event, indent=2, ensure_ascii=False).encode("utf-8")


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends with `payload`."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{ts}.".encode() + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def signed_request(event: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, dict]:
    """Body and headers of the POST Stripe makes to a webhook endpoint."""
    body = payload_bytes(event)
    return body, {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Stripe-Signature": sign(body, secret, timestamp),
    }


def _id(value):
    return value.get("id") if isinstance(value, dict) else value
