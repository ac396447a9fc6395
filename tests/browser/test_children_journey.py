"""Issue 5's journey on a phone: a child director registers a child, assesses it yellow, prints
its QR card, scans it and records a visit; the town's supervisor then sees the child."""

from datetime import date

from playwright.sync_api import expect

from portal.children import idnumber
from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in


def test_child_director_registers_assesses_and_visits_by_qr(live_server, phone, chromium):
    page = phone
    sign_in(page, live_server, "village")
    page.goto(f"{live_server}/children/new")
    born = date(2014, 6, 1)
    page.fill("input[name=name]", "张小明")
    page.check("input[name=gender][value=male]")
    page.fill("input[name=birth_date]", born.isoformat())
    page.fill("input[name=id_number]", idnumber.make("371302", born, 13))
    page.check("input[name=categories][value=left_behind]")
    page.fill("input[name='guardians-0-relation']", "祖母")
    page.fill("input[name='guardians-0-name']", "王秀兰")
    shot(page, "phone-10-register-child")
    page.click("form button.button")
    expect(page.locator("h1")).to_contain_text("张小明")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("a.button:has-text('评估')")
    page.check("input[value=out_of_school]")
    page.check("input[value=low_income]")
    page.click("form button.button")
    expect(page.locator("h1 .risk-yellow")).to_be_visible()
    shot(page, "phone-11-assessed-yellow")

    page.click("a:has-text('二维码卡')")
    expect(page.locator(".qr-card svg")).to_have_count(1)
    shot(page, "phone-12-qr-card")

    # "Scanning" opens the link in the card: the check-in URL of this child.
    from portal import db
    from portal.children.models import Child

    with live_server_app(live_server) as app, app.app_context(), db.new_session() as s:
        qr_token = s.query(Child).filter_by(name="张小明").one().qr_token
    page.goto(f"{live_server}/q/{qr_token}")
    expect(page.locator(".flash-info")).to_contain_text("扫码打卡")
    page.fill("textarea[name=findings]", "孩子在家，状态良好")
    page.click("form button.button")
    expect(page.locator(".timeline").last).to_contain_text("扫码打卡")
    shot(page, "phone-13-visit-recorded")

    supervisor = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(supervisor, live_server, "town")
    supervisor.goto(f"{live_server}/children/")
    expect(supervisor.locator("#results")).to_contain_text("张小明")
    shot(supervisor, "phone-14-supervisor-list")
    supervisor.context.close()


class live_server_app:
    """The app behind the live server, to read what the browser cannot see (the card's token)."""

    def __init__(self, base: str):
        self.base = base

    def __enter__(self):
        from flask import current_app  # noqa: F401

        from portal import create_app
        from tests.conftest import _database_url, make_config

        self.app = create_app(make_config(_database_url(), SERVER_NAME=None))
        return self.app

    def __exit__(self, *exc):
        self.app.extensions["db_engine"].dispose()
