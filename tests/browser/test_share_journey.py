"""Issue 21's onboarding and sharing journeys on a phone (390 × 844): a new volunteer is refused a
one-to-one need and sees why and where to go, uploads a no-criminal-record certificate, the county
approves it and the volunteer claims; a closed need's link shows its outcome; county staff download
the share poster, a PNG of the right size."""

import io
from datetime import date, timedelta

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.helpers.models import Organization
from portal.needs import claims, share
from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in
from tests.helpers import sms
from tests.helpers.conftest import make_org  # noqa: F401  (fixtures of the helpers and needs tests)
from tests.needs.conftest import make_need  # noqa: F401

SECRET = "a-long-secret-phrase"
REQUIRED = "需要实名与无犯罪记录证明"


def _fresh(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   accept_downloads=True)
    return context, context.new_page()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _closed_need(app, users, make_need, make_org) -> tuple[int, str]:  # noqa: F811
    """A tutoring need an organization took on, delivered and the director verified."""
    need_id = make_need(to="published")
    _org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        row = claims.claim(s, member, need_id)
        delivery = claims.report_delivery(s, member, row.id, "每周六辅导数学，共6次", [], [], [], date.today())
        claims.verify_delivery(s, s.get(User, users["village"].id), delivery.id)
        name = s.get(Organization, _org_id).name
    return need_id, name


def test_a_new_volunteer_is_vetted_before_a_one_to_one_need_and_needs_are_shared(
        live_server, app, users, chromium, make_need, make_org, tmp_path):  # noqa: F811
    app.config["SMS_BACKEND"] = "tests.helpers.sms:capture"
    sms.OUTBOX.clear()
    base = live_server
    tutoring = make_need(to="published")  # home tutoring of one child in 义堂镇
    closed, org_name = _closed_need(app, users, make_need, make_org)

    # A new volunteer registers and confirms by SMS.
    context, page = _fresh(chromium)
    page.goto(f"{base}/join/volunteer")
    for name, value in {"display_name": "周洋", "username": "zhouyang", "phone": "13905395555",
                        "password": SECRET, "confirm": SECRET, "areas-0": "371302105000"}.items():
        page.fill(f"input[name='{name}']", value)
    page.check("input[name=agree]")
    page.click("form button.button")
    page.wait_for_url(f"{base}/join/verify")
    page.fill("input[name=code]", sms.last_code("13905395555"))
    page.click("form button.button")
    page.wait_for_url(f"{base}/me/profile")

    # The board tells them what the one-to-one need requires; the need's page refuses and says where to go.
    page.goto(f"{base}/board")
    expect(page.locator(f"#for-you a[href='/board/{tutoring}']")).to_have_count(1)  # recommended at once
    card = page.locator(f"#results article.need-card:has(a[href='/board/{tutoring}'])")
    expect(card.locator(".vetting-needed")).to_have_text(REQUIRED)
    _fits(page)
    page.goto(f"{base}/board/{tutoring}")
    expect(page.locator("button:has-text('我来认领')")).to_have_count(0)
    expect(page.locator(".flash-info")).to_contain_text("无犯罪记录证明")
    shot(page, "phone-40-volunteer-refused-one-to-one")
    page.click("a:has-text('如何办理审核')")
    page.wait_for_url(f"{base}/me/certificates#record-check")

    # They upload the certificate with their identity number.
    photo = tmp_path / "record.jpg"
    Image.new("RGB", (300, 200), (240, 240, 220)).save(photo, "JPEG")
    page.fill("input[name='record-title']", "临公(兰)证字2026第0888号")
    page.fill("input[name='record-issued_on']", (date.today() - timedelta(days=5)).isoformat())
    page.fill("input[name='record-id_number']", "11010519491231002X")
    page.set_input_files("input[name='record-photo']", str(photo))
    page.click("#record-check ~ form button.button")
    expect(page.locator(".flash-success")).to_be_visible()
    _fits(page)
    shot(page, "phone-41-record-check-uploaded")

    # The county compares it with the name and number and approves it.
    staff_context, staff = _fresh(chromium)
    sign_in(staff, base, "county")
    staff.goto(f"{base}/helpers/certificates")
    row = staff.locator("li.row:has-text('周洋')")
    expect(row).to_contain_text("11010519491231002X")
    row.locator("button:has-text('核验通过')").click()
    expect(staff.locator(".flash-success")).to_be_visible()

    # Now the volunteer claims it.
    page.goto(f"{base}/board/{tutoring}")
    page.click("button:has-text('我来认领')")
    page.wait_for_url(f"{base}/claims/*")
    expect(page.locator(".flash-success")).to_be_visible()
    shot(page, "phone-42-volunteer-claimed-one-to-one")
    context.close()

    # A closed need's link keeps working and shows what became of it.
    context, page = _fresh(chromium)
    code = share.code_for(app.config["SECRET_KEY"], closed)
    page.goto(f"{base}/n/{code}")
    expect(page.locator(".outcome")).to_contain_text("已完成")
    expect(page.locator(".outcome")).to_contain_text(f"由{org_name}完成")
    expect(page.locator(".outcome")).to_contain_text(f"{date.today().year}年{date.today().month}月")
    _fits(page)
    shot(page, "phone-43-closed-need-outcome")
    context.close()

    # County staff open the published need's link and download its poster.
    staff.goto(f"{base}/n/{share.code_for(app.config['SECRET_KEY'], tutoring)}")
    with staff.expect_download() as download:
        staff.click("a:has-text('A5 打印版')")
    poster = Image.open(io.BytesIO(open(download.value.path(), "rb").read()))
    assert poster.format == "PNG" and poster.size == share.SIZES["a5"]
    with staff.expect_download() as download:
        staff.click("a:has-text('手机尺寸')")
    assert Image.open(download.value.path()).size == share.SIZES["phone"]
    shot(staff, "phone-44-share-page-staff")
    staff_context.close()
