"""The bank's side: the sheet with account numbers (approvers only, encrypted at rest), and the
result file: preview of matched, unmatched and wrong-amount lines, all or nothing."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select

from portal import db
from portal.children.spreadsheet import FileRejected
from portal.disbursements import bank
from portal.disbursements.models import BankImport, ChildBankAccount, DisbursementBatch, Entitlement, EntitlementState
from portal.errors import DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import Fund
from portal.programmes.models import Programme
from tests.disbursements.conftest import as_user
from tests.disbursements.test_batches import approve, make_batch, rows


def csv_file(lines, header=("Payment no.", "Amount (yuan)", "Bank status", "Bank reference", "Failure reason")):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue().encode()


@pytest.fixture
def approved(app, users, scholarship):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    return programme, batch_id, [r.id for r in rows(app, batch_id)]


def start(app, users, batch_id, data, filename="result.csv", key="county_b"):
    with app.app_context(), db.write_session() as s:
        job, preview = bank.start_import(s, as_user(s, users, key), s.get(DisbursementBatch, batch_id), filename, data)
    return job, preview


def run(app, users, job_id, key="county_b"):
    with app.app_context(), db.write_session() as s:
        job = s.get(BankImport, job_id)
        assert bank.claim(s, job, "running")
        return bank.run_import(s, as_user(s, users, key), job)


def test_unknown_references_and_wrong_amounts_are_shown_and_nothing_is_recorded(app, users, approved):
    programme, batch_id, ids = approved
    data = csv_file([[ids[0], "10000.00", "成功", "B1", ""], [ids[1], "9999.99", "成功", "B2", ""],
                     [999999, "10000", "成功", "B3", ""], [ids[0], "10000", "成功", "B1", ""],
                     ["１２", "10000", "成功", "B4", ""]])
    job, preview = start(app, users, batch_id, data)
    assert [line.kind for line in preview.lines] == ["paid", "mismatched", "unmatched", "unmatched", "unmatched"]
    assert preview.lines[1].expected_fen == 1_000_000 and preview.lines[1].amount_fen == 999_999
    assert not preview.ok
    with app.app_context(), db.write_session() as s, pytest.raises(DomainError):
        job = s.get(BankImport, job.id)
        bank.claim(s, job, "running")
        bank.run_import(s, as_user(s, users, "county_b"), job)
    assert {r.state for r in rows(app, batch_id)} == {EntitlementState.approved}


def test_a_matching_file_with_one_failure_records_all_in_one_go(app, users, approved):
    programme, batch_id, ids = approved
    data = csv_file([[ids[0], "10,000", "成功", "B1", ""], [ids[1], "10000.00", "失败", "", "户名不符"],
                     [ids[2], "10000", "success", "B3", ""]])
    job, preview = start(app, users, batch_id, data)
    assert preview.ok and preview.count("paid") == 2 and preview.count("failed") == 1
    assert run(app, users, job.id) == {"paid": 2, "failed": 1}
    states = {r.id: (r.state, r.bank_reference, r.failure_reason) for r in rows(app, batch_id)}
    assert states[ids[0]] == (EntitlementState.paid, "B1", "")
    assert states[ids[1]] == (EntitlementState.failed, "", "户名不符")
    with app.app_context(), db.new_session() as s:
        assert ledger.fund_figures(s, s.get(Fund, programme.fund_id)).balance == 5_000_000 - 2_000_000
        assert ledger.check(s)["violations"] == 0
        assert s.get(BankImport, job.id).data is None
    with pytest.raises(DomainError):  # the same file again: nothing matches any more
        job2, preview2 = start(app, users, batch_id, data)
        assert not preview2.ok
        run(app, users, job2.id)


def test_the_programmes_own_bank_columns_are_read_from_an_xlsx(app, users, approved):
    from openpyxl import Workbook

    programme, batch_id, ids = approved
    with app.app_context(), db.write_session() as s:
        bank.set_columns(s, as_user(s, users, "county"), s.get(Programme, programme.id),
                         {"entitlement": "业务编号", "amount": "交易金额", "status": "处理结果", "reference": "流水号"})
    book = Workbook()
    book.active.append(["流水号", "业务编号", "交易金额", "处理结果"])
    for i, entitlement_id in enumerate(ids):
        book.active.append([f"F{i}", entitlement_id, 10000, "成功"])
    out = io.BytesIO()
    book.save(out)
    _job, preview = start(app, users, batch_id, out.getvalue(), "bank.xlsx")
    assert preview.ok and [line.reference for line in preview.lines] == ["F0", "F1", "F2"]
    with pytest.raises(FileRejected):
        start(app, users, batch_id, csv_file([[ids[0], "1"]], header=("编号", "金额")))


def test_another_county_cannot_import_into_a_batch(app, users, approved):
    _programme, batch_id, ids = approved
    with pytest.raises(NotAllowed):
        start(app, users, batch_id, csv_file([[ids[0], "10000", "成功", "B", ""]]), key="county2")


def test_account_numbers_are_encrypted_at_rest_and_in_the_sheet_for_approvers_only(app, users, approved):
    programme, batch_id, ids = approved
    child_id = rows(app, batch_id)[0].child_id
    with app.app_context(), db.write_session() as s:
        bank.set_bank_account(s, as_user(s, users, "village"), child_id, "农业银行", "6228 4800 1234 5678 910")
        with pytest.raises(NotFound):
            bank.set_bank_account(s, as_user(s, users, "county2"), child_id, "农业银行", "6228480012345678910")
        with pytest.raises(DomainError):
            bank.set_bank_account(s, as_user(s, users, "village"), child_id, "农业银行", "６２２８４８００１２３４")
    with app.app_context():
        stored = app.extensions["db_engine"].connect().execute(text("SELECT account_number FROM child_bank_account")).scalar()
    assert "6228480012345678910" not in stored
    with app.app_context(), db.write_session() as s:
        data = bank.bank_sheet(s, as_user(s, users, "county_b"), s.get(DisbursementBatch, batch_id))
        for key in ("county2", "village", "donor"):
            with pytest.raises(NotAllowed):
                bank.bank_sheet(s, as_user(s, users, key), s.get(DisbursementBatch, batch_id))
    sheet = load_workbook(io.BytesIO(data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [v for v in values if v[0] == ids[0]][0][3] == "6228480012345678910"
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(ChildBankAccount.bank_name)) == "农业银行"
        assert s.get(Entitlement, ids[0]).state == EntitlementState.approved


def test_a_result_of_more_than_300_lines_is_recorded_in_the_background_with_progress(app, client, users,
                                                                                   make_programme):
    """301 payments: the file is recorded by the task queue (at once in tests), its page follows it."""
    import secrets
    from datetime import date

    from portal.children.models import Child
    from tests.conftest import login, post
    from tests.disbursements.conftest import SCHOLARSHIP, enrol_all, give, years_ago

    with app.app_context(), db.write_session() as s:  # files written directly: registering 301 through the rules is slow
        s.add_all([Child(region_code="371302105259", name=f"学生{n}", gender="male", birth_date=years_ago(18),
                         categories=["orphan"], school_stage="university", qr_token=secrets.token_hex(8))
                   for n in range(301)])
    programme = make_programme(SCHOLARSHIP)
    enrol_all(app, users, programme.id)
    give(app, programme.fund_id, 301 * 1_000_000)
    app.config["DISBURSEMENT_HEAD_FEN"] = 10**12  # one approval is enough here
    batch_id = make_batch(app, users, programme.id, period=str(date.today().year))
    approve(app, users, batch_id, "county_b")
    ids = [r.id for r in rows(app, batch_id)]
    assert len(ids) == 301
    login(client, "county_b")
    data = csv_file([[i, "10000", "成功", f"B{i}", ""] for i in ids])
    uploaded = post(client, f"/disbursements/{batch_id}/bank-result", {"file": (io.BytesIO(data), "big.csv")},
                    content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[-3000:]
    job_url = uploaded.headers["Location"]
    assert post(client, job_url).status_code == 302
    assert "已记录：成功 301 笔，失败 0 笔" in client.get(job_url).get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(BankImport.status)) == "done"
        assert {r.state for r in s.scalars(select(Entitlement).where(Entitlement.batch_id == batch_id))} == {"paid"}
        assert ledger.check(s)["violations"] == 0
