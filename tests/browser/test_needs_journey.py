"""Issue 7's journey on phones: a child director reports a need from a child's file; nobody acts, so
it rises to the town and then the county by itself; the county's first public summary names the
child and is refused with the names highlighted, the second is published; an approved organization
and a volunteer each claim one of its two places, talk to the director and report their delivery (a
photo, volunteer hours); the director verifies both, and the need closes with its full history."""

from __future__ import annotations

from datetime import date, timedelta

from PIL import Image
from playwright.sync_api import expect

from portal import db
from portal.needs import rules
from portal.types import utcnow
from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in
from tests.needs.conftest import helper_in, make_org, need_row  # noqa: F401  (fixtures of the needs tests)

CHILD = "李小红"
ORG_SECRET = "a-long-secret-phrase"


def _fresh(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _sign_in_with(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button.button")
    page.wait_for_url(f"{base}/")


def _escalate_after(app, need_id: int, days: int) -> dict:
    """``days`` pass with nobody acting (the need's time at its level is moved back), then the
    periodic task runs, as the worker would, now."""
    from portal.needs.models import Need

    with app.app_context(), db.write_session() as s:
        need = s.get(Need, need_id)
        need.level_since = need.level_since - timedelta(days=days, minutes=1)
        s.flush()
        return rules.escalate_waiting(s, utcnow())


def _gps_photo(path) -> None:
    """A JPEG as a phone takes it: with the place it was taken in its EXIF."""
    image = Image.new("RGB", (320, 240), (200, 170, 120))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 6.0, 0.0), 3: "E", 4: (118.0, 21.0, 0.0)}  # GPS IFD
    image.save(path, "JPEG", exif=exif)
    assert Image.open(path).getexif().get_ifd(0x8825)  # the test file really carries GPS


