"""The stripe library's one `api_base` in tests: a small threaded HTTP server on loopback that
answers Checkout Sessions itself (localstripe has none), serves the Checkout pay page, records every
API request it receives, honours idempotency keys on every POST (localstripe ignores them), and
forwards everything else verbatim to localstripe."""

from __future__ import annotations

import copy
import html
import json
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import Headers

from . import events
from .checkout import StripeError, new_session, pay_session, stripe_call
from .forms import decode_form

# Responses Stripe keeps for an idempotency key: results of requests that ran (a declined card
# included); a request refused before running (bad parameters, bad key, unknown object) is not kept.
_IDEMPOTENT_STATUSES = {200, 402}
_HOP_HEADERS = {"host", "connection", "content-length", "accept-encoding", "transfer-encoding",
                "keep-alive"}


@dataclass
class RecordedRequest:
    """One API request as the stand-in received it."""

    method: str
    path: str
    query: dict
    params: dict
    headers: Headers
    status: int | None = None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None


@dataclass
class Delivery:
    """One webhook event posted to the registered endpoint, and the endpoint's answer."""

    event: dict
    status: int | None
    body: bytes = b""
    error: str | None = None


@dataclass
class _Session:
    data: dict
    items: list
    params: dict
    secret_key: str
    deliveries: list = field(default_factory=list)


