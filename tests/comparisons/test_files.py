"""Bad partner files get a clear message in the user's language and leave nothing behind."""

import io
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal import db
from portal.children.spreadsheet import FileRejected
from portal.comparisons.models import Comparison, ComparisonRow
from tests.comparisons.conftest import csv_of

ROW = {"name": "张小明", "id_number": "", "birth_date": "2015-03-08", "address": "义堂镇屠苏村8号"}


def _nothing_kept(app) -> bool:
    with app.app_context():
        s = db.new_session()
        try:
            return not s.scalar(select(func.count()).select_from(Comparison)) and \
                not s.scalar(select(func.count()).select_from(ComparisonRow))
        finally:
            s.close()


def _refused(app, compare, data: bytes, filename: str = "名单.csv") -> str:
    with pytest.raises(FileRejected) as refused:
        compare(data, filename=filename)
    assert _nothing_kept(app)
    with app.test_request_context():
        return str(refused.value.message)  # in the user's language (Chinese by default)


def test_gbk_and_utf8_lists_are_both_read(app, compare, regions):
    for encoding in ("gb18030", "utf-8-sig"):
        compare(csv_of([ROW], encoding))
    with app.app_context():
        s = db.new_session()
        assert s.scalar(select(func.count()).select_from(ComparisonRow)) == 2
        s.close()


def test_list_in_another_encoding_is_refused(app, compare):
    assert "UTF-8" in _refused(app, compare, csv_of([ROW]).decode().encode("utf-16"))
    assert "UTF-8" in _refused(app, compare, "姓名,出生年月\n".encode() + "José,2015-03-08\n".encode("latin-1"))


def test_list_without_the_name_column_is_refused(app, compare):
    message = _refused(app, compare, "编号,出生年月\n1,2015-03-08\n".encode())
    assert "姓名" in message and "缺少" in message


def test_list_with_headings_only_is_refused(app, compare):
    assert "没有" in _refused(app, compare, csv_of([]))


def test_other_files_are_refused(app, compare):
    assert ".xlsx" in _refused(app, compare, b"%PDF-1.4", filename="名单.pdf")
    assert ".xlsx" in _refused(app, compare, b"not a workbook", filename="名单.xlsx")


def test_a_million_rows_are_refused_without_reading_them_all(app, compare):
    line = "张小明,,2015-03-08,,义堂镇屠苏村8号\n".encode()
    data = csv_of([]) + line * 1_000_000
    started = time.perf_counter()
    message = _refused(app, compare, data)
    assert "100000" in message
    # Refused after one row past the limit: far less than reading 1,000,000 rows would take.
    assert time.perf_counter() - started < 10


def test_workbook_over_the_row_limit_is_refused(app, compare):
    app.config["COMPARISON_MAX_ROWS"] = 3
    book = Workbook()
    book.active.append(["姓名", "出生年月"])
    for _ in range(4):
        book.active.append(["张小明", "2015-03-08"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert "3" in _refused(app, compare, buffer.getvalue(), filename="名单.xlsx")


def test_gbk_list_whose_first_part_is_plain_ascii_is_read_as_gbk(app, compare):
    lines = ["name,birth_date,address"] + [f"Li Ming {n},2015-03-08,No. {n}" for n in range(4000)]
    data = ("\n".join(lines) + "\n").encode() + "孙可馨,2017-02-14,义堂镇颐顺园村3号\n".encode("gbk")
    comparison_id = compare(data)
    with app.app_context():
        s = db.new_session()
        last = s.scalar(select(ComparisonRow).where(ComparisonRow.comparison_id == comparison_id)
                        .order_by(ComparisonRow.line.desc()))
        assert "孙可馨" in last.data and last.outcome == "new"
        s.close()