def test_a_need_is_reported_rises_is_published_claimed_delivered_and_verified(
        live_server, app, users, chromium, make_child, make_org, helper_in, tmp_path):  # noqa: F811
    base = live_server
    child = make_child("village", name=CHILD)
    _org_id, org_admin = make_org(status="approved")  # serves all of Lanshan (371302000000)
    helper_in("volunteer", area="371302105000")  # 义堂镇, confirmed contact

    # 1. The child director reports a need from the child's file: two helpers wanted.
    village_ctx, village, village_errors = _fresh(chromium)
    sign_in(village, base, "village")
    village.goto(f"{base}/children/{child.id}")
    expect(village.locator("h1")).to_contain_text(CHILD)
    village.click("a.button:has-text('上报需求')")
    village.wait_for_url(f"{base}/needs/new?child={child.id}")
    expect(village.locator("h1")).to_contain_text(CHILD)
    village.select_option("select[name=category]", "education")
    village.check("input[name=kind][value=service]")
    village.fill("textarea[name=description]", f"{CHILD}数学跟不上，需要每周末有人辅导作业，也需要一些课外书。")
    village.check("input[name=urgency][value='3']")
    village.fill("input[name=slots]", "2")
    _fits(village)
    shot(village, "phone-30-need-report")
    village.click("form button.button:has-text('上报需求')")
    expect(village.locator(".flash-success")).to_be_visible()
    expect(village.locator("h1")).to_contain_text("村级处理中")
    need_id = int(village.url.rsplit("/", 1)[1])
    expect(village.locator(".facts")).to_contain_text(CHILD)
    expect(village.locator(".facts")).to_contain_text("0 / 2")
    _fits(village)
    shot(village, "phone-31-need-at-village")

    # 2. Nobody acts for three days: it rises to the town, whose supervisor finds it waiting.
    assert _escalate_after(app, need_id, 3)["escalated"] == 1
    town_ctx, town, town_errors = _fresh(chromium)
    sign_in(town, base, "town")
    town.goto(f"{base}/needs/")
    waiting = town.locator("section.card").filter(has_text="等待您处理").locator("table").first
    expect(waiting).to_contain_text(f"{need_id}")
    _fits(town)
    shot(town, "phone-32-town-queue")
    town.click(f"a[href='/needs/{need_id}']")
    expect(town.locator("h1")).to_contain_text("镇级处理中")
    expect(town.locator(".history")).to_contain_text("超时自动上报")
    town_ctx.close()

    # ... and seven days more at the town: it rises to the county.
    assert _escalate_after(app, need_id, 7)["escalated"] == 1

    # 3. The county publishes: a summary naming the child (spaced out) and a phone is refused.
    county_ctx, county, county_errors = _fresh(chromium)
    sign_in(county, base, "county")
    county.goto(f"{base}/needs/{need_id}")
    expect(county.locator("h1")).to_contain_text("县级处理中")
    expect(county.locator(".history li").filter(has_text="超时自动上报")).to_have_count(2)
    spaced = " ".join(CHILD)
    county.fill("textarea[name=summary]", f"{spaced}是一名小学生，需要周末数学辅导。联系电话13905391234。")
    county.click("#publish button.button")
    marks = county.locator(".pii-preview mark.pii")
    expect(marks.first).to_be_visible()
    assert marks.count() >= 2
    highlighted = " ".join(marks.all_inner_texts())
    assert spaced in highlighted and "13905391234" in highlighted
    expect(county.locator("h1")).to_contain_text("县级处理中")  # not published
    assert county.url.endswith("#publish")  # the refusal is in view, not below the fold
    expect(county.locator(".pii-preview")).to_be_in_viewport()
    _fits(county)
    shot(county, "phone-33-summary-refused")
    county.fill("textarea[name=summary]", "义堂镇一名小学生需要周末数学辅导，并希望得到一些适合四年级的课外书。")
    county.click("#publish button.button")
    expect(county.locator(".flash-success")).to_be_visible()
    expect(county.locator("h1")).to_contain_text("已发布")
    _fits(county)
    shot(county, "phone-34-published")
    county_ctx.close()

    anonymous_ctx, anonymous, _errors = _fresh(chromium)
    anonymous.goto(f"{base}/board")
    card = anonymous.locator(".need-card").filter(has_text="四年级的课外书")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("义堂镇")
    # On a phone the filters fold into one "筛选" control above the first need; opened, they stay compact.
    expect(anonymous.locator("label[for=category]")).to_be_hidden()
    anonymous.click(".filters-fold > summary")
    assert anonymous.locator("label[for=category]").bounding_box()["height"] < 40
    assert CHILD not in anonymous.content()
    _fits(anonymous)
    shot(anonymous, "phone-35-board-anonymous")
    card.locator("h3 a").click()
    expect(anonymous.locator("a.button")).to_contain_text("登录")
    assert CHILD not in anonymous.content()
    anonymous_ctx.close()

    # 4. The organization's administrator claims one place from the board and writes to the director.
    org_ctx, org, org_errors = _fresh(chromium)
    _sign_in_with(org, base, org_admin, ORG_SECRET)
    org.goto(f"{base}/board")
    # The recommender puts the need, in its public form, first in "为你推荐", with its reasons.
    for_you = org.locator("#for-you")
    expect(for_you.locator("h2")).to_have_text("为你推荐")
    expect(for_you.locator(".need-card").first).to_contain_text("四年级的课外书")
    expect(for_you.locator(".reasons").first).to_contain_text("推荐理由：")
    assert CHILD not in for_you.inner_text()
    for_you.locator(".need-card").filter(has_text="四年级的课外书").locator("h3 a").click()
    org.wait_for_url(f"{base}/board/{need_id}")
    _fits(org)
    org.click("button:has-text('我来认领')")
    org.wait_for_url(f"{base}/claims/*")
    expect(org.locator(".flash-success")).to_be_visible()
    assert CHILD not in org.content()
    org.fill("textarea[name=text]", "您好，我们周六上午可以安排一名社工老师上门辅导，并带去课外书。")
    org.click("#messages button.button")
    expect(org.locator("#messages .rows")).to_contain_text("周六上午")
    _fits(org)
    shot(org, "phone-36-org-claimed")

    # The volunteer takes the second place; the need is now fully claimed.
    vol_ctx, vol, vol_errors = _fresh(chromium)
    sign_in(vol, base, "volunteer")
    vol.goto(f"{base}/board/{need_id}")
    vol.click("button:has-text('我来认领')")
    vol.wait_for_url(f"{base}/claims/*")
    expect(vol.locator(".flash-success")).to_be_visible()
    assert need_row(app, need_id).status == "claimed"

    # The director answers the organization on its claim page.
    village.goto(f"{base}/needs/{need_id}")
    expect(village.locator("h1")).to_contain_text("已认领")
    village.locator("section.card").filter(has_text="认领").locator("a").filter(has_text="机构管理员").click()
    expect(village.locator("#messages .rows")).to_contain_text("周六上午")
    village.fill("textarea[name=text]", "好的，周六上午家里有人，谢谢！")
    village.click("#messages button.button")
    expect(village.locator("#messages .rows")).to_contain_text("家里有人")

    # The organization reports its delivery with a photo whose GPS the portal removes.
    photo = tmp_path / "delivery.jpg"
    _gps_photo(photo)
    org.reload()
    expect(org.locator("#messages .rows")).to_contain_text("家里有人")
    org.fill("textarea[name=report]", "社工老师上门辅导两小时，送去课外书十本。")
    org.fill("input[name=service_date]", date.today().isoformat())
    org.fill("input[name=hours]", "2")  # organization members record the hours they served too (issue 21)
    org.set_input_files("input[name=photos]", str(photo))
    _fits(org)
    org.click("form[action$='/deliver'] button.button")
    expect(org.locator(".flash-success")).to_be_visible()
    expect(org.locator("h1")).to_contain_text("已报告交付")
    expect(org.locator("main")).to_contain_text("照片 1")
    shot(org, "phone-37-org-delivered")

    # The volunteer reports the delivery with two hours served.
    vol.fill("textarea[name=report]", "周日下午陪孩子做数学作业。")
    vol.fill("input[name=service_date]", date.today().isoformat())
    vol.fill("input[name=hours]", "2")
    vol.set_input_files("input[name=photos]", str(photo))
    _fits(vol)
    shot(vol, "phone-38-volunteer-delivery")
    vol.click("form[action$='/deliver'] button.button")
    expect(vol.locator(".flash-success")).to_be_visible()
    expect(vol.locator("h1")).to_contain_text("已报告交付")

    # 5. The director sees both deliveries, opens a photo (GPS gone) and verifies them.
    village.goto(f"{base}/needs/{need_id}")
    expect(village.locator("h1")).to_contain_text("已交付")
    deliveries = village.locator("article.delivery")
    expect(deliveries).to_have_count(2)
    expect(deliveries.filter(has_text="机构管理员")).to_have_count(1)  # who delivered which
    expect(deliveries.filter(has_text="Test volunteer")).to_have_count(1)
    photo_link = deliveries.first.locator("a:has-text('照片')").first
    response = village.request.get(f"{base}{photo_link.get_attribute('href')}")
    assert response.ok and response.headers["content-type"].startswith("image/")
    assert b"GPS" not in response.body()
    _fits(village)
    shot(village, "phone-39-deliveries-to-verify")
    for claimer in ("机构管理员", "Test volunteer"):
        deliveries.filter(has_text=claimer).locator("button:has-text('核实交付')").click()
        expect(village.locator(".flash-success")).to_be_visible()
        expect(deliveries.filter(has_text=claimer)).to_contain_text("已核实")
    expect(village.locator("h1")).to_contain_text("已核实")
    expect(village.locator("button:has-text('核实交付')")).to_have_count(0)
    history = village.locator(".history li")
    actions = history.all_inner_texts()
    steps = ["上报", "超时自动上报", "超时自动上报", "发布", "认领", "认领", "名额已满", "报告交付", "报告交付",
             "交付已核实", "核实并办结"]
    position = 0
    for step in steps:  # in this order, each step after the one before
        position = next(i for i in range(position, len(actions)) if f"· {step}" in actions[i]) + 1
    assert "已核实" in actions[-1]
    assert not any(english in " ".join(actions) for english in ("waited", "claim ", "delivery "))
    _fits(village)
    shot(village, "phone-40-need-verified-history")

    # The volunteer's two hours are approved.
    vol.goto(f"{base}/me/hours")
    expect(vol.locator("main")).to_contain_text("经核准：2.0 小时")
    expect(vol.locator("table")).to_contain_text("已通过")
    _fits(vol)
    shot(vol, "phone-41-volunteer-hours")
    vol.goto(f"{base}/claims/")
    expect(vol.locator("main")).to_contain_text("已核实")

    assert village_errors == town_errors == county_errors == org_errors == vol_errors == []
    for context in (village_ctx, org_ctx, vol_ctx):
        context.close()
