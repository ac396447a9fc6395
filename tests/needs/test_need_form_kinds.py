"""Issue 21: the need form asks only for the fields of the chosen kind, ignores a field of another
kind, and keeps what was typed when the server refuses."""

from __future__ import annotations

import re

from portal import db
from portal.needs.models import Need
from tests.conftest import form_on, post


def _fields(client, child_id: int, **values):
    fields = form_on(client.get(f"/needs/new?child={child_id}").get_data(as_text=True))
    for key, value in {"category": "education", "description": "需要课外书和文具", "urgency": "2", **values}.items():
        fields[key] = value
    return fields


def test_a_target_typed_before_the_kind_changed_is_ignored(client, as_user, make_child, app):
    child = make_child("village")
    as_user("village")
    response = post(client, f"/needs/new?child={child.id}", _fields(client, child.id, kind="goods", target_yuan="500"))
    assert response.status_code == 302
    with app.app_context(), db.new_session() as s:
        need = s.query(Need).filter_by(child_id=child.id).one()
    assert need.kind == "goods" and need.target_fen == 0


def test_a_refused_money_need_keeps_what_was_typed(client, as_user, make_child, app):
    child = make_child("village")
    as_user("village")
    response = post(client, f"/needs/new?child={child.id}", _fields(client, child.id, kind="money", target_yuan=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "目标金额" in page
    assert "需要课外书和文具" in page  # what was typed is still there
    assert re.search(r'<input checked[^>]*name="kind"[^>]*value="money"', page)  # and the kind chosen
    with app.app_context(), db.new_session() as s:
        assert s.query(Need).filter_by(child_id=child.id).count() == 0


def test_the_form_marks_the_fields_of_each_kind(client, as_user, make_child):
    child = make_child("village")
    as_user("village")
    page = client.get(f"/needs/new?child={child.id}").get_data(as_text=True)
    assert '<div data-kind="money">' in page and 'name="target_yuan"' in page.split('data-kind="money"')[1][:600]
    assert '<div data-kind="pairing">' in page and 'name="pairing_months"' in page.split('data-kind="pairing"')[1][:600]
