"""Issue 19's journey on a phone, in Chinese: demo-donor (who gives anonymously) opens a money need
on the board, gives 500 yuan through the stand-in Checkout, is told the gift is received and being
confirmed; once Stripe's webhook lands the gift is paid, the need's public total has grown by 500
and the receipt PDF downloads, naming 爱心人士. No page the donor saw names the child."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.donations import rules
from portal.helpers.models import HelperArea, HelperProfile
from portal.types import utcnow
from tests.browser.conftest import serve_portal, shot
from tests.browser.test_journeys import sign_in
from tests.needs.conftest import make_need  # noqa: F401  (fixture of the needs tests)
from tests.stripe_fake import events

CHILD = "李小红"
LANSHAN = "371302000000"


@pytest.fixture
def demo_donor(app, users, password_hash):
    """demo-donor as the demo makes them: a donor serving Lanshan who chose to give anonymously."""
    with app.app_context(), db.write_session() as s:
        donor = User(username="demo-donor", display_name="爱心人士 吴磊", password_hash=password_hash,
                     role=Role.donor, email="demo-donor@example.org")
        s.add(donor)
        s.flush()
        s.add_all([HelperProfile(user_id=donor.id, phone="13905390003", phone_verified_at=utcnow(), anonymous=True),
                   HelperArea(user_id=donor.id, region_code=LANSHAN)])
        return donor.id


@pytest.fixture
def money_need_with_a_gift(app, users, make_need):  # noqa: F811
    """A published money need of 5,000 yuan in 屠苏村 (兰山区) that a bank transfer of 1,200 yuan has reached."""
    need_id = make_need(to="published", kind="money", category="medical", target_fen=500_000,
                        description=f"{CHILD}需要手术费用", child_values={"name": CHILD})
    with app.app_context(), db.write_session() as s:  # below OFFLINE_CONFIRM_FEN: settled at once
        gift = rules.record_offline_gift(s, s.get(User, users["county"].id), rules.OfflineGift(
            amount_fen=120_000, channel="bank", payer="张三", paid_on=date.today(), reference="BANK-1",
            need_id=need_id), date.today())
        assert gift.status == "paid"
    return need_id


@pytest.fixture
def giving_server(app, stripe_settings):
    """The portal on loopback with online giving on, Stripe's return URLs pointing back at it."""
    with serve_portal(app.config["SQLALCHEMY_DATABASE_URI"], public=True, **stripe_settings) as base:
        yield base


def _raised(page) -> tuple[int, int]:
    """The money page's "已筹: 1,200.00 / 5,000.00" as fen."""
    raised, target = re.search(r"已筹:\s*([\d,]+\.\d\d)\s*/\s*([\d,]+\.\d\d)", page.inner_text("main")).groups()
    return tuple(int(v.replace(",", "").replace(".", "")) for v in (raised, target))


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_demo_donor_gives_500_yuan_on_a_phone_and_gets_the_receipt(
        giving_server, phone, demo_donor, money_need_with_a_gift, stripe_standin):
    base, page, need_id = giving_server, phone, money_need_with_a_gift
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Errors on the portal's pages (a CSP refusal too); the stand-in's own favicon 401 is not ours.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and m.location["url"].startswith(base)
            else None)
    seen: list[str] = []  # the text of every page of the portal the donor saw

    def look(name: str) -> None:
        _fits(page)
        seen.append(page.content())
        shot(page, name)

    # 1. demo-donor signs in on a phone, in Chinese, and opens the need on the board.
    sign_in(page, base, "demo-donor")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.goto(f"{base}/board")
    page.click(f"a[href='/board/{need_id}']")
    page.wait_for_url(f"{base}/board/{need_id}")
    look("phone-40-money-need-on-board")
    page.click("a:has-text('善款去向')")
    expect(page.locator("main")).to_contain_text("已筹")
    before = _raised(page)
    assert before == (1_200_00, 5_000_00)  # the bank transfer booked before
    look("phone-41-money-before")

    # 2. The give form: 500 yuan, anonymously as their profile says.
    page.go_back()
    page.click("a.button:has-text('在线捐赠')")
    page.wait_for_url(f"{base}/donate?need={need_id}")
    expect(page.locator("input[name=anonymous]")).to_be_checked()
    page.fill("input[name=amount]", "500")
    look("phone-42-give-form")
    page.click("form button.button:has-text('前往支付')")

    # 3. Stripe's (stand-in) Checkout page asks for CNY 500.00; paying brings the donor back.
    page.wait_for_url(f"{stripe_standin.base_url}/checkout/pay/*")
    expect(page.locator("#amount")).to_have_text("CNY 500.00")
    shot(page, "phone-43-checkout")
    session_id = page.url.rsplit("/", 1)[-1]
    page.click("#pay")
    page.wait_for_url(f"{base}/donate/thanks?session={session_id}")
    assert stripe_standin.deliveries == []  # no webhook yet: the gift is still pending
    expect(page.locator(".flash-info")).to_contain_text("已收到您的付款，正在确认中")
    expect(page.locator("main")).not_to_contain_text("下载捐赠收据")
    look("phone-44-thanks-confirming")

    # 4. Stripe's webhook lands (only now, so the order above is certain); the thanks page, reloaded,
    # shows the paid gift and its receipt.
    stripe_standin.send_webhooks_to(f"{base}/stripe/webhook")
    delivery = stripe_standin.deliver(events.checkout_session_completed(stripe_standin.session(session_id)))
    assert delivery.status == 200 and b'"applied"' in delivery.body
    page.reload()
    expect(page.locator(".flash-success")).to_contain_text("您捐赠的 500.00 元已确认到账")
    expect(page.locator("a.button:has-text('下载捐赠收据')")).to_be_visible()
    look("phone-45-thanks-paid")

    # 5. Their own page lists the paid gift with its receipt number.
    page.goto(f"{base}/donations/mine")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("500.00")
    expect(row).to_contain_text("已到账")
    number = row.locator("a").inner_text().strip()
    assert re.fullmatch(r"[\w-]+", number)
    look("phone-46-my-gifts")

    # 6. The need's public money page: the old total plus 500.00, the gift shown as 爱心人士.
    page.goto(f"{base}/needs/{need_id}/money")
    expect(page.locator("main")).to_contain_text("已筹")
    assert _raised(page) == (before[0] + 500_00, before[1])
    expect(page.locator("tbody")).to_contain_text("爱心人士")
    expect(page.locator("main")).not_to_contain_text("吴磊")
    look("phone-47-money-after")

    # 7. The receipt downloads: its number, the amount in capitals, 爱心人士 in place of the name.
    page.goto(f"{base}/donations/mine")
    with page.expect_download() as download:
        page.click(f"a:has-text('{number}')")
    pdf = download.value.path().read_bytes()
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert number in text and "伍佰元整" in text and "爱心人士" in text
    assert "吴磊" not in text

    for html in seen:
        assert CHILD not in html
    assert errors == []
