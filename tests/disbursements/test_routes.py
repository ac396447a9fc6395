"""The pages once through the test client: a county user lists and submits a batch, another
approves it, the bank's file with one failure is imported, the failure comes back in the next
batch, and the report reads "为N名儿童发放X元". Other counties and roles are refused."""

import csv
import io

from sqlmodel import select

from portal import db
from portal.disbursements.models import DisbursementBatch, Entitlement, EntitlementState
from tests.conftest import login, post


def logged_in(client, key):
    assert login(client, key).status_code == 302
    return client


def test_batch_journey_through_the_pages(app, client, users, scholarship):
    programme, students = scholarship
    logged_in(client, "county")
    page = client.get(f"/disbursements/programme/{programme.id}")
    assert page.status_code == 200 and "新建批次" in page.get_data(as_text=True)
    created = post(client, f"/disbursements/programme/{programme.id}", {"period": "2026"})
    assert created.status_code == 302
    batch_url = created.headers["Location"]
    batch_id = int(batch_url.rstrip("/").rsplit("/", 1)[1])
    shown = client.get(batch_url).get_data(as_text=True)
    assert "符合: 孤儿, 大学在读" in shown and "10,000.00" in shown
    assert post(client, f"/disbursements/{batch_id}/submit").status_code == 302
    own = post(client, f"/disbursements/{batch_id}/approve")  # the maker's own approval
    assert own.status_code == 403 and "须由另一名工作人员审批" in own.get_data(as_text=True)

    with app.test_client() as other:
        assert login(other, "county2").status_code == 302
        assert other.get(batch_url).status_code == 404
        assert post(other, f"/disbursements/{batch_id}/approve").status_code == 404
    with app.test_client() as donor:
        login(donor, "donor")
        assert donor.get(batch_url).status_code == 403

    with app.test_client() as checker:
        assert login(checker, "county_b").status_code == 302
        assert post(checker, f"/disbursements/{batch_id}/approve").status_code == 302
        assert "已审批" in checker.get(batch_url).get_data(as_text=True)
        sheet = checker.get(f"/disbursements/{batch_id}/bank-sheet.xlsx")
        assert sheet.status_code == 200 and sheet.mimetype.endswith("sheet")
        with app.app_context(), db.new_session() as s:
            ids = list(s.scalars(select(Entitlement.id).where(Entitlement.batch_id == batch_id).order_by(Entitlement.id)))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["发放编号", "金额（元）", "银行处理状态", "银行流水号", "失败原因"])
        writer.writerow([ids[0], "10000.00", "成功", "R1", ""])
        writer.writerow([ids[1], "10000.00", "失败", "", "账户已冻结"])
        writer.writerow([ids[2], "10000.00", "成功", "R3", ""])
        uploaded = post(checker, f"/disbursements/{batch_id}/bank-result",
                        {"file": (io.BytesIO(out.getvalue().encode()), "result.csv")},
                        content_type="multipart/form-data")
        assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
        preview = checker.get(uploaded.headers["Location"]).get_data(as_text=True)
        assert "成功 2 笔，失败 1 笔，无法对应 0 笔，金额不符 0 笔" in preview
        done = post(checker, uploaded.headers["Location"])
        assert done.status_code == 302
        report = checker.get("/disbursements/report?region=371302000000&period=2026").get_data(as_text=True)
        assert "为2名儿童发放20,000元" in report
        assert checker.get("/disbursements/report?region=371302000000&period=2026&format=xlsx").status_code == 200
        assert "为2名儿童发放20,000元" in checker.get(
            "/disbursements/report?region=371302000000&period=2026&format=print").get_data(as_text=True)

    with app.app_context(), db.new_session() as s:
        states = [s.get(Entitlement, i).state for i in ids]
        assert states == [EntitlementState.paid, EntitlementState.failed, EntitlementState.paid]
    created = post(client, f"/disbursements/programme/{programme.id}", {"period": "2027"})
    next_batch = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert "上期结转" in client.get(f"/disbursements/{next_batch}").get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, next_batch).total_fen == 4 * 1_000_000


def test_a_bad_period_on_the_page_is_refused_in_chinese_and_changes_nothing(app, client, users, scholarship):
    programme, _students = scholarship
    logged_in(client, "county")
    answer = post(client, f"/disbursements/programme/{programme.id}", {"period": "2026年"})
    assert answer.status_code == 400 and "期间请按 2026 的格式填写" in answer.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(DisbursementBatch.id)) is None


def test_reports_of_another_county_are_refused(app, client, users):
    logged_in(client, "county2")
    assert client.get("/disbursements/report?region=371302000000&period=2026").status_code == 403


def test_the_childs_director_enters_a_bank_account_shown_masked_and_another_village_cannot(app, client, users,
                                                                                           make_child):
    child = make_child()
    logged_in(client, "village")
    saved = post(client, f"/disbursements/child/{child.id}/bank-account",
                 {"bank_name": "农业银行", "account_number": "6228 4800 1234 5678 910"})
    assert saved.status_code == 302
    page = client.get(f"/disbursements/child/{child.id}/bank-account").get_data(as_text=True)
    assert "8910" in page and "6228480012345678910" not in page
    bad = post(client, f"/disbursements/child/{child.id}/bank-account", {"account_number": "62284800"})
    assert bad.status_code == 400 and "账号为 10 至 30 位数字" in bad.get_data(as_text=True)
    with app.test_client() as other:
        login(other, "village2")
        assert other.get(f"/disbursements/child/{child.id}/bank-account").status_code == 404
