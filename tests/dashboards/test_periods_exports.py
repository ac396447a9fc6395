"""The period picker (month, quarter, year, custom; the period before; bad input refused in the
user's language), and the report's .xlsx and .docx holding the page's sentences and figures."""

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from portal.dashboards import periods
from portal.errors import DomainError
from tests.dashboards.conftest import TODAY, TOWN, VILLAGE


def test_each_kind_of_period_and_the_one_before_it():
    today = date(2026, 1, 15)
    assert periods.parse(None, None, None, None, today) == periods.Period("month", date(2026, 1, 1), date(2026, 1, 31))
    assert periods.parse("month", "2026-01", None, None, today).previous() == periods.Period(
        "month", date(2025, 12, 1), date(2025, 12, 31))
    q = periods.parse("quarter", "2026-q1", None, None, today)
    assert (q.start, q.end, q.value) == (date(2026, 1, 1), date(2026, 3, 31), "2026-Q1")
    assert q.previous() == periods.Period("quarter", date(2025, 10, 1), date(2025, 12, 31))
    assert periods.parse("year", "2025", None, None, today).previous().value == "2024"
    custom = periods.parse("custom", None, "2026-01-10", "2026-01-19", today)
    assert custom.previous() == periods.Period("custom", date(2025, 12, 31), date(2026, 1, 9))
    assert custom.query() == {"period": "custom", "start": "2026-01-10", "end": "2026-01-19"}


@pytest.mark.parametrize(("kind", "value", "start", "end"), [
    ("month", "2026-13", None, None), ("month", "２０２６-09", None, None), ("month", "2026年9月", None, None),
    ("quarter", "2026-Q5", None, None), ("year", "二〇二六", None, None), ("year", "0000", None, None),
    ("week", "2026-01", None, None), ("custom", None, "2026-02-01", "2026-01-01"),
    ("custom", None, "2020-01-01", "2026-01-01"), ("custom", None, "yesterday", "2026-01-01"),
    ("custom", None, "２０２６-01-01", "2026-01-31"),
])
def test_periods_in_another_shape_are_refused(kind, value, start, end):
    with pytest.raises(DomainError):
        periods.parse(kind, value, start, end, date(2026, 1, 15))


def test_a_bad_period_gets_a_clear_message_in_chinese_and_no_figures(as_user, lanshan):
    response = as_user("town").get(f"/dashboards/{TOWN}?period=month&value=2026-13")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请按 2026-09（月）" in page and "children-by-region" not in page


def test_the_xlsx_holds_the_sentences_and_every_tables_figures(as_user, lanshan):
    response = as_user("town").get(f"/dashboards/{TOWN}/report.xlsx?period=month&value={TODAY:%Y-%m}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    report, tables = book.worksheets
    lines = [row[0] for row in report.iter_rows(values_only=True)]
    assert "登记在册重点监测儿童6名" in lines and "结对帮扶1名" in lines and "接收社会捐赠12,000元" in lines
    rows = [row for row in tables.iter_rows(values_only=True)]
    village = next(row for row in rows if row[0] == "屠苏村村民委员会")  # the first table: children
    assert village[1] == "4"  # four children of 屠苏村 in the registry
    assert any(row[0] == "合计" and row[1] == "6" for row in rows)


def test_the_docx_holds_the_sentences_and_the_tables(as_user, lanshan):
    response = as_user("village").get(f"/dashboards/{VILLAGE}/report.docx?period=year&value={TODAY.year}")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    text = [p.text for p in document.paragraphs]
    assert "登记在册重点监测儿童4名" in text and "其中孤儿2名" in text
    first = document.tables[0]
    assert [c.text for c in first.rows[1].cells][:2] == ["屠苏村村民委员会", "4"]
