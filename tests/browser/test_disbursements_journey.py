"""Issue 20's journey at desk width: a county user lists the orphan scholarship's batch and submits
it, another staff member approves it, the bank's file comes back with one failure, the failure
appears in the next batch, and the report reads "为N名儿童发放X元"."""

from playwright.sync_api import expect
from sqlmodel import select

from portal import db
from portal.disbursements.models import Entitlement
from tests.browser.conftest import shot
from tests.browser.test_journeys import sign_in
from tests.disbursements.conftest import checker, make_programme, scholarship  # noqa: F401


def test_county_batch_approved_by_another_paid_with_one_failure_carried_and_reported(
        app, live_server, desktop, chromium, scholarship, tmp_path):  # noqa: F811
    programme, _students = scholarship
    page = desktop
    sign_in(page, live_server, "county")
    page.goto(f"{live_server}/disbursements/programme/{programme.id}")
    page.fill("input[name=period]", "2026")
    page.click("button:has-text('生成发放名单')")
    expect(page.locator("#entitlements")).to_contain_text("符合: 孤儿, 大学在读")
    page.click("button:has-text('提交审批')")
    expect(page.locator("h1 + p")).to_contain_text("待核准")
    batch_url = page.url
    shot(page, "desk-20-batch-submitted")

    approver = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(approver, live_server, "county_b")
    approver.goto(batch_url)
    approver.click("button:has-text('通过')")
    expect(approver.locator(".flash-success")).to_contain_text("已审批")
    with app.app_context(), db.new_session() as s:
        ids = list(s.scalars(select(Entitlement.id).order_by(Entitlement.id)))
    result = tmp_path / "bank-result.csv"
    result.write_text("发放编号,金额（元）,银行处理状态,银行流水号,失败原因\n"
                      f"{ids[0]},10000.00,成功,R1,\n{ids[1]},10000.00,失败,,账户已冻结\n{ids[2]},10000.00,成功,R3,\n",
                      encoding="utf-8")
    approver.click("a:has-text('导入银行回盘')")
    approver.set_input_files("input[type=file]", str(result))
    approver.click("button:has-text('检查文件')")
    expect(approver.locator("#bank-lines")).to_contain_text("账户已冻结")
    shot(approver, "desk-21-bank-preview")
    approver.click("button:has-text('记录这些结果')")
    expect(approver.locator(".flash-success")).to_contain_text("成功 2 笔，失败 1 笔")
    assert approver.evaluate("document.documentElement.scrollWidth") <= 1280
    approver.context.close()

    page.goto(f"{live_server}/disbursements/programme/{programme.id}")
    page.fill("input[name=period]", "2027")
    page.click("button:has-text('生成发放名单')")
    expect(page.locator("#entitlements")).to_contain_text("上期结转")
    shot(page, "desk-22-failure-carried")
    page.goto(f"{live_server}/disbursements/report?region=371302000000&period=2026")
    expect(page.locator("#sentence")).to_have_text("为2名儿童发放20,000元")
    shot(page, "desk-23-report")
