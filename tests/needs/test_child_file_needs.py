"""Issue 21: a child's file lists the child's needs with their status, and offers "report a need"."""

from __future__ import annotations

import re


def test_the_childs_file_lists_its_needs_with_status(client, as_user, make_need, app):
    from portal import db
    from portal.needs.models import Need

    need_id = make_need(to="at_town", child_values={"name": "冯小雪"})
    with app.app_context(), db.new_session() as s:
        child_id = s.get(Need, need_id).child_id
    as_user("village")
    page = client.get(f"/children/{child_id}").get_data(as_text=True)
    section = re.search(r'<section class="card" id="needs">.*?</section>', page, re.S).group(0)
    assert f'href="/needs/{need_id}"' in section and "镇级处理中" in section
    assert f'href="/needs/new?child={child_id}"' in section


def test_a_file_without_needs_says_so(client, as_user, make_child):
    child = make_child("village")
    as_user("village")
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "尚未上报需求" in page


def test_another_countys_staff_cannot_open_the_file_or_its_needs(client, as_user, make_need, app):
    from portal import db
    from portal.needs.models import Need

    need_id = make_need(child_values={"name": "冯小雪"})
    with app.app_context(), db.new_session() as s:
        child_id = s.get(Need, need_id).child_id
    as_user("county2")
    response = client.get(f"/children/{child_id}")
    assert response.status_code in (403, 404) and f"/needs/{need_id}" not in response.get_data(as_text=True)
