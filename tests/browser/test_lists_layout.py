"""Issue 21, "Lists that work on a phone and on a desk": below 640 px the staff lists are cards
whose status is in view without scrolling sideways; at 1366 px the navigation is shown (not behind
菜单) and the overview's tables fit. Every list page also passes axe-core."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from portal import db
from portal.children.models import Child
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.needs.conftest import helper_in, make_need, make_org  # noqa: F401  (fixtures of the needs tests)

STAFF_LISTS = ["/needs/", "/needs/overview", "/children/", "/visits/overdue"]
PHONE, DESK = (390, 844), (1366, 768)
# Anything wider than the window, and any table whose columns are cut off inside its wrapper.
OVERFLOW = """() => ({
  page: document.scrollingElement.scrollWidth - window.innerWidth,
  clipped: [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1).length,
})"""


@pytest.fixture
def busy_county(app, make_need, make_child):  # noqa: F811
    """Needs at every stage and a child whose visit is late, so no list is empty."""
    for stage in ("reported", "at_town", "at_county", "published"):
        make_need(to=stage)
    child = make_child("village", name="周小兰")
    with app.app_context(), db.write_session() as s:
        s.get(Child, child.id).next_visit_due = date.today() - timedelta(days=9)


def _page(chromium, size):
    width, height = size
    return chromium.new_context(viewport={"width": width, "height": height}, is_mobile=width < 640,
                                has_touch=width < 640).new_page()


def test_staff_lists_are_cards_on_a_phone_with_the_status_in_view(live_server, chromium, busy_county):
    page = _page(chromium, PHONE)
    sign_in(page, live_server, "county")
    for path in STAFF_LISTS:
        page.goto(live_server + path)
        assert page.evaluate(OVERFLOW) == {"page": 0, "clipped": 0}, path
        assert_accessible(page)
    page.goto(f"{live_server}/needs/")
    status = page.locator("#results td.card-status").first
    status.scroll_into_view_if_needed()  # scrolling down, never sideways
    expect(status).to_be_in_viewport()
    assert page.evaluate("window.scrollX") == 0
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    # The column's name goes with each value, as the table header would on a desk.
    label = status.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"状态"'
    expect(page.get_by_role("navigation", name="主导航")).to_be_hidden()  # behind 菜单 on a phone
    page.context.close()


def test_on_a_desk_the_navigation_is_shown_and_the_overview_fits(live_server, chromium, busy_county):
    page = _page(chromium, DESK)
    sign_in(page, live_server, "county")
    for path in STAFF_LISTS:
        page.goto(live_server + path)
        assert page.evaluate(OVERFLOW) == {"page": 0, "clipped": 0}, path
        assert_accessible(page)
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="需求", exact=True)).to_be_visible()
    expect(page.locator(".menu summary")).to_be_hidden()
    page.goto(f"{live_server}/needs/overview")
    last_column = page.locator("section.card table").first.locator("thead th").last  # after 已撤销 …
    expect(last_column).to_be_visible()
    box = last_column.bounding_box()
    assert box["x"] + box["width"] <= DESK[0]
    page.context.close()


def test_a_helpers_claims_fit_a_phone(live_server, chromium, app, users, make_need, helper_in):  # noqa: F811
    from portal.accounts.models import User
    from portal.needs import claims

    need_id = make_need(to="published")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        claims.claim(s, s.get(User, users["volunteer"].id), need_id)
    page = _page(chromium, PHONE)
    sign_in(page, live_server, "volunteer")
    page.goto(f"{live_server}/claims/")
    expect(page.locator("main .row").first).to_contain_text("进行中")
    assert page.evaluate(OVERFLOW) == {"page": 0, "clipped": 0}
    assert_accessible(page)
    page.context.close()


def test_the_need_form_shows_only_the_fields_of_the_chosen_kind(live_server, chromium, make_child):
    child = make_child("village")
    page = _page(chromium, PHONE)
    sign_in(page, live_server, "village")
    page.goto(f"{live_server}/needs/new?child={child.id}")
    target, months = page.locator("input[name=target_yuan]"), page.locator("input[name=pairing_months]")
    expect(target).to_be_hidden()
    expect(months).to_be_hidden()
    page.check("input[name=kind][value=money]")
    expect(target).to_be_visible()
    expect(months).to_be_hidden()
    page.check("input[name=kind][value=pairing]")
    expect(target).to_be_hidden()
    expect(months).to_be_visible()
    assert page.evaluate(OVERFLOW) == {"page": 0, "clipped": 0}
    assert_accessible(page)
    page.context.close()
