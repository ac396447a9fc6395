"""An administrator of an approved organization vouches for a member (or withdraws it) from the
organization's page: the organization then answers for that member being alone with a child. Only
that organization's administrators may, only for its own members, and each change is audited."""

import pytest
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.helpers.models import HelperProfile, Organization, OrganizationMember
from portal.helpers.vetting import vouched
from portal.needs import claims
from portal.types import utcnow
from tests.conftest import form_on, login, post
from tests.needs.conftest import make_need  # noqa: F401  (shared fixture)

PASSWORD = "a-long-secret-phrase"


@pytest.fixture
def org_with_member(app, make_org, password_hash):
    """An approved organization serving 兰山区: its administrator (vouched for by nobody) and a plain
    member, 郑社工. Returns (org id, admin username, member id)."""
    org_id, admin = make_org(status="approved", vouched=False)
    with app.app_context(), db.write_session() as s:
        user = User(username="zheng", display_name="郑社工", password_hash=password_hash, role="org_member")
        s.add(user)
        s.flush()
        s.add(HelperProfile(user_id=user.id, phone_verified_at=utcnow()))
        s.add(OrganizationMember(organization_id=org_id, user_id=user.id))
        return org_id, admin, user.id


def _client(app, username: str, password: str | None = None):
    client = app.test_client()
    response = login(client, username, password) if password else login(client, username)
    assert response.status_code == 302
    return client


def _vouched_at(app, org_id: int, user_id: int):
    with app.app_context(), db.new_session() as s:
        return s.get(OrganizationMember, (org_id, user_id)).vouched_at


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_administrator_vouches_from_the_organization_page_and_it_is_audited(app, org_with_member,
                                                                              make_need):  # noqa: F811
    org_id, admin, member_id = org_with_member
    client = _client(app, admin, PASSWORD)
    action = f"/me/organization/members/{member_id}/vouch"
    page = client.get("/me/organization").get_data(as_text=True)
    response = client.post(action, data=form_on(page, action))  # the button as the page shows it
    assert response.status_code == 302
    assert "机构已为该成员担保。" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _vouched_at(app, org_id, member_id) is not None
    (entry,) = _audit(app, "org.vouch")
    with app.app_context(), db.new_session() as s:
        admin_id = s.scalar(select(User.id).where(User.username == admin))
        assert s.get(OrganizationMember, (org_id, member_id)).vouched_by_id == admin_id
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.detail) == (
        admin_id, "organization", str(org_id), {"user": member_id})

    # The member may now take a need that puts an adult alone with a child.
    need_id = make_need(to="published")
    with app.app_context(), db.write_session() as s:
        assert vouched(s, s.get(User, member_id))
        claims.claim(s, s.get(User, member_id), need_id)

    page = client.get("/me/organization").get_data(as_text=True)
    assert post(client, action, form_on(page, action)).status_code == 302  # now the button withdraws it
    assert _vouched_at(app, org_id, member_id) is None
    assert [e.detail for e in _audit(app, "org.unvouch")] == [{"user": member_id}]


def test_a_member_who_is_not_an_administrator_cannot_vouch_even_for_themselves(app, org_with_member):
    org_id, _admin, member_id = org_with_member
    member = _client(app, "zheng")
    assert post(member, f"/me/organization/members/{member_id}/vouch", {"vouch": "1"}).status_code == 403
    assert _vouched_at(app, org_id, member_id) is None
    assert _audit(app, "org.vouch") == []


@pytest.mark.parametrize("key", ["county", "village", "volunteer", "donor", "admin"])
def test_other_roles_cannot_vouch(app, users, org_with_member, signed_in, key):
    org_id, _admin, member_id = org_with_member
    response = post(signed_in(key), f"/me/organization/members/{member_id}/vouch", {"vouch": "1"})
    assert response.status_code in (403, 404)
    assert _vouched_at(app, org_id, member_id) is None


def test_a_visitor_is_sent_to_sign_in(app, org_with_member, client):
    org_id, _admin, member_id = org_with_member
    assert client.post(f"/me/organization/members/{member_id}/vouch", data={"vouch": "1"}).status_code in (302, 400)
    assert _vouched_at(app, org_id, member_id) is None


def test_another_organizations_administrator_cannot_vouch_for_the_member(app, org_with_member, make_org):
    org_id, _admin, member_id = org_with_member
    _other_id, other_admin = make_org(areas=("371311000000",), status="approved", vouched=False,
                                      vetted_by="county2")  # serving 罗庄区
    other = _client(app, other_admin, PASSWORD)
    response = post(other, f"/me/organization/members/{member_id}/vouch", {"vouch": "1"}, follow_redirects=True)
    assert "该成员不存在。" in response.get_data(as_text=True)
    assert _vouched_at(app, org_id, member_id) is None
    assert _audit(app, "org.vouch") == []


def test_a_suspended_organization_vouches_for_nobody(app, users, org_with_member):
    org_id, admin, member_id = org_with_member
    with app.app_context(), db.write_session() as s:
        s.get(Organization, org_id).status = "suspended"
    response = post(_client(app, admin, PASSWORD), f"/me/organization/members/{member_id}/vouch", {"vouch": "1"})
    assert response.status_code == 403
    assert _vouched_at(app, org_id, member_id) is None


def test_a_vouch_without_the_forms_token_changes_nothing(app, org_with_member):
    org_id, admin, member_id = org_with_member
    client = _client(app, admin, PASSWORD)
    client.post(f"/me/organization/members/{member_id}/vouch", data={"vouch": "1"})
    assert _vouched_at(app, org_id, member_id) is None
