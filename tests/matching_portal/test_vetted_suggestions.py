"""Helpers suggested to staff for a need that puts an adult alone with a child are vetted ones only
(DESIGN.md §2): a volunteer without an approved no-criminal-record certificate, or an organization
none of whose members it vouches for, is neither suggested nor invited. Other needs suggest them."""

from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.categories import Skill
from portal.helpers.models import HelperArea, HelperProfile, HelperSkill, OrganizationMember
from portal.matching import rules
from portal.needs.models import Need
from portal.types import utcnow
from tests.conftest import post
from tests.matching_portal.test_invite import invites, suggested_section
from tests.needs.conftest import vet_volunteer


def _volunteer(app, password_hash, username: str, name: str, vetted: bool, status: str = "verified") -> int:
    """A confirmed volunteer tutoring in 义堂镇, vetted or not."""
    with app.app_context(), db.write_session() as s:
        user = User(username=username, display_name=name, password_hash=password_hash, role="volunteer")
        s.add(user)
        s.flush()
        s.add(HelperProfile(user_id=user.id, phone_verified_at=utcnow()))
        s.add(HelperArea(user_id=user.id, region_code="371302105000"))
        s.add(HelperSkill(user_id=user.id, skill=Skill("tutoring"), subjects=[]))
        s.flush()
        if vetted:
            vet_volunteer(s, user, status=status)
        return user.id


def _suggested_keys(app, users, need_id) -> set[str]:
    with app.test_request_context(), db.new_session() as s:
        return {h.key for h in rules.suggested_helpers(s, s.get(User, users["county"].id), s.get(Need, need_id))}


def test_unvetted_volunteers_are_not_suggested_for_one_to_one_tutoring(app, users, make_need, password_hash,
                                                                       signed_in):
    need_id = make_need(to="published")  # home tutoring: an adult alone with the child
    vetted = _volunteer(app, password_hash, "vetted", "王老师", vetted=True)
    fresh = _volunteer(app, password_hash, "fresh", "赵新人", vetted=False)
    pending = _volunteer(app, password_hash, "pending", "钱待审", vetted=True, status="pending")

    assert _suggested_keys(app, users, need_id) == {f"u{vetted}"}
    county = signed_in("county")
    section = suggested_section(county.get(f"/needs/{need_id}").get_data(as_text=True))
    assert "王老师" in section and "赵新人" not in section and "钱待审" not in section
    for helper in (fresh, pending):  # nor invited by a hand-made request
        post(county, f"/needs/{need_id}/invite/u{helper}")
    assert invites(app) == []


def test_unvetted_volunteers_are_still_suggested_for_goods(app, users, make_need, password_hash):
    need_id = make_need(to="published", kind="goods", category="necessities", description="冬衣两件")
    vetted = _volunteer(app, password_hash, "vetted", "王老师", vetted=True)
    fresh = _volunteer(app, password_hash, "fresh", "赵新人", vetted=False)
    assert _suggested_keys(app, users, need_id) == {f"u{vetted}", f"u{fresh}"}


def test_an_organization_is_suggested_for_one_to_one_needs_only_through_members_it_vouches_for(
        app, users, make_need, make_org, signed_in):
    tutoring = make_need(to="published")
    goods = make_need(to="published", kind="goods", category="necessities", description="冬衣两件")
    org_id, admin = make_org(status="approved", vouched=False)
    with app.app_context(), db.new_session() as s:
        eligible = rules.eligible_helpers(s, s.get(Need, tutoring))
        assert f"o{org_id}" not in eligible
        assert f"o{org_id}" in rules.eligible_helpers(s, s.get(Need, goods))
    assert post(signed_in("county"), f"/needs/{tutoring}/invite/o{org_id}").status_code == 302
    assert invites(app) == []

    with app.app_context(), db.write_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        s.get(OrganizationMember, (org_id, member.id)).vouched_at = utcnow()
    with app.app_context(), db.new_session() as s:
        candidate = rules.eligible_helpers(s, s.get(Need, tutoring))[f"o{org_id}"]
        assert candidate.user_ids == (member.id,)
