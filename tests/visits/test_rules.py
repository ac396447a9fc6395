"""Visits: intervals by risk level and county, due dates, overdue lists."""

from datetime import date, timedelta

import pytest

from portal import db
from portal.accounts.models import User
from portal.children import rules as child_rules
from portal.children.models import Child
from portal.errors import DomainError, NotAllowed
from portal.visits import rules, schedule
from portal.visits.models import VisitPolicy

TODAY = date(2026, 11, 26)


def _user(session, users, key) -> User:
    return session.get(User, users[key].id)


def test_default_intervals():
    assert schedule.DEFAULT_DAYS == {"red": 7, "yellow": 15, "blue": 30, "green": 90}


def test_a_county_sets_its_own_intervals(session, regions):
    session.add(VisitPolicy(county_code="371302000000", red_days=5))
    session.flush()
    assert schedule.visit_interval(session, "371302105259", "red") == 5
    assert schedule.visit_interval(session, "371311001001", "red") == 7  # the neighbour keeps the default


def test_a_visit_moves_the_due_date_by_the_childs_interval(session, users, make_child):
    child = session.get(Child, make_child("village").id)
    village = _user(session, users, "village")
    child_rules.record_assessment(session, village, child, indicators=["neglect"], assessed_on=TODAY, today=TODAY)
    rules.record_visit(session, village, child, visited_on=TODAY - timedelta(days=2), mode="home", today=TODAY)
    assert child.last_visited_on == TODAY - timedelta(days=2)
    assert child.next_visit_due == TODAY + timedelta(days=5)


def test_an_older_visit_entered_late_does_not_move_the_due_date_back(session, users, make_child):
    child = session.get(Child, make_child("village").id)
    village = _user(session, users, "village")
    rules.record_visit(session, village, child, visited_on=TODAY, mode="home", today=TODAY)
    due = child.next_visit_due
    rules.record_visit(session, village, child, visited_on=TODAY - timedelta(days=20), mode="phone", today=TODAY)
    assert child.next_visit_due == due and child.last_visited_on == TODAY


def test_future_visits_and_other_regions_are_refused(session, users, make_child):
    child = session.get(Child, make_child("village").id)
    with pytest.raises(DomainError):
        rules.record_visit(session, _user(session, users, "village"), child, visited_on=TODAY + timedelta(days=1),
                           mode="home", today=TODAY)
    for key in ("village2", "county2", "org", "admin"):
        with pytest.raises(NotAllowed):
            rules.record_visit(session, _user(session, users, key), child, visited_on=TODAY, mode="home", today=TODAY)


def test_overdue_list_holds_exactly_the_late_children(session, users, make_child):
    late_id, on_time_id = make_child("village").id, make_child("village").id
    late, on_time = session.get(Child, late_id), session.get(Child, on_time_id)
    late.next_visit_due = TODAY - timedelta(days=3)
    on_time.next_visit_due = TODAY + timedelta(days=3)
    session.commit()
    listed, total = child_rules.list_children(
        session, _user(session, users, "town"), child_rules.ChildFilter(overdue=True), 1, 50, today=TODAY
    )
    assert [c.id for c in listed] == [late.id] and total == 1
    assert rules.days_overdue(late, TODAY) == 3 and rules.days_overdue(on_time, TODAY) == 0


def test_recording_a_visit_announces_it_for_the_needs_area(session, users, make_child):
    received = []

    def listener(visit, actor, child, session):
        received.append((visit.id, actor.username, child.id))

    rules.visit_recorded.connect(listener)
    try:
        child = session.get(Child, make_child("village").id)
        visit = rules.record_visit(session, _user(session, users, "village"), child, visited_on=TODAY, mode="home",
                                   today=TODAY)
    finally:
        rules.visit_recorded.disconnect(listener)
    assert received == [(visit.id, "village", child.id)]


def test_county_staff_set_their_intervals_and_due_dates_follow(app, as_user, client, make_child):
    from tests.conftest import post

    child = make_child("village")
    as_user("county")
    response = post(client, "/visits/policy", {"red": "5", "yellow": "10", "blue": "20", "green": "60"})
    assert response.status_code == 302
    with app.app_context(), db.new_session() as s:
        assert schedule.visit_interval(s, "371302105259", "yellow") == 10
        assert schedule.visit_interval(s, "371311001001", "yellow") == 15
    assert child.id


def test_intervals_must_be_ordered_and_bounded(app, as_user, client):
    from tests.conftest import post

    as_user("county")
    for values in ({"red": "30", "yellow": "10", "blue": "20", "green": "60"},
                   {"red": "0", "yellow": "10", "blue": "20", "green": "60"},
                   {"red": "x", "yellow": "10", "blue": "20", "green": "60"}):
        response = post(client, "/visits/policy", values)
        assert response.status_code == 400
    with app.app_context(), db.new_session() as s:
        assert s.get(VisitPolicy, "371302000000") is None


def test_only_the_countys_own_staff_set_its_intervals(app, as_user, client):
    from tests.conftest import login, post

    as_user("county2")
    assert post(client, "/visits/policy?county=371302000000",
                {"red": "5", "yellow": "10", "blue": "20", "green": "60"}).status_code == 403
    assert client.get("/visits/policy?county=371302000000").status_code == 403
    for role in ("town", "village", "org", "admin"):
        other = app.test_client()
        login(other, role)
        assert other.get("/visits/policy").status_code == 403, role
