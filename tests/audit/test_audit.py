"""The audit log: what is recorded, who may search it, and that each sees only their subtree."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.audit import rules
from portal.audit.models import AuditEntry
from tests.conftest import login, post


def _entries(app, **where):
    with app.app_context():
        stmt = select(AuditEntry)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        with db.new_session() as s:
            return list(s.scalars(stmt))


def test_login_is_recorded_with_the_address(app, client, users):
    # the test client connects from 127.0.0.1
    login(client, "town")
    (entry,) = _entries(app, action="login")
    assert entry.actor_name == "town" and entry.address == "127.0.0.1" and entry.region_code == "371302105000"


def test_a_read_is_recorded_even_when_the_request_changes_nothing(app, users):
    with app.test_request_context("/children/1", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        session = db.session()
        reader = session.get(User, users["village"].id)
        rules.record_read(reader, "child", 1, region_code="371302105259")
        session.rollback()
    (entry,) = _entries(app, action="read")
    assert (entry.object_type, entry.object_id, entry.address) == ("child", "1", "10.1.2.3")


def test_role_changes_and_status_changes_are_recorded(app, as_user, client, users):
    as_user("town")
    post(client, f"/accounts/{users['village'].id}/active", {"active": "0"})
    (entry,) = _entries(app, action="user.deactivate")
    assert entry.actor_name == "town" and entry.object_id == str(users["village"].id)


@pytest.fixture
def logged(app, users):
    """One entry in each county, one without a region."""
    with app.app_context(), db.write_session() as s:
        village = s.get(User, users["village"].id)
        rules.record(s, village, "read", "child", 11, region_code="371302105259")
        rules.record(s, s.get(User, users["county2"].id), "read", "child", 22, region_code="371311001001")
        rules.record(s, s.get(User, users["admin"].id), "regions.import", "region", "*")


def test_county_staff_see_their_subtree_only(as_user, client, logged):
    as_user("county")
    page = client.get("/audit/").get_data(as_text=True)
    assert "child 11" in page and "child 22" not in page and "regions.import" not in page


def test_neighbouring_county_sees_its_own_only(as_user, client, logged):
    as_user("county2")
    page = client.get("/audit/").get_data(as_text=True)
    assert "child 22" in page and "child 11" not in page


def test_city_sees_both_counties_and_admin_sees_all(app, as_user, client, logged):
    as_user("city")
    page = client.get("/audit/").get_data(as_text=True)
    assert "child 11" in page and "child 22" in page and "regions.import" not in page
    admin = app.test_client()
    login(admin, "admin")
    assert "regions.import" in admin.get("/audit/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["town", "village", "org", "volunteer", "donor"])
def test_below_county_and_helpers_cannot_search(as_user, client, logged, role):
    as_user(role)
    assert client.get("/audit/").status_code == 403


def test_filters_by_user_action_and_date(app, as_user, client, logged):
    as_user("admin")
    page = client.get("/audit/?actor=village&action=read").get_data(as_text=True)
    assert "child 11" in page and "child 22" not in page
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "child 11" not in client.get(f"/audit/?from={tomorrow}").get_data(as_text=True)
    htmx = client.get("/audit/?object_id=22", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in htmx and "child 22" in htmx


def test_search_statement_count_does_not_grow_with_entries(app, as_user, client, statement_counter, logged, users):
    as_user("admin")
    client.get("/audit/")
    with statement_counter() as few:
        client.get("/audit/")
    with app.app_context(), db.write_session() as s:
        actor = s.get(User, users["village"].id)
        for i in range(60):
            rules.record(s, actor, "read", "child", 1000 + i, region_code="371302105259")
    with statement_counter() as many:
        client.get("/audit/")
    assert len(many) == len(few)


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "page=99999999999999", "page=-3", "to=bad"])
def test_extreme_filters_are_answered_not_crashed(as_user, client, logged, query):
    as_user("admin")
    assert client.get(f"/audit/?{query}").status_code == 200


def test_a_read_during_a_writing_request_is_recorded_without_waiting(app, users):
    with app.test_request_context("/children/1/visits/new", method="POST"):
        session = db.session()
        reader = session.get(User, users["village"].id)  # the request's write transaction has begun
        rules.record_read(reader, "child", 1, region_code="371302105259")
        session.commit()
    (entry,) = _entries(app, action="read")
    assert entry.object_id == "1"
