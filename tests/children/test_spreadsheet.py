"""Ledgers in and out of spreadsheets: preview with every problem, all-or-nothing import,
updates only where chosen, exports with identity data only encrypted."""

import io
from datetime import date

import msoffcrypto
import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from portal import db
from portal.audit.models import AuditEntry
from portal.children import idnumber, spreadsheet
from portal.children.models import Child, Guardian
from tests.conftest import csrf_token, post

VILLAGES = ["371302105259", "371302105260", "371302101201"]  # all inside Lanshan district


def _rows(count: int, bad: dict[int, dict] | None = None) -> list[list]:
    rows = []
    for i in range(count):
        born = date(2010 + i % 7, 1 + i % 12, 1 + i % 28)
        gender = "男" if i % 2 else "女"
        number = idnumber.make("371302", born, 2 * (i % 400) + (1 if gender == "男" else 0))
        row = {"name": f"导入儿童{i:03d}", "gender": gender, "birth_date": born.isoformat(), "id_number": number,
               "ethnicity": "汉族", "region_code": VILLAGES[i % 3], "categories": "留守儿童、低保",
               "guardian_relation": "祖母", "guardian_name": f"监护人{i}", "guardian_phone": "13900000000"}
        row.update((bad or {}).get(i, {}))
        rows.append([row.get(key, "") for key, _label in spreadsheet.COLUMNS])
    return rows


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([label for _key, label in spreadsheet.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, name: str = "台账.xlsx"):
    token = csrf_token(client, "/children/import")
    return client.post("/children/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _count(app) -> int:
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(func.count()).select_from(Child))


BAD = {
    41: {"id_number": "371302201001010139"},                       # wrong check digit
    205: {"categories": "留守儿童、外星儿童"},                        # unknown category
    388: {"region_code": "371311001001"},                          # a village of the neighbouring county
}


def test_500_rows_with_three_bad_ones_then_corrected(app, as_user, client):
    as_user("county")
    response = _upload(client, _xlsx(_rows(500, BAD)))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 行有问题" in page
    for line in (43, 207, 390):  # row i is on line i + 2 (the header is line 1)
        assert f"<td>{line}</td>" in page
    assert "校验位" in page and "外星儿童" in page and "不在您的辖区" in page
    assert _count(app) == 0
    confirm = post(client, response.headers["Location"], {})
    assert confirm.status_code == 400 and _count(app) == 0  # a file with errors cannot be imported

    corrected = _upload(client, _xlsx(_rows(500)))
    job_url = corrected.headers["Location"]
    assert "没有发现问题" in client.get(job_url).get_data(as_text=True)
    done = post(client, job_url, {})
    assert done.status_code == 302
    assert _count(app) == 500  # 500 rows > the background threshold: the task ran (immediately in tests)
    status = client.get(job_url).get_data(as_text=True)
    assert "新建 500 份档案" in status
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Guardian)) == 500
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "children.import")).one()
    assert entry.detail["added"] == 500


def test_existing_files_are_updated_only_where_chosen(app, as_user, client):
    as_user("county")
    post(client, _upload(client, _xlsx(_rows(3))).headers["Location"], {})
    changed = _rows(3)
    changed[0][0] = "改名儿童甲"
    changed[1][0] = "改名儿童乙"
    job_url = _upload(client, _xlsx(changed)).headers["Location"]
    preview = client.get(job_url).get_data(as_text=True)
    assert "已有档案" in preview
    post(client, job_url, {"update": ["2"]})  # line 2 (the first row) only
    with app.app_context(), db.new_session() as s:
        names = set(s.scalars(select(Child.name)))
    assert "改名儿童甲" in names and "改名儿童乙" not in names and _count(app) == 3


def test_repeated_identity_number_in_one_file_is_a_row_error(as_user, client):
    as_user("county")
    rows = _rows(2)
    rows[1] = list(rows[0])
    rows[1][0] = "另一个名字"
    page = client.get(_upload(client, _xlsx(rows)).headers["Location"]).get_data(as_text=True)
    assert "第 2 行" in page


def test_gbk_csv_is_read(app, as_user, client):
    as_user("county")
    header = ",".join(label for _key, label in spreadsheet.COLUMNS)
    line = ",".join(str(v) for v in _rows(1)[0])
    response = _upload(client, f"{header}\n{line}\n".encode("gb18030"), "台账.csv")
    post(client, response.headers["Location"], {})
    assert _count(app) == 1


@pytest.mark.parametrize("name, data", [("x.xlsx", b"not a workbook"), ("x.pdf", b"%PDF-1.4"), ("x.xlsx", b"")])
def test_unreadable_files_are_refused_and_change_nothing(app, as_user, client, name, data):
    as_user("county")
    response = _upload(client, data, name)
    assert response.status_code == 400
    assert _count(app) == 0


