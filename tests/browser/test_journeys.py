"""Journeys in a real browser: phone width in Chinese, htmx swaps on a desktop, and the same
actions with JavaScript switched off (full-page fallback)."""

from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.conftest import PASSWORD


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.button")
    page.wait_for_url(f"{base}/")


def test_child_director_signs_in_on_a_phone_in_chinese_and_switches_to_english(live_server, phone):
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(phone, live_server, "village")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.locator("h1")).to_contain_text("欢迎")
    # nothing is wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("summary")
    expect(phone.get_by_role("navigation", name="主导航").get_by_role("link", name="行政区划")).to_be_visible()
    shot(phone, "phone-01-home-menu-zh")
    phone.click("button[value=en]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("h1")).to_contain_text("Welcome")
    shot(phone, "phone-02-home-en")
    assert errors == []


def test_county_browses_regions_with_htmx_swaps(live_server, desktop):
    sign_in(desktop, live_server, "county")
    desktop.goto(f"{live_server}/regions/")
    expect(desktop.locator("#tree")).to_contain_text("义堂镇")
    desktop.click("#tree >> text=义堂镇")
    expect(desktop.locator("#tree")).to_contain_text("屠苏村村民委员会")
    assert "code=371302105000" in desktop.url  # the swap pushed a real, shareable URL
    assert desktop.locator("header.topbar").count() == 1  # a fragment, not a page inside the page
    shot(desktop, "desktop-01-regions-town")
    desktop.reload()
    expect(desktop.locator("#tree")).to_contain_text("屠苏村村民委员会")


def test_core_actions_work_without_javascript(live_server, no_javascript):
    page = no_javascript
    sign_in(page, live_server, "town")
    page.goto(f"{live_server}/regions/")
    expect(page.locator("#tree")).to_contain_text("屠苏村村民委员会")
    page.goto(f"{live_server}/accounts/new")
    page.fill("input[name=username]", "wang-fang")
    page.fill("input[name=display_name]", "王芳")
    page.select_option("select[name=role]", "child_director")
    page.fill("input[name=region_code]", "371302105260")
    page.fill("input[name=password]", "a long enough pass phrase")
    page.click("form button.button")
    expect(page.locator("h1")).to_contain_text("王芳")
    shot(page, "nojs-01-account-created")
    page.click("summary")
    page.click("text=退出登录")
    expect(page).to_have_url(f"{live_server}/login")
