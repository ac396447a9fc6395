"""Registering and grading children through the rules, without HTTP."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal import crypto
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.children import idnumber, rules
from portal.children.grading import RiskLevel
from portal.children.models import Child
from portal.errors import DomainError, NotAllowed, NotFound

TODAY = date(2026, 11, 26)


def _values(**kw):
    born = kw.pop("birth_date", date(2014, 6, 1))
    fields = dict(name="张小明", gender="male", birth_date=born, region_code="371302105259",
                  id_number=idnumber.make("371302", born, 13), categories=["left_behind"], address="屠苏村 12 号")
    fields.update(kw)
    return rules.ChildValues(**fields)


def _user(session, users, key) -> User:
    return session.get(User, users[key].id)


def test_child_director_registers_a_child_of_their_village(session, users):
    child = rules.register_child(session, _user(session, users, "village"), _values(), today=TODAY)
    session.commit()
    assert child.id and child.qr_token and child.risk_level is None
    assert child.next_visit_due == TODAY + timedelta(days=15)  # unassessed: visited like yellow
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "child.create")).one()
    assert entry.object_id == str(child.id) and entry.region_code == "371302105259"


def test_sensitive_fields_are_encrypted_at_rest_and_found_by_keyed_hash(session, users):
    from sqlalchemy import text

    values = _values()
    child = rules.register_child(session, _user(session, users, "village"), values, today=TODAY)
    session.commit()
    raw = session.execute(text("SELECT id_number, address, id_number_hash FROM child WHERE id = :i"), {"i": child.id}).one()
    assert values.id_number not in raw[0] and "屠苏村" not in raw[1]
    assert raw[2] == crypto.blind_index(values.id_number)
    assert rules.find_by_id_number(session, values.id_number).id == child.id


@pytest.mark.parametrize(
    "actor, region",
    [
        ("village", "371302105260"),   # another village of the same town
        ("village2", "371302105259"),
        ("town", "371302101201"),      # a village of another town
        ("county2", "371302105259"),   # a village of the neighbouring county
    ],
)
def test_nobody_registers_outside_their_region(session, users, actor, region):
    with pytest.raises(NotAllowed):
        rules.register_child(session, _user(session, users, actor), _values(region_code=region), today=TODAY)


@pytest.mark.parametrize("actor", ["admin", "org", "volunteer", "donor"])
def test_non_staff_never_register(session, users, actor):
    with pytest.raises(NotAllowed):
        rules.register_child(session, _user(session, users, actor), _values(), today=TODAY)


def test_supervisor_and_county_register_in_their_villages(session, users):
    rules.register_child(session, _user(session, users, "town"), _values(region_code="371302105260"), today=TODAY)
    rules.register_child(
        session, _user(session, users, "county"),
        _values(region_code="371302101201", name="李华", id_number=idnumber.make("371302", date(2014, 6, 1), 15)),
        today=TODAY,
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"id_number": "371302201406010139"}, "id_number"),     # check digit wrong
        ({"birth_date": date(2014, 6, 2), "id_number": idnumber.make("371302", date(2014, 6, 1), 13)}, "birth_date"),
        ({"gender": "female"}, "gender"),                       # differs from the number
        ({"categories": []}, "categories"),
        ({"region_code": "371302105000"}, "region_code"),      # a town, not a village
        ({"name": "  "}, "name"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(session, users, change, field):
    with pytest.raises(DomainError) as refused:
        rules.register_child(session, _user(session, users, "town"), _values(**change), today=TODAY)
    assert refused.value.details.get("field") == field


def test_the_same_identity_number_twice_is_refused_with_the_existing_file(session, users):
    first = rules.register_child(session, _user(session, users, "village"), _values(), today=TODAY)
    with pytest.raises(rules.DuplicateIdNumber) as refused:
        rules.register_child(session, _user(session, users, "village"), _values(name="张晓明"), today=TODAY)
    assert refused.value.child_id == first.id


def test_near_duplicates_need_a_confirmation(session, users):
    village = _user(session, users, "village")
    rules.register_child(session, village, _values(id_number=""), today=TODAY)
    with pytest.raises(rules.PossibleDuplicates) as flagged:
        rules.register_child(session, village, _values(id_number="", name="张小明 "), today=TODAY)
    assert [c.name for c in flagged.value.candidates] == ["张小明"]
    again = rules.register_child(session, village, _values(id_number=""), confirmed_not_duplicate=True, today=TODAY)
    assert again.id


def test_assessment_grades_the_child_and_sets_the_visit_interval(session, users, make_child):
    child = session.get(Child, make_child("village").id)
    village = _user(session, users, "village")
    rules.record_assessment(session, village, child, indicators=["out_of_school", "low_income"],
                            assessed_on=TODAY, team="社工 王 + 儿童主任", today=TODAY)
    assert child.risk_level == RiskLevel.yellow
    assert child.next_visit_due == TODAY + timedelta(days=15)
    rules.record_assessment(session, village, child, indicators=["violence"], assessed_on=TODAY, today=TODAY)
    assert child.risk_level == RiskLevel.red and child.next_visit_due == TODAY + timedelta(days=7)
    history = rules.assessments_of(session, child)
    assert [a.overall for a in history] == [RiskLevel.red, RiskLevel.yellow]


def test_red_children_come_first_in_every_list(session, users, make_child):
    calm_id, urgent_id = make_child("village").id, make_child("village").id
    calm, urgent = session.get(Child, calm_id), session.get(Child, urgent_id)
    village = _user(session, users, "village")
    rules.record_assessment(session, village, calm, indicators=[], assessed_on=TODAY, today=TODAY)
    rules.record_assessment(session, village, urgent, indicators=["neglect"], assessed_on=TODAY, today=TODAY)
    session.commit()
    listed, total = rules.list_children(session, _user(session, users, "county"), rules.ChildFilter(), 1, 50)
    assert listed[0].id == urgent.id and total == 2


def test_lists_are_scoped_to_the_viewers_subtree(session, users, make_child):
    mine = make_child("village")
    other = make_child("village2", region_code="371302105260")
    elsewhere = make_child("county2", region_code="371311001001")
    seen = {key: {c.id for c in rules.list_children(session, _user(session, users, key), rules.ChildFilter(), 1, 50)[0]}
            for key in ("village", "village2", "town", "county", "county2", "city")}
    assert seen["village"] == {mine.id}
    assert seen["village2"] == {other.id}
    assert seen["town"] == {mine.id, other.id}
    assert seen["county"] == {mine.id, other.id}
    assert seen["county2"] == {elsewhere.id}
    assert seen["city"] == {mine.id, other.id, elsewhere.id}


def test_filtering_by_category_risk_and_name(session, users, make_child):
    orphan = make_child("village", categories=["orphan", "low_income"], name="王小红")
    make_child("village", categories=["left_behind"])
    county = _user(session, users, "county")
    by_category = rules.list_children(session, county, rules.ChildFilter(category="orphan"), 1, 50)[0]
    assert [c.id for c in by_category] == [orphan.id]
    by_name = rules.list_children(session, county, rules.ChildFilter(text="小红"), 1, 50)[0]
    assert [c.id for c in by_name] == [orphan.id]
    assert rules.list_children(session, county, rules.ChildFilter(risk_level="red"), 1, 50)[1] == 0


@pytest.mark.parametrize("viewer", ["village2", "county2", "org", "volunteer", "donor", "admin"])
def test_a_file_outside_reach_looks_like_no_file(app, users, make_child, viewer):
    from portal import db

    child = make_child("village")
    with app.app_context(), db.new_session() as session:  # a page's session: it only reads
        with pytest.raises(NotFound):
            rules.read_file(session, _user(session, users, viewer), child.id)
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).first() is None


def test_reading_a_file_is_audited(app, users, make_child):
    from portal import db

    child = make_child("village")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.8"}):
        session = db.session()  # a page's session: it reads; the audit entry commits on its own
        rules.read_file(session, _user(session, users, "town"), child.id)
        session.close()
    with app.app_context(), db.new_session() as session:
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).one()
    assert (entry.actor_name, entry.object_id, entry.address) == ("town", str(child.id), "10.0.0.8")


def test_qr_token_is_reissued_and_the_old_one_stops_working(session, users, make_child):
    child = session.get(Child, make_child("village").id)
    old = child.qr_token
    village = _user(session, users, "village")
    assert rules.child_for_qr(session, village, old).id == child.id
    rules.reissue_qr(session, village, child)
    with pytest.raises(NotFound):
        rules.child_for_qr(session, village, old)
    assert rules.child_for_qr(session, village, child.qr_token).id == child.id
    with pytest.raises(NotFound):
        rules.child_for_qr(session, _user(session, users, "county2"), child.qr_token)
