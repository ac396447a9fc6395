"""Pytest fixtures of the Stripe test bed, exposed to every test by tests/conftest.py.

- `localstripe` (session): the localstripe process; fails loudly if it cannot start.
- `stripe_standin` (per test): the stand-in every request goes to, emptied before each test along
  with localstripe's store; `.requests`, `.pay(...)`, `.send_webhooks_to(url)`, `.deliveries`.
- `stripe_settings` (per test): the portal's three STRIPE_* settings, pointing at the stand-in.
- `stripe_client` (per test): the official library's StripeClient on the same settings."""

from __future__ import annotations

import pytest
import stripe

from .localstripe_process import LocalStripe
from .standin import StripeStandIn

SECRET_KEY = "sk_test_tongxin_0123456789abcdef"
# Not a setting of the portal (Checkout is a server-side redirect): only to show the API refuses it.
PUBLISHABLE_KEY = "pk_test_tongxin_0123456789abcdef"
WEBHOOK_SECRET = "whsec_tongxin_test_0123456789abcdef0123456789"


@pytest.fixture(scope="session")
def localstripe():
    process = LocalStripe().start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def _stripe_standin_server(localstripe):
    standin = StripeStandIn(localstripe.base_url, WEBHOOK_SECRET).start()
    yield standin
    standin.stop()


@pytest.fixture
def stripe_standin(localstripe, _stripe_standin_server):
    localstripe.flush()
    _stripe_standin_server.reset()
    return _stripe_standin_server


@pytest.fixture
def stripe_settings(stripe_standin) -> dict:
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe_standin.base_url,
    }


@pytest.fixture
def stripe_client(stripe_settings) -> stripe.StripeClient:
    # No retries: a test sees the first answer, and an error is not hidden behind a second try.
    return stripe.StripeClient(
        stripe_settings["STRIPE_SECRET_KEY"],
        base_addresses={"api": stripe_settings["STRIPE_API_BASE"]},
        max_network_retries=0,
    )
