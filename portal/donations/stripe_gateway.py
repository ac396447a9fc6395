"""The one module that talks to Stripe, through the official ``stripe`` library, configured from
``Config`` (``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET``, and ``STRIPE_API_BASE`` only to point
it at a test stand-in). Every request that creates something carries an idempotency key derived
from our own row (a donation, a refund), so a retried request never creates a second one.

Without keys online giving is unavailable (``available``): pages say so, offline gifts still work.
"""

from __future__ import annotations

import stripe
from flask import current_app

# Stripe's own tolerance: a signed event older than this is refused (a replay).
WEBHOOK_TOLERANCE_SECONDS = 300


class GatewayError(RuntimeError):
    """Stripe could not be reached or refused the request; nothing was created on our side."""


def available() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def checkout_origin() -> str:
    """Where Checkout pages are served: Stripe's, or the test stand-in's (``STRIPE_API_BASE``)."""
    from urllib.parse import urlsplit

    base = current_app.config.get("STRIPE_API_BASE")
    if not base:
        return "https://checkout.stripe.com"
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _client() -> stripe.StripeClient:
    config = current_app.config
    if not available():
        raise GatewayError("online giving is not configured")
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses={"api": base} if base else {},
                               max_network_retries=2)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as error:
        raise GatewayError(str(error.user_message or error)) from error


def payment_method_types() -> list[str]:
    return [m.strip() for m in (current_app.config.get("STRIPE_PAYMENT_METHODS") or "card").split(",") if m.strip()]


def create_checkout_session(*, donation_id: int, amount_fen: int, name: str, email: str, success_url: str,
                            cancel_url: str, locale: str, monthly: bool = False, customer: str | None = None):
    """A Checkout Session for one gift (``mode=payment``) or a monthly gift (``mode=subscription``),
    in CNY, keyed on the donation so a retry gives the same session."""
    methods = payment_method_types()
    metadata = {"donation": str(donation_id)}
    price_data = {"currency": "cny", "unit_amount": amount_fen, "product_data": {"name": name[:250]}}
    if monthly:
        price_data["recurring"] = {"interval": "month"}
    params = {
        "mode": "subscription" if monthly else "payment",
        "line_items": [{"quantity": 1, "price_data": price_data}],
        "payment_method_types": methods,
        "metadata": metadata,
        "client_reference_id": f"donation-{donation_id}",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": "zh" if locale == "zh" else "en",
    }
    if "wechat_pay" in methods:
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    if monthly:
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    if customer:
        params["customer"] = customer
    elif email:
        params["customer_email"] = email
    return _call(_client().v1.checkout.sessions.create, params=params,
                 options={"idempotency_key": f"donation-{donation_id}-checkout"})


def retrieve_checkout_session(session_id: str, expand: list[str] | None = None):
    return _call(_client().v1.checkout.sessions.retrieve, session_id, params={"expand": expand} if expand else None)


def retrieve_payment_intent(payment_intent_id: str):
    return _call(_client().v1.payment_intents.retrieve, payment_intent_id)


def refund(*, payment_intent: str, amount_fen: int, refund_id: int):
    """Give ``amount_fen`` back on a gift's payment, keyed on our refund row."""
    return _call(_client().v1.refunds.create, params={"payment_intent": payment_intent, "amount": amount_fen,
                                                      "metadata": {"refund": str(refund_id)}},
                 options={"idempotency_key": f"donation-refund-{refund_id}"})


def cancel_subscription(subscription_id: str):
    return _call(_client().v1.subscriptions.cancel, subscription_id)


def balance_transactions(created_since: int) -> list:
    """Every balance transaction created at or after ``created_since`` (unix time), all pages, each
    with its source in full (the charge or refund: ``expand[]=data.source``), so that matching them
    to gifts asks Stripe nothing more. Stripe lists newest first: paging stops at a page wholly
    older than the date. (The date is filtered here rather than with ``created[gte]``, which the
    test stand-in does not implement.)"""
    client = _client()
    found, params = [], {"limit": 100, "expand": ["data.source"]}
    while True:
        page = _call(client.v1.balance_transactions.list, params=params)
        found.extend(t for t in page.data if t.created >= created_since)
        newest_first = len(page.data) < 2 or page.data[0].created >= page.data[-1].created
        if not page.has_more or not page.data or (newest_first and page.data[0].created < created_since):
            return found
        params = {**params, "starting_after": page.data[-1].id}


def verified_event(payload: bytes, signature: str):
    """The event Stripe signed, or ValueError / stripe.SignatureVerificationError for a body that is
    not JSON, a bad signature, or one older than ``WEBHOOK_TOLERANCE_SECONDS`` (a replay)."""
    return stripe.Webhook.construct_event(payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"],
                                          tolerance=WEBHOOK_TOLERANCE_SECONDS)


def retrieve_charge(charge_id: str):
    return _call(_client().v1.charges.retrieve, charge_id).to_dict()


def retrieve_refund(refund_id: str):
    return _call(_client().v1.refunds.retrieve, refund_id).to_dict()


def retrieve_subscription(subscription_id: str) -> dict:
    return _call(_client().v1.subscriptions.retrieve, subscription_id).to_dict()


def invoice_payment_intent(invoice_id: str) -> str | None:
    """The PaymentIntent that paid an invoice. API versions since 2025-03-31 no longer name it on
    the invoice; its payments (``/v1/invoice_payments``) do."""
    page = _call(_client().v1.invoice_payments.list, params={"invoice": invoice_id, "status": "paid", "limit": 3})
    for item in page.data:
        payment = item.to_dict().get("payment") or {}
        intent = payment.get("payment_intent")
        if payment.get("type") == "payment_intent" and intent:
            return intent if isinstance(intent, str) else intent.get("id")
    return None


def retrieve_invoice(invoice_id: str) -> dict:
    return _call(_client().v1.invoices.retrieve, invoice_id).to_dict()
