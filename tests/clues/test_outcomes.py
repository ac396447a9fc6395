"""Recording a clue's outcome: each of the four, with what it must link or say."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import db
from portal.audit.models import AuditEntry
from portal.children.models import Child
from portal.children.rules import record_assessment
from portal.clues import rules
from portal.clues.models import Clue, ClueOutcome, ClueStatus
from portal.clues.rules import CHINA_TIME
from portal.errors import Conflict, DomainError, NotAllowed
from tests.clues.conftest import user
from tests.conftest import form_on


@pytest.fixture
def assigned_clue(app, users, make_clue):
    def make(director: str = "village", **kwargs):
        clue_id, _ = make_clue(**kwargs)
        with app.app_context(), db.write_session() as s:
            rules.assign(s, user(s, users, "town"), s.get(Clue, clue_id), users[director].id)
        return clue_id

    return make


def _close(app, users, actor, clue_id, **values):
    with app.app_context(), db.write_session() as s:
        clue = s.get(Clue, clue_id)
        rules.record_outcome(s, user(s, users, actor), clue, rules.OutcomeValues(**values))
        return clue.status, clue.outcome, clue.child_id


def test_director_records_a_new_child_registered_for_the_clue(app, users, assigned_clue, make_child):
    clue_id = assigned_clue()
    child = make_child("village", name="新发现儿童")
    assert _close(app, users, "village", clue_id, outcome="new_child", child_id=child.id) == (
        ClueStatus.closed, ClueOutcome.new_child, child.id)


def test_a_file_opened_before_the_clue_is_not_a_new_child(app, users, make_child, assigned_clue):
    child = make_child("village")
    clue_id = assigned_clue()
    with pytest.raises(DomainError):
        _close(app, users, "village", clue_id, outcome="new_child", child_id=child.id)


def test_a_new_child_of_another_county_cannot_be_linked(app, users, assigned_clue, make_child):
    clue_id = assigned_clue()
    elsewhere = make_child("county2", region_code="371311001001")
    with pytest.raises(DomainError):
        _close(app, users, "village", clue_id, outcome="new_child", child_id=elsewhere.id)
    with pytest.raises(DomainError):
        _close(app, users, "village", clue_id, outcome="new_child", child_id=None)


def test_director_links_the_reassessment_of_a_child_on_file(app, users, make_child, assigned_clue):
    child = make_child("village")
    clue_id = assigned_clue()
    with app.app_context(), db.write_session() as s:
        assessment = record_assessment(s, user(s, users, "village"), s.get(Child, child.id),
                                       indicators=[], assessed_on=date.today())
        assessment_id = assessment.id
    assert _close(app, users, "village", clue_id, outcome="reassessed", assessment_id=assessment_id) == (
        ClueStatus.closed, ClueOutcome.reassessed, child.id)


def test_an_assessment_from_before_the_clue_is_refused(app, users, make_child, assigned_clue):
    child = make_child("village")
    with app.app_context(), db.write_session() as s:
        old = record_assessment(s, user(s, users, "village"), s.get(Child, child.id), indicators=[],
                                assessed_on=date.today()).id
    clue_id = assigned_clue()
    with pytest.raises(DomainError):
        _close(app, users, "village", clue_id, outcome="reassessed", assessment_id=old)


def test_a_transfer_needs_the_unit_the_date_and_their_receipt(app, users, assigned_clue):
    clue_id = assigned_clue()
    today = datetime.now(CHINA_TIME).date()  # the day as the bureaus count it
    for missing in ({"receiving_unit": ""}, {"transferred_on": None}, {"receipt": ""},
                    {"transferred_on": today + timedelta(days=1)}, {"transferred_on": today - timedelta(days=30)}):
        values = dict(outcome="transferred", receiving_unit="兰山区公安分局", transferred_on=today, receipt="回执2026-118")
        values.update(missing)
        with pytest.raises(DomainError):
            _close(app, users, "village", clue_id, **values)
    assert _close(app, users, "village", clue_id, outcome="transferred", receiving_unit="兰山区公安分局",
                  transferred_on=today, receipt="回执2026-118")[:2] == (ClueStatus.closed, ClueOutcome.transferred)


def test_unfounded_needs_a_reason_and_a_closed_clue_stays_closed(app, users, assigned_clue):
    clue_id = assigned_clue()
    with pytest.raises(DomainError):
        _close(app, users, "village", clue_id, outcome="unfounded", reason="  ")
    _close(app, users, "village", clue_id, outcome="unfounded", reason="核实为走亲戚的孩子，家中有人照看")
    with pytest.raises(Conflict):
        _close(app, users, "village", clue_id, outcome="unfounded", reason="again")


def test_an_unknown_outcome_is_refused(app, users, assigned_clue):
    with pytest.raises(DomainError):
        _close(app, users, "village", assigned_clue(), outcome="solved")


def test_only_the_assigned_director_or_staff_above_close_a_clue(app, users, assigned_clue):
    clue_id = assigned_clue("village")
    for actor in ("village2", "county2", "volunteer", "donor", "admin"):
        with pytest.raises(NotAllowed):
            _close(app, users, actor, clue_id, outcome="unfounded", reason="不是我的线索")


def test_the_supervisor_may_close_a_clue_of_the_town(app, users, assigned_clue):
    clue_id = assigned_clue("village")
    assert _close(app, users, "town", clue_id, outcome="unfounded", reason="重复线索")[0] == ClueStatus.closed


def test_director_and_supervisor_closing_at_the_same_moment_close_it_once(app, users, assigned_clue):
    from sqlalchemy import func, select

    from portal.clues.models import ClueEvent
    from tests.races import race

    clue_id = assigned_clue()

    def close(key, reason):
        def act(s):
            rules.record_outcome(s, user(s, users, key), s.get(Clue, clue_id),
                                 rules.OutcomeValues(outcome="unfounded", reason=reason))
        return act

    outcomes = race(app, [close("village", "核实不属实"), close("town", "重复线索")])
    assert sorted(outcomes) == ["done", "refused"]
    with app.app_context(), db.write_session() as s:
        closes = s.scalar(select(func.count()).select_from(ClueEvent).where(ClueEvent.clue_id == clue_id,
                                                                            ClueEvent.action == "close"))
        assert closes == 1


def test_a_refused_outcome_keeps_what_the_director_typed_and_leaves_the_clue_open(app, client, as_user, users,
                                                                                   assigned_clue):
    clue_id = assigned_clue()
    as_user("village")
    data = form_on(client.get(f"/clues/{clue_id}").get_data(as_text=True), f"/clues/{clue_id}/outcome")
    tomorrow = date.today() + timedelta(days=2)
    for key, value in {"outcome": "transferred", "receiving_unit": "兰山区公安分局义堂派出所",
                       "transferred_on": tomorrow.isoformat(), "receipt": "回执第118号"}.items():
        data[key] = value  # replaces the empty value the page had
    response = client.post(f"/clues/{clue_id}/outcome", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="兰山区公安分局义堂派出所"' in page and 'value="回执第118号"' in page
    assert re.search(r'<input checked[^>]*value="transferred"', page)
    assert "移送日期" in page  # the reason, beside the date
    with app.app_context():
        s = db.new_session()
        assert s.get(Clue, clue_id).status == ClueStatus.checking
        # The page shown again is a read of the clue like the first: both are in the audit log.
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.object_type == "clue", AuditEntry.object_id == str(clue_id))) == 2
        s.close()


def test_the_outcome_form_naming_new_files_is_written_as_a_read_of_each(app, client, as_user, users, assigned_clue,
                                                                        make_child):
    clue_id = assigned_clue()
    child = make_child(name="孙可馨")  # registered since the clue arrived: offered as "the new file"
    as_user("village")
    assert "孙可馨" in client.get(f"/clues/{clue_id}").get_data(as_text=True)
    with app.app_context():
        s = db.new_session()
        readers = s.scalars(select(AuditEntry.actor_name).where(
            AuditEntry.action == "read", AuditEntry.object_type == "child", AuditEntry.object_id == str(child.id))).all()
        s.close()
    assert readers == ["village"]