class StripeStandIn:
    def __init__(self, localstripe_url: str, webhook_secret: str):
        self.localstripe_url = localstripe_url
        self.webhook_secret = webhook_secret
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []
        self.webhook_url: str | None = None
        self._sessions: dict[str, _Session] = {}
        self._idempotent: dict[tuple[str, str], tuple[tuple, int, bytes]] = {}
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- the fixture's controls --------------------------------------------------------------

    def start(self) -> StripeStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.deliveries.clear()
            self.webhook_url = None
            self._sessions.clear()
            self._idempotent.clear()

    def send_webhooks_to(self, url: str) -> None:
        """Paying on the Checkout page then posts signed events to `url` (Stripe's webhook
        endpoint), each once: Stripe's retries are not imitated."""
        self.webhook_url = url

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def session(self, session_id: str) -> dict:
        with self._lock:
            return copy.deepcopy(self._session(session_id).data)

    def pay(self, session_id: str, payment_method: str = "pm_card_visa") -> dict:
        """The customer pays on the Checkout page (without a browser): the PaymentIntent or
        subscription is created and paid in localstripe, the session completes, and the events
        are posted to the registered webhook endpoint. Returns the completed session."""
        with self._lock:
            entry = self._session(session_id)
            pay_session(entry.data, entry.items, entry.params, self.localstripe_url,
                        entry.secret_key, payment_method)
            session = copy.deepcopy(entry.data)
        completed = [events.checkout_session_completed(session)]
        if session["invoice"]:
            invoice = stripe_call(self.localstripe_url, entry.secret_key, "GET",
                                  f"/v1/invoices/{session['invoice']}")
            completed.append(events.invoice_paid(invoice))
        if self.webhook_url:
            for event in completed:
                self.deliver(event)
        return session

    def deliver(self, event: dict, url: str | None = None) -> Delivery:
        """Posts one event, signed with the webhook secret, as Stripe does."""
        body, headers = events.signed_request(event, self.webhook_secret)
        request = urllib.request.Request(url or self.webhook_url, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                delivery = Delivery(event, response.status, response.read())
        except urllib.error.HTTPError as exc:
            delivery = Delivery(event, exc.code, exc.read())
        except OSError as exc:
            delivery = Delivery(event, None, error=str(exc))
        self.deliveries.append(delivery)
        return delivery

    def _session(self, session_id: str) -> _Session:
        try:
            return self._sessions[session_id]
        except KeyError:
            raise StripeError(404, f"No such checkout.session: '{session_id}'",
                              param="session", code="resource_missing") from None

    # -- the API -----------------------------------------------------------------------------

    def handle_api(self, method: str, path: str, query: str, body: bytes, headers: Headers):
        """Returns (status, content type, body bytes, extra headers) for one /v1 request."""
        params = decode_form(body.decode("utf-8")) if method == "POST" else decode_form(query)
        record = RecordedRequest(method, path, dict(parse_qsl(query)), params, headers)
        with self._lock:
            self.requests.append(record)
            key = headers.get("Idempotency-Key") if method == "POST" else None
            api_key = (headers.get("Authorization") or "").removeprefix("Bearer ")
            fingerprint = (path, json.dumps(params, sort_keys=True))
            if key and (api_key, key) in self._idempotent:
                seen, status, payload = self._idempotent[(api_key, key)]
                if seen != fingerprint:
                    status, payload = _error(StripeError(
                        400, "Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Try using a key other than '{key}' "
                        "if you meant to execute a different request.", type="idempotency_error"))
                    record.status = status
                    return status, "application/json", payload, {}
                record.status = status
                return status, "application/json", payload, {"Idempotent-Replayed": "true"}
            status, content_type, payload = self._answer(method, path, query, body, headers, params)
            if key and status in _IDEMPOTENT_STATUSES:
                self._idempotent[(api_key, key)] = (fingerprint, status, payload)
            record.status = status
            return status, content_type, payload, {}

    def _answer(self, method, path, query, body, headers, params):
        if method == "GET" and path.rstrip("/") == "/v1/invoice_payments":
            return self._invoice_payments(params, headers)
        if not path.startswith("/v1/checkout/sessions"):
            return self._forward(method, path, query, body, headers, params)
        auth = headers.get("Authorization", "")
        if not re.fullmatch(r"Bearer (sk|rk)_test_\w+", auth):
            status, payload = _error(StripeError(
                401, "Invalid API Key provided: a secret test key (sk_test_…) is required."))
            return status, "application/json", payload
        try:
            data = self._checkout(method, path, params, auth.removeprefix("Bearer "))
        except StripeError as exc:
            status, payload = _error(exc)
            return status, "application/json", payload
        return 200, "application/json", json.dumps(data).encode()

    def _checkout(self, method: str, path: str, params: dict, secret_key: str) -> dict:
        parts = path.rstrip("/").split("/")[4:]  # after /v1/checkout/sessions
        params = dict(params)  # the recorded request keeps what was sent, expand included
        expand = params.pop("expand", None) or []
        if method == "POST" and not parts:
            data, items = new_session(params, self.base_url)
            self._sessions[data["id"]] = _Session(data, items, params, secret_key)
        elif method == "GET" and len(parts) == 1:
            data = self._session(parts[0]).data
        elif method == "POST" and len(parts) == 2 and parts[1] == "expire":
            data = self._session(parts[0]).data
            if data["status"] != "open":
                raise StripeError(400, "Only Checkout Sessions with a status of open can be expired.")
            data.update(status="expired", url=None)
        else:
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}): the stand-in "
                              "answers create, retrieve and expire only.")
        data = copy.deepcopy(data)
        for name in expand:
            value = data.get(name)
            if isinstance(value, str) and name in {"payment_intent", "customer", "subscription",
                                                   "invoice"}:
                data[name] = _current_shape(stripe_call(self.localstripe_url, secret_key, "GET",
                                                        f"/v1/{name}s/{value}"), set())
        return data

    def _invoice_payments(self, params: dict, headers: Headers):
        """``GET /v1/invoice_payments?invoice=…``, which localstripe lacks: the invoice's payment as
        Stripe's API (2025-03-31 and later) lists it, from the invoice localstripe keeps (whose
        older shape still names its PaymentIntent)."""
        secret_key = (headers.get("Authorization") or "").removeprefix("Bearer ")
        invoice_id = params.get("invoice")
        if not invoice_id:
            status, payload = _error(StripeError(400, "Missing required param: invoice.", param="invoice"))
            return status, "application/json", payload
        try:
            invoice = stripe_call(self.localstripe_url, secret_key, "GET", f"/v1/invoices/{invoice_id}")
        except StripeError as exc:
            status, payload = _error(exc)
            return status, "application/json", payload
        intent = invoice.get("payment_intent")
        intent = intent.get("id") if isinstance(intent, dict) else intent
        paid = invoice.get("status") == "paid" and intent
        items = [{"id": f"inpay_{invoice_id}", "object": "invoice_payment", "invoice": invoice_id,
                  "amount_paid": invoice.get("amount_paid"), "currency": invoice.get("currency"),
                  "is_default": True, "livemode": False, "status": "paid",
                  "payment": {"type": "payment_intent", "payment_intent": intent}}] if paid else []
        if params.get("status") not in (None, "paid"):
            items = []
        data = {"object": "list", "url": "/v1/invoice_payments", "has_more": False, "data": items}
        return 200, "application/json", json.dumps(data).encode()

    def _forward(self, method, path, query, body, headers, params):
        url = self.localstripe_url + path + (f"?{query}" if query else "")
        forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}
        request = urllib.request.Request(url, data=body if method != "GET" else None,
                                         headers=forwarded, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
                content_type = response.headers.get("Content-Type") or ""
                if content_type.startswith("application/json"):
                    payload = _as_current_api(payload, params.get("expand") or [])
                return response.status, content_type, payload
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            if not exc.headers.get("Content-Type", "").startswith("application/json"):
                # localstripe answers routes it lacks with plain text; Stripe answers JSON.
                status, payload = _error(StripeError(exc.code, f"Unrecognized request URL ({method}: "
                                                     f"{path}): localstripe does not implement it."))
                return status, "application/json", payload
            return exc.code, "application/json", payload

    # -- the Checkout page -------------------------------------------------------------------

    def pay_page(self, session_id: str) -> str:
        session = self.session(session_id)
        amount = session["amount_total"]
        values = {
            "id": session_id,
            "amount": f"{amount // 100}.{amount % 100:02d}",
            "currency": session["currency"].upper(),
            "methods": ", ".join(session["payment_method_types"]),
            "status": session["status"],
        }
        values = {k: html.escape(str(v)) for k, v in values.items()}
        return _PAGE.format(**values)

    def submit_page(self, session_id: str, form: dict) -> tuple[int, dict, str]:
        """The pay page's form: (status, headers, html)."""
        session = self.session(session_id)
        if form.get("action") == "cancel":
            return 303, {"Location": session["cancel_url"] or "/"}, ""
        try:
            session = self.pay(session_id, form.get("payment_method") or "pm_card_visa")
        except StripeError as exc:
            message = html.escape(exc.body["error"].get("message", "Payment failed"))
            return 402, {}, self.pay_page(session_id).replace(
                "<!--error-->", f'<p id="error" role="alert">{message}</p>')
        success = (session["success_url"] or "/").replace("{CHECKOUT_SESSION_ID}", session_id)
        return 303, {"Location": success}, ""


def _as_current_api(payload: bytes, expand: list) -> bytes:
    """localstripe answers in the shape of API version 2017-08-15; the library speaks a current
    version, where a PaymentIntent's `latest_charge` is an id unless expanded and the old embedded
    lists (`charges` of an intent, `refunds` of a charge) are gone unless expanded. Left as
    localstripe sends them, tests would pass with code that breaks on real Stripe."""
    data = json.loads(payload)
    expanded = {e.removeprefix("data.") for e in expand if isinstance(e, str)}
    for obj in data.get("data", []) if data.get("object") == "list" else [data]:
        _current_shape(obj, expanded)
    return json.dumps(data).encode()


def _current_shape(obj, expanded: set) -> dict:
    if isinstance(obj, dict) and obj.get("object") == "payment_intent":
        if isinstance(obj.get("latest_charge"), dict) and "latest_charge" not in expanded:
            obj["latest_charge"] = obj["latest_charge"]["id"]
        obj.pop("charges", None)
    elif isinstance(obj, dict) and obj.get("object") == "charge" and "refunds" not in expanded:
        obj.pop("refunds", None)
    return obj


def _error(exc: StripeError) -> tuple[int, bytes]:
    return exc.status, json.dumps(exc.body).encode()


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout (test stand-in)</title></head>
<body>
<h1>Test checkout</h1>
<p>Session <code>{id}</code> ({status}): <strong id="amount">{currency} {amount}</strong></p>
<p>Payment methods offered: {methods}. This stand-in always pays with a test card.</p>
<!--error-->
<form method="post">
  <input type="hidden" name="payment_method" value="pm_card_visa">
  <button type="submit" name="action" value="pay" id="pay">Pay</button>
  <button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>
</body></html>
"""


def _handler_for(standin: StripeStandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment: a keep-alive client otherwise waits ~40 ms on
        # every request for a delayed ACK.
        disable_nagle_algorithm = True
        wbufsize = -1

        def log_message(self, format, *args):  # quiet: pytest shows failures, not access logs
            pass

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, content_type: str | None, payload: bytes, extra: dict):
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _dispatch(self, method: str):
            url = urlsplit(self.path)
            body = self._body()
            page = re.fullmatch(r"/checkout/pay/(cs_test_\w+)", url.path)
            if page:
                return self._page(method, page.group(1), body)
            headers = Headers(list(self.headers.items()))
            status, content_type, payload, extra = standin.handle_api(
                method, url.path, url.query, body, headers)
            self._send(status, content_type, payload, extra)

        def _page(self, method: str, session_id: str, body: bytes):
            try:
                if method == "GET":
                    status, extra, text = 200, {}, standin.pay_page(session_id)
                else:
                    form = dict(parse_qsl(body.decode("utf-8")))
                    status, extra, text = standin.submit_page(session_id, form)
            except StripeError as exc:
                status, extra, text = exc.status, {}, html.escape(str(exc))
            self._send(status, "text/html; charset=utf-8", text.encode(), extra)

        def do_GET(self):
            self._dispatch("GET")

        def do_POST(self):
            self._dispatch("POST")

        def do_DELETE(self):
            self._dispatch("DELETE")

    return Handler
