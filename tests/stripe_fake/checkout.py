"""Checkout Sessions as Stripe documents them, for the API that localstripe lacks.

A session is created `open` and `unpaid` with a `url`; as in Stripe since API version 2022-08-01,
its PaymentIntent is created only when the customer pays (`payment_intent` is null until then).
Paying creates and confirms that PaymentIntent in localstripe (mode=payment) or a customer, product,
plan and subscription there (mode=subscription), then the session is `complete` and `paid`."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request

PAYMENT_METHOD_TYPES = {"card", "alipay", "wechat_pay"}
MODES = {"payment", "subscription"}
SESSION_LIFETIME = 24 * 3600  # Stripe's default expires_at


class StripeError(Exception):
    """An error answered as Stripe answers it: HTTP status and `{"error": {...}}`."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {k: v for k, v in {
            "type": type, "message": message, "param": param, "code": code}.items() if v}}


def stripe_call(base_url: str, secret_key: str, method: str, path: str, params: dict | None = None):
    """One request to localstripe, form-encoded like the official library."""
    data = encode_form(params or {}).encode() if method == "POST" else None
    request = urllib.request.Request(
        base_url + path, data=data, method=method,
        headers={"Authorization": f"Bearer {secret_key}",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"error": {"type": "api_error", "message": raw.decode(errors="replace")}}
        error = StripeError(exc.code, body.get("error", {}).get("message", "error"))
        error.body = body
        raise error from None


def encode_form(params: dict, prefix: str = "") -> str:
    from urllib.parse import quote

    pairs = []
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for key, value in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, (dict, list)):
            nested = encode_form(value, name)
            if nested:
                pairs.append(nested)
        elif value is not None:
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append(f"{quote(name, safe='[]')}={quote(str(value), safe='')}")
    return "&".join(pairs)


def _int(value, param: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise StripeError(400, f"Invalid integer: {value}", param=param) from None
    if number < 0:
        raise StripeError(400, "This value must be greater than or equal to 0.", param=param)
    return number


def _require(params: dict, name: str, prefix: str = ""):
    if params.get(name) in (None, "", {}, []):
        raise StripeError(400, f"Missing required param: {prefix}{name}.", param=prefix + name)
    return params[name]


def new_session(params: dict, base_url: str) -> dict:
    """Validates a create request as Stripe does and returns the session it answers, plus the line
    items (kept apart: Stripe returns them only through /line_items)."""
    mode = _require(params, "mode")
    if mode not in MODES:
        raise StripeError(400, f"Invalid mode: must be one of {', '.join(sorted(MODES))}"
                          " (the stand-in does not implement setup mode).", param="mode")
    line_items = _require(params, "line_items")
    if not isinstance(line_items, list):
        raise StripeError(400, "Invalid array", param="line_items")
    items, currencies, total = [], set(), 0
    for i, item in enumerate(line_items):
        prefix = f"line_items[{i}]"
        if "price" in item:
            raise StripeError(400, "The stand-in has no Prices: use line_items[][price_data].",
                              param=prefix + "[price]")
        price = _require(item, "price_data", prefix)
        currency = str(_require(price, "currency", prefix + "[price_data]")).lower()
        unit_amount = _int(_require(price, "unit_amount", prefix + "[price_data]"),
                           prefix + "[price_data][unit_amount]")
        if not price.get("product") and not (price.get("product_data") or {}).get("name"):
            raise StripeError(400, f"Missing required param: {prefix}[price_data][product_data][name].",
                              param=prefix + "[price_data][product_data][name]")
        quantity = _int(_require(item, "quantity", prefix), prefix + "[quantity]")
        recurring = price.get("recurring")
        if mode == "payment" and recurring:
            raise StripeError(400, "You specified `payment` mode but passed a recurring price. Either "
                              "switch to `subscription` mode or use only one-time prices.",
                              param=prefix + "[price_data][recurring]")
        if mode == "subscription" and not recurring:
            raise StripeError(400, "You must provide at least one recurring price in `subscription` "
                              "mode when using prices.", param=prefix + "[price_data][recurring]")
        currencies.add(currency)
        total += unit_amount * quantity
        items.append({"currency": currency, "unit_amount": unit_amount, "quantity": quantity,
                      "name": (price.get("product_data") or {}).get("name", ""),
                      "recurring": recurring})
    if len(currencies) > 1:
        raise StripeError(400, "All line items must share the same currency.", param="line_items")
    methods = params.get("payment_method_types") or ["card"]
    for method in methods:
        if method not in PAYMENT_METHOD_TYPES:
            raise StripeError(400, f"Invalid payment_method_types: {method} is not supported by the "
                              "stand-in.", param="payment_method_types")
    if "wechat_pay" in methods and not (
            (params.get("payment_method_options") or {}).get("wechat_pay") or {}).get("client"):
        raise StripeError(400, "Missing required param: payment_method_options[wechat_pay][client].",
                          param="payment_method_options[wechat_pay][client]")
    session_id = "cs_test_" + secrets.token_urlsafe(42).replace("-", "a").replace("_", "b")
    now = int(time.time())
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": total,
        "amount_total": total,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": now,
        "currency": currencies.pop(),
        "customer": params.get("customer"),
        "customer_email": params.get("customer_email"),
        "expires_at": now + SESSION_LIFETIME,
        "invoice": None,
        "livemode": False,
        "locale": params.get("locale"),
        "metadata": params.get("metadata") or {},
        "mode": mode,
        "payment_intent": None,
        "payment_method_options": params.get("payment_method_options") or {},
        "payment_method_types": methods,
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": params.get("submit_type"),
        "subscription": None,
        "success_url": params.get("success_url"),
        "ui_mode": "hosted",
        "url": f"{base_url}/checkout/pay/{session_id}",
    }
    return session, items


