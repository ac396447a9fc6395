"""Routing of clues to the town (or county), and who may see, assign and close them."""

import pytest
from sqlalchemy import select

from portal import db
from portal.clues import rules
from portal.clues.models import Clue, ClueLevel, ClueStatus
from portal.errors import DomainError, NotAllowed, NotFound
from tests.clues.conftest import COUNTY, OTHER_COUNTY_TOWN, TOWN, VILLAGE, user


def test_clue_about_a_village_waits_at_its_town(app, make_clue):
    clue_id, _code = make_clue(region=VILLAGE)
    with app.app_context(), db.write_session() as s:
        clue = s.get(Clue, clue_id)
        assert (clue.town_code, clue.county_code, clue.level) == (TOWN, COUNTY, ClueLevel.town)


def test_clue_with_the_town_unknown_waits_at_the_county(app, make_clue):
    clue_id, _code = make_clue(region=COUNTY)
    with app.app_context(), db.write_session() as s:
        clue = s.get(Clue, clue_id)
        assert (clue.town_code, clue.county_code, clue.level) == (None, COUNTY, ClueLevel.county)


def test_clue_for_a_city_province_or_unknown_region_is_refused(app, users):
    for region in ("371300000000", "370000000000", "371302105999", ""):
        with app.app_context(), db.write_session() as s, pytest.raises(DomainError):
            rules.report_public(s, rules.ClueValues(region_code=region, place="某地", text="看到孩子"), "key-x")


def test_town_supervisor_hears_of_a_clue_arriving(app, users, make_clue):
    from portal.notifications.models import Notification

    clue_id, _code = make_clue(region=VILLAGE)
    with app.app_context(), db.write_session() as s:
        notices = list(s.scalars(select(Notification).where(Notification.kind == "clue_arrived")))
        assert [n.user_id for n in notices] == [users["town"].id]
        assert "看到" not in str(notices[0].params)  # a notice names the clue's number only


def test_staff_enter_a_clue_only_inside_their_region(app, users):
    values = rules.ClueValues(region_code=OTHER_COUNTY_TOWN, place="学校门口", text="老师反映学生长期没人管", source="school")
    with app.app_context(), db.write_session() as s, pytest.raises(NotAllowed):
        rules.enter_clue(s, user(s, users, "county"), values)
    with app.app_context(), db.write_session() as s:
        clue, _code = rules.enter_clue(s, user(s, users, "county2"), values)
        assert clue.source == "school"


def test_staff_cannot_enter_a_clue_as_if_from_the_public_form(app, users):
    values = rules.ClueValues(region_code=TOWN, place="路口", text="看到孩子", source="public")
    with app.app_context(), db.write_session() as s, pytest.raises(DomainError):
        rules.enter_clue(s, user(s, users, "town"), values)


def test_helpers_donors_and_administrators_cannot_enter_clues(app, users):
    values = rules.ClueValues(region_code=TOWN, place="路口", text="看到孩子", source="phone")
    for key in ("org", "volunteer", "donor", "admin"):
        with app.app_context(), db.write_session() as s, pytest.raises(NotAllowed):
            rules.enter_clue(s, user(s, users, key), values)


def test_supervisor_and_county_see_the_clue_other_county_and_unassigned_director_do_not(app, users, make_clue):
    clue_id, _code = make_clue()
    with app.app_context(), db.write_session() as s:
        assert rules.load_clue(s, user(s, users, "town"), clue_id).id == clue_id
        assert rules.load_clue(s, user(s, users, "county"), clue_id).id == clue_id
        assert rules.load_clue(s, user(s, users, "city"), clue_id).id == clue_id
        for key in ("county2", "village", "village2", "org", "volunteer", "donor", "admin"):
            with pytest.raises(NotFound):
                rules.load_clue(s, user(s, users, key), clue_id)


def test_director_sees_only_the_clues_assigned_to_them(app, users, make_clue):
    mine, _ = make_clue()
    other, _ = make_clue()
    with app.app_context(), db.write_session() as s:
        rules.assign(s, user(s, users, "town"), s.get(Clue, mine), users["village"].id)
    with app.app_context(), db.write_session() as s:
        director = user(s, users, "village")
        listed, total = rules.list_for_staff(s, director)
        assert [c.id for c in listed] == [mine] and total == 1
        with pytest.raises(NotFound):
            rules.load_clue(s, director, other)
        with pytest.raises(NotFound):
            rules.load_clue(s, user(s, users, "village2"), mine)


