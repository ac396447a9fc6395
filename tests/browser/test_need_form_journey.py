"""Issue 21 on a phone: the need form checks its required fields in the browser before anything is
sent (the fields of the chosen kind only), in Chinese; what the browser cannot check the server
refuses, and either way what was typed stays in the form. Without JavaScript the server alone
checks, with the same messages, and keeps what was typed too."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in

REQUIRED = "此项为必填项。"


def _need_posts(page) -> list[str]:
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" and "/needs/new" in r.url else None)
    return posted


def test_an_empty_need_form_is_checked_in_the_browser_and_keeps_what_was_typed(live_server, phone, make_child):
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    child = make_child("village", name="刘小雨")
    page = phone
    sign_in(page, live_server, "village")
    page.goto(f"{live_server}/needs/new?child={child.id}")
    posted = _need_posts(page)

    # A money need with nothing but its kind, its urgency and a deadline: the browser says what is
    # missing, beside each field, and sends nothing.
    page.check("input[name=kind][value=money]")
    page.check("input[name=urgency][value='3']")
    page.fill("input[name=deadline]", "2027-03-01")
    page.click("form button.button:has-text('上报需求')")
    description = page.locator("textarea[name=description]")
    expect(page.locator("#description-error")).to_have_text(REQUIRED)
    expect(page.locator("#target_yuan-error")).to_have_text(REQUIRED)
    expect(page.locator("input[name=target_yuan]")).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_be_focused()
    expect(page.locator("#pairing_months-error")).to_have_count(0)  # a field of another kind is not asked for
    expect(page.locator("form.is-pending")).to_have_count(0)  # nothing is on its way
    assert posted == [] and page.url.endswith(f"/needs/new?child={child.id}")
    expect(page.locator("input[name=kind][value=money]")).to_be_checked()
    expect(page.locator("input[name=urgency][value='3']")).to_be_checked()
    expect(page.locator("input[name=deadline]")).to_have_value("2027-03-01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-70-need-form-required")

    # Typing into a field clears its message; the server then refuses what only it can check (an
    # amount below one yuan), in Chinese, and the form comes back as it was typed.
    page.fill("textarea[name=description]", "刘小雨下学期的学费还差一部分。")
    expect(page.locator("#description-error")).to_have_count(0)
    page.fill("input[name=target_yuan]", "0.5")
    page.click("form button.button:has-text('上报需求')")
    expect(page.locator("#target_yuan-error")).to_contain_text("介于 1")
    expect(page.locator("#target_yuan-error")).not_to_have_text(REQUIRED)
    assert len(posted) == 1
    expect(page.locator("textarea[name=description]")).to_have_value("刘小雨下学期的学费还差一部分。")
    expect(page.locator("input[name=kind][value=money]")).to_be_checked()
    expect(page.locator("input[name=urgency][value='3']")).to_be_checked()
    expect(page.locator("input[name=deadline]")).to_have_value("2027-03-01")
    expect(page.locator("input[name=target_yuan]")).to_have_value("0.5")
    shot(page, "phone-71-need-form-refused")

    page.fill("input[name=target_yuan]", "3000")
    page.click("form button.button:has-text('上报需求')")
    expect(page.locator(".flash-success")).to_be_visible()
    assert "/needs/new" not in page.url
    assert errors == []


def test_without_javascript_the_server_checks_the_empty_form_in_chinese(live_server, no_javascript, make_child):
    child = make_child("village", name="刘小雨")
    page = no_javascript
    sign_in(page, live_server, "village")
    page.goto(f"{live_server}/needs/new?child={child.id}")
    page.check("input[name=kind][value=pairing]")
    page.fill("input[name=slots]", "2")
    page.click("form button.button:has-text('上报需求')")
    expect(page.locator("#description-error")).to_have_text(REQUIRED)
    expect(page.locator("input[name=kind][value=pairing]")).to_be_checked()
    expect(page.locator("input[name=slots]")).to_have_value("2")
    shot(page, "phone-72-need-form-no-javascript")
