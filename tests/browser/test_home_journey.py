"""Issue 21's home on a phone: a child director signs in, the home says what waits (counts of the
village only), "逾期走访" opens the overdue list with exactly those children; passing a need up
shows the button pending until the answer comes, then says where the need went."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from portal import db
from portal.children.models import Child
from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in
from tests.needs.conftest import make_need  # noqa: F401  (fixture of the needs tests)


def _overdue(app, child_id: int, days: int) -> None:
    with app.app_context(), db.write_session() as s:
        s.execute(update(Child).where(Child.id == child_id).values(next_visit_due=date.today() - timedelta(days=days)))


def test_director_home_counts_lead_to_the_overdue_list_and_actions_show_a_pending_state(
        live_server, app, users, phone, make_child, make_need):  # noqa: F811
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    _overdue(app, make_child("village", name="王小花").id, 5)
    _overdue(app, make_child("village", name="李小军").id, 12)
    _overdue(app, make_child("county", name="赵小雨", region_code="371302101201").id, 9)  # another town
    make_child("village", name="陈小明")  # visited on time
    need_id = make_need()

    page = phone
    sign_in(page, live_server, "village")
    overdue_tile = page.locator("#todo-overdue_visits")
    expect(overdue_tile).to_contain_text("逾期走访")
    expect(overdue_tile.locator(".count")).to_have_text("2")
    expect(page.locator("#todo-needs_waiting .count")).to_have_text("1")
    expect(page.locator("#todo-to_verify .count")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-60-director-home")

    overdue_tile.click()
    page.wait_for_url(f"{live_server}/visits/overdue")
    results = page.locator("#results")
    expect(results).to_contain_text("王小花")
    expect(results).to_contain_text("李小军")
    expect(results).not_to_contain_text("赵小雨")
    expect(results).not_to_contain_text("陈小明")
    shot(page, "phone-61-overdue-from-home")

    # Pressing "pass up" disables the form's buttons and marks it busy until the answer comes. (To
    # look at the page meanwhile, a listener on the window, which runs after the portal's own,
    # keeps this one press from leaving the page.)
    page.goto(f"{live_server}/needs/{need_id}")
    button = page.locator(f"button[formaction='/needs/{need_id}/escalate']")
    expect(button).to_have_text("上报上一级")
    page.evaluate("window.addEventListener('submit', (e) => e.preventDefault(), {once: true})")
    button.click()
    expect(button).to_be_disabled()
    expect(page.locator("button[formaction]")).to_have_count(3)
    for other in page.locator("button[formaction]").all():
        expect(other).to_be_disabled()
    expect(page.locator("form.is-pending")).to_have_attribute("aria-busy", "true")
    shot(page, "phone-62-pending")

    page.reload()
    button.click()  # the real press: the need rises, and the page says where to
    expect(page.locator(".flash-success")).to_contain_text(f"第 {need_id} 号需求已上报至义堂镇。")
    expect(page.locator("form.is-pending")).to_have_count(0)
    shot(page, "phone-63-escalated")
    assert errors == []
