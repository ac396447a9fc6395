"""Naming the head (局长/分管领导) of a civil-affairs bureau: by whoever manages the account (the
level above, or an administrator), never by the holder, a peer or another role; only civil-affairs
staff; every change audited; shown on the account's page and in the list."""

import pytest
from sqlmodel import select

from portal import db
from portal.accounts import rules
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.errors import DomainError, NotAllowed
from tests.conftest import post


def _user(session, users, key) -> User:
    return session.get(User, users[key].id)


def _audit(session, action):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


@pytest.mark.parametrize("manager", ["city", "admin"])
def test_the_level_above_or_an_administrator_names_and_unnames_a_head_audited(session, users, manager):
    actor, county = _user(session, users, manager), _user(session, users, "county")
    rules.set_head(session, actor, county, True)
    assert county.is_head
    [named] = _audit(session, "user.head_set")
    assert (named.actor_id, named.object_id, named.region_code) == (actor.id, str(county.id), "371302000000")
    rules.set_head(session, actor, county, False)
    assert not county.is_head
    [unnamed] = _audit(session, "user.head_unset")
    assert unnamed.object_id == str(county.id)


def test_a_peer_of_the_same_county_cannot_name_a_head(session, users, password_hash):
    peer = User(username="county_peer", display_name="同级", password_hash=password_hash,
                role=Role.civil_affairs, region_code="371302000000")
    session.add(peer)
    session.flush()
    with pytest.raises(NotAllowed):
        rules.set_head(session, peer, _user(session, users, "county"), True)
    assert not _user(session, users, "county").is_head and _audit(session, "user.head_set") == []


def test_nobody_names_themselves_head(session, users):
    county = _user(session, users, "county")
    with pytest.raises(NotAllowed):
        rules.set_head(session, county, county, True)
    assert not county.is_head


@pytest.mark.parametrize("actor", ["county2", "town", "village", "donor", "org", "volunteer"])
def test_other_regions_and_other_roles_cannot_name_a_head(session, users, actor):
    with pytest.raises(NotAllowed):
        rules.set_head(session, _user(session, users, actor), _user(session, users, "county"), True)
    assert not _user(session, users, "county").is_head


@pytest.mark.parametrize("target", ["town", "village"])
def test_only_civil_affairs_staff_can_be_head(app, session, users, target):
    with pytest.raises(DomainError) as refused:
        rules.set_head(session, _user(session, users, "city"), _user(session, users, target), True)
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert "只有民政工作人员" in str(refused.value.message)
    assert not _user(session, users, target).is_head and _audit(session, "user.head_set") == []


def test_a_deactivated_account_is_not_named_head(session, users):
    city, county = _user(session, users, "city"), _user(session, users, "county")
    rules.set_active(session, city, county, False)
    with pytest.raises(DomainError):
        rules.set_head(session, city, county, True)
    assert not county.is_head


def test_the_account_page_names_a_head_and_the_list_shows_it(app, as_user, client, users):
    as_user("city")
    county = users["county"].id
    assert "本级负责人" not in client.get(f"/accounts/{county}").get_data(as_text=True).split("<h2>")[0]
    done = post(client, f"/accounts/{county}/head", {"head": "1"})
    assert done.status_code == 302
    page = client.get(f"/accounts/{county}").get_data(as_text=True)
    assert 'id="head">本级负责人' in page and "不再担任负责人" in page
    listed = client.get("/accounts/").get_data(as_text=True)
    row = listed.split(">county</a>", 1)[1].split("</tr>", 1)[0]
    assert "本级负责人" in row
    other = listed.split(">county2</a>", 1)[1].split("</tr>", 1)[0]
    assert "本级负责人" not in other
    with app.app_context(), db.new_session() as s:
        assert s.get(User, county).is_head


def test_the_holder_cannot_name_themselves_head_through_the_page(app, as_user, client, users):
    as_user("county")
    own = users["county"].id
    assert post(client, f"/accounts/{own}/head", {"head": "1"}).status_code == 403
    with app.app_context(), db.new_session() as s:
        assert not s.get(User, own).is_head


def test_a_non_civil_affairs_account_made_head_through_the_page_is_refused_with_a_message(app, as_user, client,
                                                                                         users):
    as_user("city")
    town = users["town"].id
    response = post(client, f"/accounts/{town}/head", {"head": "1"}, follow_redirects=True)
    assert "只有民政工作人员才能担任民政局负责人" in response.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert not s.get(User, town).is_head
