"""Issue 6's journey on phones: a volunteer registers, confirms by SMS and adds a counselling
certificate that the county verifies; an organization applies, is approved and invites a member
who signs in; a donor registers to give anonymously. Each step leaves the notice it should."""

import re

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in
from tests.helpers import sms
from tests.helpers.conftest import credit_code

SECRET = "a-long-secret-phrase"


def _fresh(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    return context, context.new_page()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _register(page, base, kind, username, name, phone, tmp=None):
    page.goto(f"{base}/join")
    page.click(f"a[href='/join/{kind}']")
    # The area field asks for suggestions through htmx: typed before the page's scripts have run,
    # nothing would ask (seen under load, where the click's navigation had only just committed).
    page.wait_for_url(f"{base}/join/{kind}")
    page.wait_for_load_state("load")
    page.fill("input[name=display_name]", name)
    page.fill("input[name=username]", username)
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", SECRET)
    page.fill("input[name=confirm]", SECRET)


def test_helpers_register_are_vetted_and_notified(live_server, app, chromium, tmp_path):
    app.config["SMS_BACKEND"] = "tests.helpers.sms:capture"
    sms.OUTBOX.clear()
    base = live_server

    # A volunteer registers on a phone; the service area is picked from suggestions.
    context, page = _fresh(chromium)
    _register(page, base, "volunteer", "zhouyang", "周洋", "13905395555")
    page.fill("input[name='areas-0']", "义堂")
    expect(page.locator("#areas-0-options option")).not_to_have_count(0, timeout=15_000)
    page.fill("input[name='areas-0']", "371302105000")
    page.check("input[name=agree]")
    _fits(page)
    shot(page, "phone-20-volunteer-register")
    page.click("form button.button")
    page.wait_for_url(f"{base}/join/verify")
    page.fill("input[name=code]", sms.last_code("13905395555"))
    page.click("form button.button")
    page.wait_for_url(f"{base}/me/profile")
    page.check("input[name=skills][value=counselling]")
    page.click("form button.button:has-text('保存')")
    expect(page.locator(".flash-success")).to_be_visible()
    photo = tmp_path / "cert.jpg"
    Image.new("RGB", (300, 200), (240, 240, 220)).save(photo, "JPEG")
    page.goto(f"{base}/me/certificates")
    page.select_option("select[name=skill]", "counselling")
    page.fill("input[name=title]", "心理咨询师（三级）")
    page.set_input_files("input[name=photo]", str(photo))
    page.click("form button.button")
    expect(page.locator(".rows")).to_contain_text("心理咨询师（三级）")
    context.close()

    # The county verifies it, from its notice.
    context, page = _fresh(chromium)
    sign_in(page, base, "county")
    expect(page.locator("#notice-badge .count")).to_have_text("1")
    page.goto(f"{base}/helpers/certificates")
    page.click("button:has-text('核验通过')")
    expect(page.locator(".flash-success")).to_be_visible()
    shot(page, "phone-21-certificate-verified")
    context.close()

    # An organization applies; the county approves it with a reason.
    context, page = _fresh(chromium)
    page.goto(f"{base}/orgs/apply")
    for name, value in {"name": "兰山区阳光社工服务中心", "credit_code": credit_code(), "legal_representative": "李明",
                        "contact_name": "王芳", "contact_phone": "0539-8123456", "areas-0": "371302000000",
                        "display_name": "王芳", "username": "yangguang", "phone": "13905396666",
                        "password": SECRET, "confirm": SECRET}.items():
        page.fill(f"[name='{name}']", value)
    page.check("input[name=categories][value=psychological]")
    _fits(page)
    page.click("form button.button")
    page.wait_for_url(f"{base}/join/verify")
    page.fill("input[name=code]", sms.last_code("13905396666"))
    page.click("form button.button")
    page.wait_for_url(f"{base}/me/organization")
    expect(page.locator(".facts")).to_contain_text("等待审核")
    org_page = page

    staff_context, staff = _fresh(chromium)
    sign_in(staff, base, "county")
    staff.goto(f"{base}/orgs/")
    staff.click("text=兰山区阳光社工服务中心")
    staff.select_option("select[name=action]", "approve")
    staff.fill("textarea[name=reason]", "登记证书核验无误")
    staff.click("form button.button")
    expect(staff.locator(".facts")).to_contain_text("已通过")
    shot(staff, "phone-22-organization-approved")
    staff_context.close()

    # Its administrator sees the result in the notices and invites a member.
    org_page.goto(f"{base}/notifications/")
    expect(org_page.locator("main")).to_contain_text("已通过")
    org_page.goto(f"{base}/me/organization")
    org_page.click("form button:has-text('邀请链接')")
    link = re.search(r"https?://\S+/invite/[\w-]+", org_page.locator(".flash-success").inner_text()).group(0)
    invite_path = link[link.index("/invite/"):]
    context.close()

    context, page = _fresh(chromium)
    page.goto(f"{base}{invite_path}")
    for name, value in {"display_name": "赵敏", "username": "zhaomin", "phone": "13905397777",
                        "password": SECRET, "confirm": SECRET}.items():
        page.fill(f"[name='{name}']", value)
    page.click("form button.button")
    page.wait_for_url(f"{base}/join/verify")
    page.fill("input[name=code]", sms.last_code("13905397777"))
    page.click("form button.button")
    page.wait_for_url(f"{base}/me/organization")
    expect(page.locator("h1")).to_contain_text("兰山区阳光社工服务中心")
    context.close()
    context, page = _fresh(chromium)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "13905397777")  # members sign in with their mobile too
    page.fill("input[name=password]", SECRET)
    page.click("form button.button")
    page.wait_for_url(f"{base}/")
    context.close()

    # A donor registers to give anonymously.
    context, page = _fresh(chromium)
    _register(page, base, "donor", "aixin", "吴先生", "13905398888")
    page.check("input[name=anonymous]")
    page.check("input[name=agree]")
    page.click("form button.button")
    page.wait_for_url(f"{base}/join/verify")
    page.fill("input[name=code]", sms.last_code("13905398888"))
    page.click("form button.button")
    page.wait_for_url(f"{base}/me/profile")
    expect(page.locator("input[name=anonymous]")).to_be_checked()
    page.goto(f"{base}/notifications/")
    expect(page.locator("main")).to_contain_text("欢迎")
    shot(page, "phone-23-donor-notices")
    context.close()