def pay_session(session: dict, items: list, params: dict, localstripe_url: str, secret_key: str,
                payment_method: str) -> None:
    """What Stripe does when the customer pays on the Checkout page; raises StripeError (402 for a
    declined card) and leaves the session open when the payment fails."""
    if session["status"] != "open":
        raise StripeError(400, f"This Checkout Session is {session['status']}.")
    call = lambda method, path, p=None: stripe_call(localstripe_url, secret_key, method, path, p)  # noqa: E731
    if session["mode"] == "payment":
        intent_data = params.get("payment_intent_data") or {}
        intent = call("POST", "/v1/payment_intents", {
            "amount": session["amount_total"],
            "currency": session["currency"],
            "customer": session["customer"],
            "metadata": intent_data.get("metadata") or {},
            "payment_method": payment_method,
            "confirm": True,
        })
        session["payment_intent"] = intent["id"]
    else:
        customer = session["customer"]
        if not customer:
            customer = call("POST", "/v1/customers", {
                "email": session["customer_email"], "payment_method": payment_method,
                "invoice_settings": {"default_payment_method": payment_method}})["id"]
        else:
            attached = call("POST", f"/v1/payment_methods/{payment_method}/attach",
                            {"customer": customer})
            call("POST", f"/v1/customers/{customer}",
                 {"invoice_settings": {"default_payment_method": attached["id"]}})
        subscription_items = []
        for item in items:
            product = call("POST", "/v1/products", {"name": item["name"] or "item"})
            plan = call("POST", "/v1/plans", {
                "amount": item["unit_amount"], "currency": item["currency"], "product": product["id"],
                "interval": item["recurring"].get("interval", "month"),
                "interval_count": item["recurring"].get("interval_count", 1)})
            subscription_items.append({"plan": plan["id"], "quantity": item["quantity"]})
        subscription = call("POST", "/v1/subscriptions", {
            "customer": customer, "items": subscription_items,
            "metadata": (params.get("subscription_data") or {}).get("metadata") or {}})
        if subscription["status"] != "active":
            raise StripeError(402, "Your card was declined.", type="card_error", code="card_declined")
        session["customer"] = customer
        session["subscription"] = subscription["id"]
        session["invoice"] = subscription.get("latest_invoice")
    session["status"] = "complete"
    session["payment_status"] = "paid"
    session["url"] = None