def test_staff_lists_hold_only_their_subtree(app, users, make_clue):
    ours, _ = make_clue()
    theirs, _ = make_clue(region=OTHER_COUNTY_TOWN)
    with app.app_context(), db.write_session() as s:
        assert [c.id for c in rules.list_for_staff(s, user(s, users, "county"))[0]] == [ours]
        assert [c.id for c in rules.list_for_staff(s, user(s, users, "county2"))[0]] == [theirs]
        assert {c.id for c in rules.list_for_staff(s, user(s, users, "city"))[0]} == {ours, theirs}
        with pytest.raises(NotAllowed):
            rules.list_for_staff(s, user(s, users, "volunteer"))


def test_supervisor_assigns_a_director_of_the_town_and_the_director_is_told(app, users, make_clue):
    from portal.notifications.models import Notification

    clue_id, _ = make_clue()
    with app.app_context(), db.write_session() as s:
        clue = s.get(Clue, clue_id)
        rules.assign(s, user(s, users, "town"), clue, users["village2"].id)
        assert (clue.status, clue.assigned_to_id) == (ClueStatus.checking, users["village2"].id)
    with app.app_context(), db.write_session() as s:
        told = s.scalars(select(Notification).where(Notification.kind == "clue_assigned")).one()
        assert told.user_id == users["village2"].id
        arrived = s.scalars(select(Notification).where(Notification.kind == "clue_arrived")).one()
        assert arrived.done_at is not None


def test_wrong_role_or_other_region_cannot_assign(app, users, make_clue):
    clue_id, _ = make_clue()
    for assigner in ("village", "county2", "volunteer", "admin"):
        with app.app_context(), db.write_session() as s, pytest.raises(NotAllowed):
            rules.assign(s, user(s, users, assigner), s.get(Clue, clue_id), users["village"].id)


def test_a_clue_cannot_be_given_to_someone_who_is_not_a_director_of_its_town(app, users, make_clue, regions):
    from portal.accounts.models import User
    from portal.accounts.roles import Role

    clue_id, _ = make_clue()
    with app.app_context(), db.write_session() as s:
        far = User(username="far", display_name="Far director", password_hash="x", role=Role.child_director,
                   region_code="371302101201")
        s.add(far)
        s.flush()
        far_id = far.id
    with app.app_context(), db.write_session() as s:
        for target in (far_id, users["volunteer"].id, users["town"].id, 999_999):
            with pytest.raises(DomainError):
                rules.assign(s, user(s, users, "county"), s.get(Clue, clue_id), target)


def test_supervisor_cannot_assign_a_clue_waiting_at_the_county(app, users, make_clue):
    clue_id, _ = make_clue(region=COUNTY)
    with app.app_context(), db.write_session() as s:
        with pytest.raises(NotAllowed):
            rules.assign(s, user(s, users, "town"), s.get(Clue, clue_id), users["village"].id)
        rules.assign(s, user(s, users, "county"), s.get(Clue, clue_id), users["village"].id)
        assert s.get(Clue, clue_id).status == ClueStatus.checking


def test_open_verification_opens_a_partner_list_clue_routed_like_the_others(app, users):
    with app.app_context(), db.write_session() as s:
        clue = rules.open_verification(s, user(s, users, "county"), region_code=VILLAGE, place="屠苏村",
                                       text="低保名单中的儿童，未在儿童档案中：请核实", source="partner_list",
                                       source_ref="低保名单 2026-12 第17行")
        assert (clue.source, clue.town_code, clue.status, clue.entered_by_id) == (
            "partner_list", TOWN, ClueStatus.received, users["county"].id)
    with app.app_context(), db.write_session() as s:
        with pytest.raises(NotAllowed):
            rules.open_verification(s, user(s, users, "county2"), region_code=VILLAGE, place="屠苏村", text="核实",
                                    source="partner_list", source_ref="x")
        with pytest.raises(DomainError):
            rules.open_verification(s, user(s, users, "county"), region_code=VILLAGE, place="屠苏村", text="核实",
                                    source="rumour", source_ref="x")


def test_what_was_seen_the_place_and_the_contact_are_encrypted_at_rest(app, users, make_clue):
    from sqlalchemy import text

    clue_id, _ = make_clue(text="李家孩子被关在屋里", place="屠苏村5组", contact="13905391234")
    with app.app_context(), db.write_session() as s:
        row = s.execute(text("SELECT text, place, contact FROM clue WHERE id = :id"), {"id": clue_id}).one()
    assert not any(secret in str(row) for secret in ("李家", "5组", "13905391234"))
