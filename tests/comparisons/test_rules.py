"""Comparing a partner list: the four groups, confirmations, scope and retention."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.children.models import Child
from portal.clues.models import Clue, ClueSource
from portal.comparisons import rules
from portal.comparisons.models import Comparison, ComparisonRow, Outcome, RowState
from portal.errors import DomainError, NotAllowed, NotFound
from portal.notifications.models import Notification
from portal.programmes.models import EnrolmentState, ProgrammeEnrolment
from portal.types import utcnow
from tests.programmes.conftest import ALLOWANCE, make_programme  # noqa: F401

LOW_INCOME_ALLOWANCE = dict(ALLOWANCE, name_zh="困境儿童基本生活补贴",
                            amount_rule={"type": "fixed", "amount_fen": 60_000},
                            eligibility={"categories": ["low_income"], "age_max": 17})


@contextmanager
def reading(app):
    with app.app_context():
        s = db.new_session()
        try:
            yield s
        finally:
            s.close()


def _row(child, **changes) -> dict:
    row = {"name": child.name, "id_number": child.id_number or "", "birth_date": child.birth_date.isoformat(),
           "address": "义堂镇屠苏村8号", "guardian": "王秀兰"}
    row.update(changes)
    return row


def _rows(app, comparison_id: int) -> dict[int, ComparisonRow]:
    with reading(app) as s:
        return {r.line: r for r in s.scalars(select(ComparisonRow).where(ComparisonRow.comparison_id == comparison_id))}


def _act(app, users, key: str, fn, *args, **kwargs):
    with app.app_context(), db.write_session() as s:
        return fn(s, s.get(User, users[key].id), *args, **kwargs)


@pytest.fixture
def roll(app, users, make_child, make_programme):  # noqa: F811
    """A living allowance for low-income children, and a low-income roll of five rows: a file by its
    identity number, a file by its name in traditional characters with another birth day, a file
    already low-income, a child nobody has filed, and a namesake from another county."""
    make_programme(LOW_INCOME_ALLOWANCE)
    by_number = make_child(name="张小明", birth_date=date(2015, 3, 8))
    by_name = make_child(name="刘晓华", birth_date=date(2014, 6, 20), id_number="")
    known = make_child(name="王雨桐", birth_date=date(2016, 1, 5), categories=["low_income"])
    other = make_child("village2", name="赵子涵", birth_date=date(2013, 9, 9), region_code="371302105260")
    rows = [
        _row(by_number),
        _row(by_name, name="劉曉華", birth_date="2014-06-21"),
        _row(known),
        {"name": "孙可馨", "birth_date": "2017-02-14", "address": "义堂镇颐顺园村3号"},
        _row(other, id_number="", address="河南省南阳市宛城区东关村2号"),
    ]
    return dict(rows=rows, by_number=by_number.id, by_name=by_name.id, known=known.id, other=other.id)


def test_county_compares_low_income_roll_confirms_two_and_they_become_newly_eligible(app, users, compare, roll):
    comparison_id = compare(roll["rows"])
    rows = _rows(app, comparison_id)
    assert [rows[line].outcome for line in range(2, 7)] == [
        Outcome.changed, Outcome.changed, Outcome.unchanged, Outcome.new, Outcome.unmatched]
    assert (rows[2].child_id, rows[2].match) == (roll["by_number"], "exact")
    assert (rows[3].child_id, rows[3].match) == (roll["by_name"], "fuzzy")
    assert rows[2].suggestion == {"add_category": "low_income"}
    assert rows[5].region_code == "371302105260"  # the village the candidate is sent to
    assert rows[6].reason == "outside" and rows[6].child_id is None

    for line in (2, 3):
        _act(app, users, "county", rules.confirm_row, rows[line].id)
    with reading(app) as s:
        for key in ("by_number", "by_name"):
            assert "low_income" in s.get(Child, roll[key]).categories
            enrolment = s.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.child_id == roll[key]))
            assert enrolment.state == EnrolmentState.eligible  # on the allowance's newly eligible list
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.action.like("comparison.%")))]
        assert actions.count("comparison.confirm") == 2 and "comparison.run" in actions
        reassess = s.scalars(select(Notification.user_id).where(Notification.kind == "comparison_reassess")).all()
        assert set(reassess) == {users["village"].id}


def test_nothing_in_the_registry_changes_until_a_person_confirms(app, users, compare, roll):
    compare(roll["rows"])
    with reading(app) as s:
        assert s.get(Child, roll["by_number"]).categories == ["left_behind"]
        assert s.get(Child, roll["by_name"]).categories == ["left_behind"]
        assert s.scalar(select(func.count()).select_from(ProgrammeEnrolment).where(
            ProgrammeEnrolment.child_id.in_([roll["by_number"], roll["by_name"]]))) == 0


def test_confirmed_candidate_becomes_a_clue_at_its_town_for_its_supervisor(app, users, compare, roll):
    rows = _rows(app, compare(roll["rows"]))
    _act(app, users, "county", rules.confirm_row, rows[5].id)
    with reading(app) as s:
        assert s.get(ComparisonRow, rows[5].id).state == RowState.sent
        clue = s.scalars(select(Clue)).one()
        assert (clue.source, clue.region_code, clue.town_code) == (ClueSource.partner_list, "371302105260", "371302105000")
        assert clue.source_ref == f"comparison {rows[5].comparison_id} line {rows[5].line}"
        told = s.scalars(select(Notification.user_id).where(Notification.kind == "clue_arrived")).all()
        assert told == [users["town"].id]  # the town's supervisor assigns the check to a director


def test_bulk_confirm_takes_identity_matches_only(app, users, compare, roll):
    comparison_id = compare(roll["rows"])
    with app.app_context(), db.write_session() as s:
        comparison = s.get(Comparison, comparison_id)
        assert rules.bulk_confirm(s, s.get(User, users["county"].id), comparison) == 1
    rows = _rows(app, comparison_id)
    assert rows[2].state == RowState.confirmed
    assert rows[3].state == RowState.open and rows[5].state == RowState.open  # fuzzy and new wait for a person


def test_a_row_is_decided_once_and_a_dismissal_needs_a_reason(app, users, compare, roll):
    rows = _rows(app, compare(roll["rows"]))
    with pytest.raises(DomainError):
        _act(app, users, "county", rules.dismiss_row, rows[3].id, "  ")
    _act(app, users, "county", rules.dismiss_row, rows[3].id, "同名不同人")
    with pytest.raises(DomainError):
        _act(app, users, "county", rules.confirm_row, rows[3].id)
    with pytest.raises(DomainError):
        _act(app, users, "county", rules.confirm_row, rows[4].id)  # matched without change: nothing to confirm
    with reading(app) as s:
        assert s.get(Child, roll["by_name"]).categories == ["left_behind"]


def test_other_county_neither_runs_nor_sees_nor_decides(app, users, compare, roll):
    comparison_id = compare(roll["rows"])
    rows = _rows(app, comparison_id)
    with pytest.raises(NotFound):
        _act(app, users, "county2", rules.load_comparison, comparison_id)
    with pytest.raises(NotFound):
        _act(app, users, "county2", rules.confirm_row, rows[2].id)
    with pytest.raises(NotFound):
        compare(roll["rows"], actor_key="county2")
    assert _act(app, users, "county2", rules.comparisons_for) == []
    assert [c.id for c in _act(app, users, "city", rules.comparisons_for)] == [comparison_id]  # the city covers it


@pytest.mark.parametrize("key", ["village", "town", "org", "volunteer", "donor", "admin"])
def test_wrong_roles_cannot_run_or_see_a_comparison(app, users, compare, roll, key):
    comparison_id = compare(roll["rows"])
    with pytest.raises((NotAllowed, NotFound)):
        compare(roll["rows"], actor_key=key)
    with pytest.raises((NotAllowed, NotFound)):
        _act(app, users, key, rules.load_comparison, comparison_id)
    with pytest.raises((NotAllowed, NotFound)):
        _act(app, users, key, rules.confirm_row, _rows(app, comparison_id)[2].id)


def test_a_list_does_not_reveal_files_of_another_county(app, users, make_child, compare):
    elsewhere = make_child("county2", name="罗庄娃", birth_date=date(2014, 4, 4), region_code="371311001001")
    rows = _rows(app, compare([_row(elsewhere, address="义堂镇屠苏村1号")]))
    assert rows[2].child_id is None and rows[2].outcome == Outcome.new


def test_uploaded_identity_numbers_are_encrypted_at_rest(app, compare, roll):
    compare(roll["rows"])
    with reading(app) as s:
        stored = " ".join(d for (d,) in s.execute(text("SELECT data FROM comparison_row")))
        number = s.get(Child, roll["by_number"]).id_number
    assert number and number not in stored and "张小明" not in stored


def test_lists_are_purged_after_the_retention(app, users, compare, roll):
    comparison_id = compare(roll["rows"])
    with app.app_context(), db.write_session() as s:
        assert rules.purge_expired(s, utcnow() + timedelta(days=89)) == 0
        assert rules.purge_expired(s, utcnow() + timedelta(days=91)) == 1
    with reading(app) as s:
        assert s.scalar(select(func.count()).select_from(ComparisonRow)) == 0
        comparison = s.get(Comparison, comparison_id)
        assert comparison.purged_at is not None and comparison.counts["changed"] == 2


def test_a_shorter_retention_set_later_also_purges_the_lists_already_kept(app, users, compare, roll):
    # The bureau shortens the retention to 30 days: a list uploaded under the old 90 days goes too.
    comparison_id = compare(roll["rows"])
    app.config["COMPARISON_KEEP_DAYS"] = 30
    with app.app_context(), db.write_session() as s:
        assert rules.purge_expired(s, utcnow() + timedelta(days=29)) == 0
        assert rules.purge_expired(s, utcnow() + timedelta(days=31)) == 1
    with reading(app) as s:
        assert s.scalar(select(func.count()).select_from(ComparisonRow)) == 0
        assert s.get(Comparison, comparison_id).purged_at is not None


def test_partner_columns_are_mapped_inside_ones_region_and_need_the_name(app, users):
    columns = {"name": "姓名", "birth_date": "出生年月"}
    with pytest.raises(NotFound):
        _act(app, users, "county2", rules.save_columns, region_code="371302000000", partner="残联",
             meaning="severe_disability", columns=columns)
    with pytest.raises(NotAllowed):
        _act(app, users, "village", rules.save_columns, region_code="371302105259", partner="残联",
             meaning="severe_disability", columns=columns)
    for bad in ({"birth_date": "出生年月"}, {"name": "姓名"}, {"name": "姓名", "birth_date": "姓名"}):
        with pytest.raises(DomainError):
            _act(app, users, "county", rules.save_columns, region_code="371302000000", partner="残联",
                 meaning="severe_disability", columns=bad)
    with pytest.raises(DomainError):
        _act(app, users, "county", rules.save_columns, region_code="371302000000", partner="残联",
             meaning="rich", columns=columns)
    saved = _act(app, users, "county", rules.save_columns, region_code="371302000000", partner="残联",
                 meaning="severe_disability", columns=columns)
    assert [p.partner for p in _act(app, users, "county", rules.partners_for)] == ["残联"]
    assert _act(app, users, "county2", rules.partners_for) == []
    assert saved.columns == columns


def test_bulk_confirm_leaves_a_file_closed_since_the_comparison_open(app, users, make_child, compare):
    kept = make_child(name="张小明", birth_date=date(2015, 3, 8))
    closed = make_child(name="李小红", birth_date=date(2014, 2, 2))
    comparison_id = compare([_row(kept), _row(closed)])
    with app.app_context(), db.write_session() as s:
        from portal.children.rules import set_status

        set_status(s, s.get(User, users["village"].id), s.get(Child, closed.id), "closed", "迁出本省")
    with app.app_context(), db.write_session() as s:
        assert rules.bulk_confirm(s, s.get(User, users["county"].id), s.get(Comparison, comparison_id)) == 1
    rows = _rows(app, comparison_id)
    assert rows[2].state == RowState.confirmed and rows[3].state == RowState.open
    with reading(app) as s:
        assert s.get(Child, closed.id).categories == ["left_behind"]
        assert "low_income" in s.get(Child, kept.id).categories
