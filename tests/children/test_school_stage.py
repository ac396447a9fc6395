"""The school stage on a child's file (programmes name it: a scholarship for university students):
the form, the rules and the ledger import all keep it, and refuse a stage that does not exist."""

from datetime import date

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.children import rules, spreadsheet
from portal.children.models import Child, SchoolStage
from portal.errors import DomainError
from tests.children.test_spreadsheet import _rows, _upload, _xlsx
from tests.conftest import post


def test_the_form_keeps_the_school_stage(app, as_user, client, make_child):
    child = make_child(school_stage="junior_secondary")
    as_user("village")
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "初中" in page
    edit = client.get(f"/children/{child.id}/edit").get_data(as_text=True)
    assert '<option selected value="junior_secondary">' in edit


def test_an_unknown_school_stage_is_refused(session, users):
    values = rules.ChildValues(name="学段测试", gender="male", birth_date=date(2012, 5, 1), region_code="371302105259",
                               categories=["orphan"], school_stage="postdoc")
    with pytest.raises(DomainError) as refused:
        rules.register_child(session, session.get(User, users["village"].id), values, confirmed_not_duplicate=True)
    assert refused.value.details["field"] == "school_stage"


def test_the_ledger_column_reads_the_bureaus_words(app, as_user, client):
    rows = _rows(3)
    column = [key for key, _label in spreadsheet.COLUMNS].index("school_stage")
    rows[0][column], rows[1][column], rows[2][column] = "大学", "中职", ""
    as_user("county")
    post(client, _upload(client, _xlsx(rows)).headers["Location"], {})
    with app.app_context(), db.new_session() as s:
        stages = [c.school_stage for c in s.scalars(select(Child).order_by(Child.name))]
    assert stages == [SchoolStage.university, SchoolStage.vocational_school, SchoolStage.none]


def test_an_unknown_stage_in_a_ledger_is_a_row_error(app, as_user, client):
    rows = _rows(2)
    rows[1][[key for key, _label in spreadsheet.COLUMNS].index("school_stage")] = "博士后"
    as_user("county")
    page = client.get(_upload(client, _xlsx(rows)).headers["Location"]).get_data(as_text=True)
    assert "未知的学段：博士后。" in page