def test_missing_required_columns_are_named(as_user, client):
    as_user("county")
    book = Workbook()
    book.active.append(["姓名", "性别"])
    book.active.append(["张三", "男"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = _upload(client, buffer.getvalue()).get_data(as_text=True)
    assert "出生日期" in page and "儿童类别" in page


def test_someone_elses_import_is_not_found(app, as_user, client, users):
    as_user("county")
    job_url = _upload(client, _xlsx(_rows(2))).headers["Location"]
    other = app.test_client()
    from tests.conftest import login

    login(other, "city")
    assert other.get(job_url).status_code == 404


@pytest.mark.parametrize("role", ["org", "volunteer", "donor", "admin"])
def test_helpers_and_admin_cannot_import_or_export(as_user, client, role):
    as_user(role)
    for path in ("/children/import", "/children/import/template.xlsx", "/children/export"):
        assert client.get(path).status_code == 403


def test_template_has_the_chinese_headers(as_user, client):
    as_user("village")
    book = load_workbook(io.BytesIO(client.get("/children/import/template.xlsx").data))
    assert [c.value for c in book.active[1]][:3] == ["姓名", "性别", "出生日期"]


def test_export_without_identity_has_no_names_or_numbers(app, as_user, client, make_child):
    child = make_child("village", name="王小红")
    as_user("town")
    response = post(client, "/children/export", {})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
    assert "王小红" not in text and str(child.id) in text
    with app.app_context(), db.new_session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "children.export")).one()
    assert entry.detail["identity"] is False and entry.detail["rows"] == 1


def test_export_with_identity_needs_a_password_and_is_encrypted(app, as_user, client, make_child):
    make_child("village", name="王小红")
    as_user("town")
    refused = post(client, "/children/export", {"with_identity": "y"})
    assert refused.status_code == 400 and "至少 8 个字符" in refused.get_data(as_text=True)
    response = post(client, "/children/export", {"with_identity": "y", "password": "secret-pass-1"})
    encrypted = msoffcrypto.OfficeFile(io.BytesIO(response.data))
    assert encrypted.is_encrypted()
    encrypted.load_key(password="secret-pass-1")
    plain = io.BytesIO()
    encrypted.decrypt(plain)
    text = " ".join(str(c.value) for row in load_workbook(plain).active.iter_rows() for c in row)
    assert "王小红" in text


def test_rows_that_look_like_files_on_record_are_flagged_not_refused(app, as_user, client, make_child):
    rows = _rows(1)
    born = date.fromisoformat(rows[0][2])
    make_child("village", name="导入儿童000", birth_date=born, id_number="")
    as_user("county")
    job_url = _upload(client, _xlsx(rows)).headers["Location"]
    preview = client.get(job_url).get_data(as_text=True)
    assert "请核对" in preview and "导入儿童000 ≈ 导入儿童000" in preview
    assert post(client, job_url, {}).status_code == 302
    assert _count(app) == 2


def test_an_update_from_a_ledger_never_blanks_what_it_does_not_mention(app, as_user, client):
    as_user("county")
    rows = _rows(1)
    rows[0][7] = "屠苏村 12 号"  # address
    post(client, _upload(client, _xlsx(rows)).headers["Location"], {})
    sparse = _rows(1)
    sparse[0][0] = "新名字"
    for key in ("address", "guardian_relation", "guardian_name", "guardian_phone"):
        sparse[0][[k for k, _ in spreadsheet.COLUMNS].index(key)] = ""
    post(client, _upload(client, _xlsx(sparse)).headers["Location"], {"update": ["2"]})
    with app.app_context(), db.new_session() as s:
        child = s.scalars(select(Child)).one()
        guardians = s.scalar(select(func.count()).select_from(Guardian))
    assert child.name == "新名字" and child.address == "屠苏村 12 号" and guardians == 1


def test_a_confirmation_sent_twice_imports_once(app, as_user, client):
    from portal.children import imports
    from portal.children.models import ChildImport

    as_user("county")
    job_url = _upload(client, _xlsx(_rows(2))).headers["Location"]
    token = job_url.rsplit("/", 1)[1]
    with app.app_context(), db.new_session(write=True) as s:
        job = s.scalars(select(ChildImport).where(ChildImport.token == token)).one()
        assert imports.claim(s, job, "running", [])
        assert not imports.claim(s, job, "running", [])  # the second request finds it taken
        s.rollback()
    assert post(client, job_url, {}).status_code == 302
    again = post(client, job_url, {})  # the same confirmation once more: shows the finished import
    assert again.status_code == 200 and "新建 2 份档案" in again.get_data(as_text=True)
    assert _count(app) == 2


def test_kept_uploads_are_dropped_after_a_day_whatever_their_state(app, as_user, client):
    from datetime import timedelta

    from portal.children import imports
    from portal.children.models import ChildImport
    from portal.types import utcnow

    as_user("county")
    _upload(client, _xlsx(_rows(1)))
    with app.app_context(), db.write_session() as s:
        job = s.scalars(select(ChildImport)).one()
        job.status, job.created_at = "failed", utcnow() - timedelta(days=2)
    with app.app_context(), db.write_session() as s:
        imports.purge_stale(s)
    with app.app_context(), db.new_session() as s:
        assert s.scalars(select(ChildImport)).one().data is None


def test_exporting_identity_data_is_a_read_of_each_childs_file(app, as_user, client, make_child):
    first, second = make_child("village"), make_child("village")
    as_user("town")
    post(client, "/children/export", {"with_identity": "y", "password": "secret-pass-1"})
    with app.app_context(), db.new_session() as s:
        reads = {e.object_id for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "read"))}
    assert reads == {str(first.id), str(second.id)}


def test_text_that_looks_like_a_formula_stays_text():
    assert spreadsheet._cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert spreadsheet._cell("王小红") == "王小红"
