"""Moves and status: the file follows the child; the old village keeps the history only."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.children import rules
from portal.children.models import Child, ChildStatus
from portal.errors import DomainError, NotAllowed
from tests.conftest import post


def test_moving_hands_the_file_to_the_new_village(app, as_user, client, make_child, users):
    child = make_child("village")
    as_user("village")
    post(client, f"/children/{child.id}/visits/new", {"visited_on": date.today().isoformat(), "mode": "home",
                                                      "findings": "搬家前的走访"})
    response = post(client, f"/children/{child.id}/status", {"move-to_region_code": "371311001001"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/children/moved")
    # the old village: no file any more, but the history up to the move
    assert client.get(f"/children/{child.id}").status_code == 404
    assert child.name in client.get("/children/moved").get_data(as_text=True)
    history = client.get(f"/children/{child.id}/history").get_data(as_text=True)
    assert "搬家前的走访" in history and "371302201" not in history  # no identity number in the history
    # the new county takes it over
    other = app.test_client()
    from tests.conftest import login

    login(other, "county2")
    assert child.name in other.get(f"/children/{child.id}").get_data(as_text=True)


def test_the_new_village_visits_after_the_move_are_not_in_the_old_history(app, users, make_child):
    from portal.visits.rules import record_visit
    from tests.conftest import login

    child = make_child("village")
    with app.app_context(), db.write_session() as s:
        rules.move_child(s, s.get(User, users["village"].id), s.get(Child, child.id), "371311001001")
    with app.app_context(), db.write_session() as s:
        record_visit(s, s.get(User, users["county2"].id), s.get(Child, child.id), visited_on=date.today(),
                     mode="home", findings="新村的走访")
    with app.app_context(), db.new_session() as s:
        moved = s.get(Child, child.id)
        assert rules.history_cutoff(s, s.get(User, users["village"].id), moved) is not None
        assert rules.history_cutoff(s, s.get(User, users["village2"].id), moved) is None
    old_village = app.test_client()
    login(old_village, "village")
    page = old_village.get(f"/children/{child.id}/history").get_data(as_text=True)
    assert child.name in page and "新村的走访" not in page


def test_nobody_moves_a_file_they_cannot_edit(session, users, make_child):
    child = session.get(Child, make_child("village").id)
    with pytest.raises(NotAllowed):
        rules.move_child(session, session.get(User, users["county2"].id), child, "371311001001")
    with pytest.raises(DomainError):
        rules.move_child(session, session.get(User, users["village"].id), child, "371302105000")  # a town


def test_closing_needs_a_reason_and_files_are_never_deleted(app, as_user, client, make_child):
    child = make_child("village")
    as_user("town")
    refused = post(client, f"/children/{child.id}/status", {"status-status": "closed", "status-reason": ""})
    assert refused.status_code == 400 and "请说明原因" in refused.get_data(as_text=True)
    post(client, f"/children/{child.id}/status", {"status-status": "closed", "status-reason": "已被收养"})
    with app.app_context(), db.new_session() as s:
        stored = s.get(Child, child.id)
    assert stored.status == ChildStatus.closed and stored.status_reason == "已被收养"
    assert child.name not in client.get("/children/").get_data(as_text=True)  # lists show active files
    assert child.name in client.get("/children/?status=closed").get_data(as_text=True)
    assert post(client, f"/children/{child.id}/visits/new", {"visited_on": date.today().isoformat(),
                                                             "mode": "home"}).status_code == 404


def test_children_who_turn_18_age_out(session, users, make_child):
    today = date(2026, 11, 26)
    adult = make_child("village", birth_date=date(2008, 11, 26))
    minor = make_child("village", birth_date=date(2008, 11, 27))
    assert rules.age_out(session, today) == 1
    session.commit()
    statuses = dict(session.execute(select(Child.id, Child.status)).all())
    assert statuses[adult.id] == ChildStatus.aged_out and statuses[minor.id] == ChildStatus.active
    assert rules.age_out(session, today + timedelta(days=1)) == 1


@pytest.mark.parametrize("viewer", ["village2", "county2", "org", "admin"])
def test_strangers_see_neither_status_page_nor_history(as_user, client, make_child, viewer):
    child = make_child("village")
    as_user(viewer)
    for path in (f"/children/{child.id}/status", f"/children/{child.id}/history"):
        assert client.get(path).status_code in (403, 404), path


def test_left_behind_child_gets_a_temporary_guardianship_agreement(app, as_user, client, make_child):
    child = make_child("village", categories=["left_behind"])
    as_user("village")
    response = post(client, f"/children/{child.id}/agreement", {"guardian_name": "王秀兰", "signed_on": "2026-03-01"})
    assert response.status_code == 302
    page = client.get(f"/children/{child.id}/agreement").get_data(as_text=True)
    assert "王秀兰" in page and "2027-03-01" in page


def test_agreement_is_refused_for_other_children_and_bad_dates(session, users, make_child):
    orphan_id = make_child("village", categories=["orphan"]).id
    left_id = make_child("village", categories=["left_behind"]).id
    orphan, left = session.get(Child, orphan_id), session.get(Child, left_id)
    village = session.get(User, users["village"].id)
    with pytest.raises(DomainError):
        rules.record_agreement(session, village, orphan, guardian_name="王秀兰", signed_on=date(2026, 3, 1))
    with pytest.raises(DomainError):
        rules.record_agreement(session, village, left, guardian_name="王秀兰", signed_on=date(2026, 3, 1),
                               renewal_due=date(2026, 2, 1))
    with pytest.raises(NotAllowed):
        rules.record_agreement(session, session.get(User, users["county2"].id), left, guardian_name="王秀兰",
                               signed_on=date(2026, 3, 1))
