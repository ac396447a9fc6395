"""Issue 24's journey on a phone (390 px): the town supervisor opens the dashboard from the menu,
sees each panel as a chart drawn from its table, and drills down to a village."""

from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in
from tests.dashboards.conftest import lanshan  # noqa: F401  (the hand-built county)


def test_town_supervisor_opens_the_dashboard_and_drills_down_to_a_village(live_server, phone, lanshan):  # noqa: F811
    page = phone
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, "town")
    page.click(".menu summary")
    page.click("nav a:has-text('数据看板')")
    expect(page.locator("h1")).to_contain_text("义堂镇")
    table = page.locator("#children-by-region-table")
    expect(table.locator("tbody th")).to_have_text(["屠苏村村民委员会", "颐顺园村村民委员会"])
    # ECharts (installed from npm, served from static/vendor) drew the table beside it.
    expect(page.locator("[data-chart-for='children-by-region-table'] canvas").first).to_be_visible()
    expect(page.locator("[data-chart-for='children-by-category-table'] canvas").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-60-town-dashboard")

    page.click("#children-by-region-table a:has-text('屠苏村村民委员会')")
    expect(page.locator("h1")).to_contain_text("屠苏村村民委员会")
    registered = page.locator("#children-by-region-table tbody td[data-label='在册']")
    expect(registered).to_have_text(["4"])
    expect(page.locator(".dash-trail")).to_contain_text("义堂镇")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-61-village-dashboard")

    page.click("a:has-text('文字报告')")
    expect(page.locator(".dash-sentences")).to_contain_text("登记在册重点监测儿童4名")
    shot(page, "phone-62-village-report")
    assert errors == []


def test_the_dashboard_tables_stand_without_javascript(live_server, no_javascript, lanshan):  # noqa: F811
    page = no_javascript
    sign_in(page, live_server, "town")
    page.goto(f"{live_server}/dashboards/371302105000")
    expect(page.locator("#children-by-region-table tfoot td[data-label='在册']")).to_have_text("6")
    expect(page.locator("canvas")).to_have_count(0)
    shot(page, "phone-63-town-dashboard-no-js")
