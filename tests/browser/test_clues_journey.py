"""Issue 25 on a phone: a member of the public, without an account, reports a clue at 390 px (the
town picked from the region suggestions), gets a tracking code, and later sees its status only."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal import db
from portal.clues.models import Clue
from tests.browser.conftest import shot
from tests.clues.conftest import make_clue  # noqa: F401  (fixture)


def test_public_reports_a_clue_on_a_phone_and_checks_its_status(app, live_server, phone):
    page = phone
    page.goto(f"{live_server}/clues/report")
    expect(page.locator("h1")).to_have_text("报告可能需要帮助的儿童")
    page.fill("input[name=region]", "义堂")
    # The suggestions come from the public region search (htmx fills the datalist).
    expect(page.locator("#region-options option").first).to_have_attribute("value", "兰山区 义堂镇")
    page.fill("input[name=region]", "兰山区 义堂镇")
    page.fill("input[name=place]", "义堂镇集市东口")
    page.fill("textarea[name=text]", "一个男孩连续几天夜里睡在集市的棚子下")
    page.check("input[name=urgent][value='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-80-clue-report")
    page.click("form button.button:has-text('提交报告')")
    code = page.locator("#tracking-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    tracking = code.inner_text()
    shot(page, "phone-81-clue-sent")
    with app.app_context(), db.new_session() as s:
        assert s.scalars(select(Clue.town_code)).one() == "371302105000"

    page.goto(f"{live_server}/clues/track")
    page.fill("input[name=code]", tracking.lower())
    page.click("form button.button:has-text('查看状态')")
    expect(page.locator("#clue-status")).to_have_text("已收到")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-82-clue-status")


def test_staff_clue_pages_fit_a_phone_and_pass_axe(live_server, phone, users, make_clue):  # noqa: F811
    from tests.browser.test_journeys import sign_in
    from tests.browser.test_lists_layout import OVERFLOW

    clue_id, _code = make_clue(urgent=True)
    sign_in(phone, live_server, "town")
    for path in ("/clues/", f"/clues/{clue_id}", "/clues/counts", "/clues/new"):
        phone.goto(live_server + path)
        assert phone.evaluate(OVERFLOW) == {"page": 0, "clipped": 0}, path
        shot(phone, "phone-83-clue-" + (path.strip("/").replace("/", "-") or "list"))
    phone.goto(f"{live_server}/clues/{clue_id}")
    phone.select_option("select[name=director]", value=str(users["village"].id))
    phone.click("form button.button:has-text('指派')")
    expect(phone.locator(".flash-success")).to_contain_text(f"线索 {clue_id} 号已指派")
