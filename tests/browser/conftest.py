"""A live portal on the loopback interface and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from tests.conftest import make_config

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background traffic would only be refused on a closed network: switch it off.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app, users):
    """The portal served by a real HTTP server in a thread, on the suite's database."""
    with serve_portal(app.config["SQLALCHEMY_DATABASE_URI"], SMS_BACKEND="tests.helpers.sms:capture") as base:
        yield base


@contextmanager
def serve_portal(database_url: str, public: bool = False, **settings):
    """Serve a portal made with ``settings`` on a free loopback port; yields its base URL. With
    ``public``, its PUBLIC_URL is that base, for the links it hands to others (Stripe's return URL)."""
    served: dict = {}
    server = make_server("127.0.0.1", 0, lambda environ, start: served["app"](environ, start), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    if public:
        settings["PUBLIC_URL"] = base
    served["app"] = create_app(make_config(database_url, SERVER_NAME=None, **settings))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        served["app"].extensions["db_engine"].dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a journey fails, its report shows where each open page was and what it said: a timeout
    alone ("waiting for navigation") does not tell a refused form from a slow server."""
    outcome = yield
    report = outcome.get_result()
    browser = item.funcargs.get("chromium")
    if report.when != "call" or not report.failed or browser is None:
        return
    lines = []
    for context in browser.contexts:
        for page in context.pages:
            try:
                text = " ".join(page.inner_text("body", timeout=2000).split())
            except Exception as error:  # a closed or crashed page: say so, keep the others
                text = f"(unreadable: {error.__class__.__name__})"
            lines.append(f"{page.url}\n  {text[:1500]}")
    if lines:
        report.sections.append(("open pages", "\n".join(lines)))


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def no_javascript(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.javascript_disabled = True  # axe-core cannot run in it (shot() then skips the check)
    yield page
    context.close()


def shot(page, name: str) -> None:
    """Keep a screenshot of the page in test-artifacts/, then check it with axe-core: every page a
    journey shows has no serious or critical accessibility violation (issue 21)."""
    from tests.browser.axe import assert_accessible

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if not getattr(page, "javascript_disabled", False):
        assert_accessible(page)
