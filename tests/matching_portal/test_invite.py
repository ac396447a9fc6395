"""Staff who publish a need see suggested helpers on its page and invite them: a notice for the
helper, a record, an audit entry, never twice a day; nobody else sees or invites."""

import re

import pytest
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.matching import rules
from portal.matching.models import MatchEvent, MatchInteraction
from portal.needs import claims
from portal.needs.models import Need
from portal.notifications.models import Notification
from tests.conftest import post
from tests.matching_portal.conftest import english


def suggested_section(page: str) -> str:
    match = re.search(r'<section class="card" id="suggested">.*?</section>', page, re.S)
    return match.group(0) if match else ""


def invites(app) -> list[tuple]:
    with app.app_context(), db.new_session() as s:
        return [tuple(r) for r in s.execute(select(MatchInteraction.event, MatchInteraction.helper_key,
                                                   MatchInteraction.staff_id))]


def test_county_staff_see_suggested_helpers_with_reasons_and_invite_one(app, users, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    volunteer = skilled("volunteer", skills=("tutoring",))
    county = english(signed_in("county"))
    section = suggested_section(county.get(f"/needs/{need_id}").get_data(as_text=True))
    assert "Suggested helpers" in section and "Test volunteer" in section and "Volunteer" in section
    assert "same town · Tutoring" in section
    assert f"/needs/{need_id}/invite/u{volunteer.id}" in section

    response = post(county, f"/needs/{need_id}/invite/u{volunteer.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/needs/{need_id}#suggested")
    assert invites(app) == [(MatchEvent.invite, f"u{volunteer.id}", users["county"].id)]
    with app.app_context(), db.new_session() as s:
        notice = s.scalar(select(Notification).where(Notification.user_id == volunteer.id,
                                                     Notification.kind == "need_invited"))
        assert notice is not None and notice.link == f"/board/{need_id}"
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "need.invite"))
        assert entry.actor_id == users["county"].id and entry.object_id == str(need_id)
        assert entry.detail == {"helper": f"u{volunteer.id}"}
    assert "invited" in suggested_section(county.get(f"/needs/{need_id}").get_data(as_text=True))
    # The helper's notice speaks of the need on the board, never of the child.
    page = english(signed_in("volunteer")).get("/notifications/").get_data(as_text=True)
    assert f"need no. {need_id}" in page and "测试儿童" not in page


def test_inviting_the_same_helper_twice_within_a_day_is_refused(app, users, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    volunteer = skilled("volunteer")
    county = english(signed_in("county"))
    assert post(county, f"/needs/{need_id}/invite/u{volunteer.id}").status_code == 302
    response = post(county, f"/needs/{need_id}/invite/u{volunteer.id}", follow_redirects=True)
    assert "already invited to this need in the last 24 hours" in response.get_data(as_text=True)
    assert len(invites(app)) == 1
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "need_invited")) == 1


def test_an_organization_is_invited_through_its_members(app, users, make_need, make_org, signed_in):
    need_id = make_need(to="published")
    org_id, admin = make_org(status="approved")
    assert post(signed_in("county"), f"/needs/{need_id}/invite/o{org_id}").status_code == 302
    with app.app_context(), db.new_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == member.id, Notification.kind == "need_invited")) == 1


def test_a_helper_who_cannot_take_the_need_is_not_suggested_nor_invited(app, users, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    skilled("volunteer", area="371311000000")  # serves the other county only
    skilled("donor", area="371302105000")  # donors give to money needs
    county = signed_in("county")
    assert "Test volunteer" not in suggested_section(county.get(f"/needs/{need_id}").get_data(as_text=True))
    for key in (f"u{users['volunteer'].id}", f"u{users['donor'].id}", "x1", f"u{users['county'].id}"):
        response = post(county, f"/needs/{need_id}/invite/{key}")
        assert response.status_code == 302  # refused with a message on the need's page
    assert invites(app) == []


def test_a_helper_who_claimed_is_no_longer_suggested(app, users, make_need, skilled):
    need_id = make_need(to="published", slots=2)
    skilled("volunteer")
    with app.app_context(), db.write_session() as s:
        claims.claim(s, s.get(User, users["volunteer"].id), need_id)
    with app.test_request_context(), db.new_session() as s:
        assert rules.suggested_helpers(s, s.get(User, users["county"].id), s.get(Need, need_id)) == []


@pytest.mark.parametrize("key, status", [("county2", 404), ("town", 403), ("village", 403), ("volunteer", 403),
                                         ("donor", 403)])
def test_other_counties_and_other_roles_cannot_invite(app, users, make_need, skilled, signed_in, key, status):
    need_id = make_need(to="published")
    volunteer = skilled("volunteer")
    response = post(signed_in(key), f"/needs/{need_id}/invite/u{volunteer.id}")
    assert response.status_code == status
    assert invites(app) == []


@pytest.mark.parametrize("key", ["town", "village"])
def test_staff_who_do_not_publish_see_no_suggestions(app, make_need, skilled, signed_in, key):
    need_id = make_need(to="published")
    skilled("volunteer")
    page = signed_in(key).get(f"/needs/{need_id}")
    assert page.status_code == 200 and 'id="suggested"' not in page.get_data(as_text=True)


def test_a_need_not_on_the_board_has_no_suggestions_and_refuses_invitations(app, users, make_need, skilled,
                                                                            signed_in):
    need_id = make_need(to="at_county")
    volunteer = skilled("volunteer")
    county = english(signed_in("county"))
    assert 'id="suggested"' not in county.get(f"/needs/{need_id}").get_data(as_text=True)
    response = post(county, f"/needs/{need_id}/invite/u{volunteer.id}", follow_redirects=True)
    assert "Only a need on the board can be offered to helpers." in response.get_data(as_text=True)
    assert invites(app) == []
