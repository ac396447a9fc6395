"""政策找人: the rules find the child when the file changes, on a move and on a birthday; staff
add and remove children by hand, with a reason, audited."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.children import rules as children
from portal.children.models import Child
from portal.errors import Conflict, DomainError, NotFound
from portal.notifications.models import Notification
from portal.programmes import finding, rules
from portal.programmes.models import EnrolmentState, Programme, ProgrammeEnrolment
from tests.programmes.conftest import ALLOWANCE

TODAY = date.today()


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days) if not (TODAY.month == 2 and TODAY.day == 29) \
        else date(TODAY.year - years, 2, 28) - timedelta(days=days)


def enrolment(app, programme_id: int, child_id: int) -> ProgrammeEnrolment | None:
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme_id,
                                                         ProgrammeEnrolment.child_id == child_id))


def notices(app, username_id: int) -> list[Notification]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(Notification).where(Notification.user_id == username_id,
                                                         Notification.kind == "programme_eligible")))


def test_a_new_programme_finds_the_orphans_at_university_and_tells_their_director(app, users, make_child, make_programme):
    student = make_child(categories=["orphan"], school_stage="university", birth_date=years_ago(18, 40))
    pupil = make_child(categories=["orphan"], school_stage="senior_secondary", birth_date=years_ago(16))
    elsewhere = make_child("county2", region_code="371311001001", categories=["orphan"], school_stage="university",
                           birth_date=years_ago(17))
    programme = make_programme()
    found = enrolment(app, programme.id, student.id)
    assert found.state == EnrolmentState.eligible and found.source == "rules"
    assert {r["code"] for r in found.reasons} == {"category", "stage"}
    assert enrolment(app, programme.id, pupil.id) is None
    assert enrolment(app, programme.id, elsewhere.id) is None  # another county's programme does not reach it
    [notice] = notices(app, users["village"].id)
    assert notice.params["child"] == student.id and notice.link == f"/children/{student.id}"
    assert notices(app, users["village2"].id) == []


def test_a_child_who_moves_into_the_county_is_found_and_the_new_director_told(app, users, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child("county2", region_code="371311001001", categories=["unsupported"], birth_date=years_ago(9))
    assert enrolment(app, programme.id, child.id) is None
    with app.app_context(), db.write_session() as s:
        children.move_child(s, s.get(User, users["county2"].id), s.get(Child, child.id), "371302105260")
    found = enrolment(app, programme.id, child.id)
    assert found.state == EnrolmentState.eligible and found.found_on == TODAY
    [notice] = notices(app, users["village2"].id)
    assert notice.params["child"] == child.id
    with app.app_context(), db.new_session() as s:
        newly = rules.listed(s, s.get(User, users["county"].id), s.get(Programme, programme.id))
        assert [c.id for _row, c in newly] == [child.id]


def test_a_pending_child_who_moves_away_lapses_from_the_list(app, users, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["orphan"], birth_date=years_ago(9))
    assert enrolment(app, programme.id, child.id).state == EnrolmentState.eligible
    with app.app_context(), db.write_session() as s:
        children.move_child(s, s.get(User, users["county"].id), s.get(Child, child.id), "371311001001")
    row = enrolment(app, programme.id, child.id)
    assert row.state == EnrolmentState.lapsed and not row.eligible_now
    assert [r["code"] for r in row.reasons if not r["ok"]] == ["not_region"]


def test_a_birthday_brings_a_child_under_the_lower_age_limit_onto_the_list(app, users, make_child, make_programme):
    turns_six_tomorrow = years_ago(6, days=-1)
    child = make_child(categories=["orphan"], birth_date=turns_six_tomorrow)
    programme = make_programme(ALLOWANCE, eligibility={"categories": ["orphan"], "age_min": 6, "age_max": 17})
    assert enrolment(app, programme.id, child.id) is None
    with app.app_context(), db.write_session() as s:
        assert finding.sweep(s, TODAY)[programme.id] == 0
    with app.app_context(), db.write_session() as s:
        assert finding.sweep(s, TODAY + timedelta(days=1))[programme.id] == 1
    row = enrolment(app, programme.id, child.id)
    assert row.state == EnrolmentState.eligible and row.found_on == TODAY + timedelta(days=1)
    assert len(notices(app, users["village"].id)) == 1
    with app.app_context(), db.write_session() as s:  # the next morning's look adds nothing twice
        assert finding.sweep(s, TODAY + timedelta(days=2))[programme.id] == 0


def test_a_birthday_past_the_upper_limit_lapses_a_pending_child(app, make_child, make_programme):
    child = make_child(categories=["orphan"], birth_date=years_ago(17, days=-1))  # 16, 17 tomorrow
    programme = make_programme(ALLOWANCE, eligibility={"categories": ["orphan"], "age_max": 16})
    assert enrolment(app, programme.id, child.id).state == EnrolmentState.eligible
    with app.app_context(), db.write_session() as s:
        finding.sweep(s, TODAY + timedelta(days=1))
    assert enrolment(app, programme.id, child.id).state == EnrolmentState.lapsed


def test_a_new_category_on_the_file_finds_the_child(app, users, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["left_behind"], birth_date=years_ago(10))
    assert enrolment(app, programme.id, child.id) is None
    with app.app_context(), db.write_session() as s:
        file = s.get(Child, child.id)
        values = children.ChildValues(name=file.name, gender=file.gender, birth_date=file.birth_date,
                                      region_code=file.region_code, id_number=file.id_number or "",
                                      categories=["left_behind", "unsupported"])
        children.update_child(s, s.get(User, users["village"].id), file, values)
    row = enrolment(app, programme.id, child.id)
    assert row.state == EnrolmentState.eligible
    assert [r for r in row.reasons if r["code"] == "category"][0]["params"] == {"categories": ["unsupported"]}


def test_manual_addition_and_removal_need_a_reason_and_are_audited(app, users, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["left_behind"], birth_date=years_ago(10))
    with app.app_context(), db.write_session() as s:
        actor, prog = s.get(User, users["county"].id), s.get(Programme, programme.id)
        with pytest.raises(DomainError):
            rules.add_child(s, actor, prog, child.id, "   ")
        row = rules.add_child(s, actor, prog, child.id, "父母双方均下落不明，正在认定事实无人抚养")
        assert row.state == EnrolmentState.eligible and row.source == "manual" and not row.eligible_now
        with pytest.raises(Conflict):
            rules.add_child(s, actor, prog, child.id, "再次添加")
    with app.app_context(), db.write_session() as s:  # the rules do not take a manual addition off
        finding.sweep(s, TODAY)
    assert enrolment(app, programme.id, child.id).state == EnrolmentState.eligible
    with app.app_context(), db.write_session() as s:
        actor, prog = s.get(User, users["county"].id), s.get(Programme, programme.id)
        row = s.get(ProgrammeEnrolment, enrolment(app, programme.id, child.id).id)
        with pytest.raises(DomainError):
            rules.remove_child(s, actor, prog, row, "")
        rules.remove_child(s, actor, prog, row, "已由亲属收养")
    with app.app_context(), db.new_session() as s:
        entries = {e.action: e for e in s.scalars(select(AuditEntry).where(AuditEntry.action.like("programme.%")))}
    assert entries["programme.add_child"].detail["reason"] == "父母双方均下落不明，正在认定事实无人抚养"
    assert entries["programme.add_child"].actor_id == users["county"].id
    assert entries["programme.remove_child"].detail["reason"] == "已由亲属收养"


def test_a_removed_child_is_not_put_back_by_the_rules(app, users, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["orphan"], birth_date=years_ago(10))
    with app.app_context(), db.write_session() as s:
        row = s.get(ProgrammeEnrolment, enrolment(app, programme.id, child.id).id)
        rules.remove_child(s, s.get(User, users["county"].id), s.get(Programme, programme.id), row, "已领取其他救助")
    with app.app_context(), db.write_session() as s:
        finding.sweep(s, TODAY)
    assert enrolment(app, programme.id, child.id).state == EnrolmentState.removed


def test_another_countys_child_cannot_be_added_nor_by_another_countys_staff(app, users, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    ours = make_child(categories=["left_behind"], birth_date=years_ago(10))
    theirs = make_child("county2", region_code="371311001001", categories=["orphan"], birth_date=years_ago(10))
    with app.app_context(), db.write_session() as s:
        prog = s.get(Programme, programme.id)
        with pytest.raises(NotFound):
            rules.add_child(s, s.get(User, users["county"].id), prog, theirs.id, "试图添加外县儿童")
        for wrong in ("county2", "village", "donor", "volunteer", "org", "admin"):
            with pytest.raises(DomainError):
                rules.add_child(s, s.get(User, users[wrong].id), prog, ours.id, "无权添加")
    assert enrolment(app, programme.id, theirs.id) is None and enrolment(app, programme.id, ours.id) is None


def test_enrolment_needs_the_documents_and_a_share_of_costs_its_invoices(app, users, make_child, make_programme):
    medical = make_programme(name_zh="护佑健康医疗救助", kind="medical_aid", period_type="one_off", fund_code="medical_aid",
                             amount_rule={"type": "share", "percent": 70, "cap_fen": 2_000_000},
                             eligibility={"categories": ["orphan", "illness_disability"]},
                             required_documents=["hospital_invoices", "identity_document"])
    child = make_child(categories=["illness_disability"], birth_date=years_ago(8))
    with app.app_context(), db.write_session() as s:
        actor, prog = s.get(User, users["county"].id), s.get(Programme, medical.id)
        row = s.get(ProgrammeEnrolment, enrolment(app, medical.id, child.id).id)
        with pytest.raises(DomainError):
            rules.enrol(s, actor, prog, row, {"identity_document": True})
        with pytest.raises(DomainError):
            rules.enrol(s, actor, prog, row, {"identity_document": True, "hospital_invoices": True,
                                              "hospital_invoices_fen": 1234.5})
        rules.enrol(s, actor, prog, row, {"identity_document": True, "hospital_invoices": True,
                                          "hospital_invoices_fen": 1_000_000})
    with app.app_context(), db.new_session() as s:
        [line] = rules.for_child(s, s.get(User, users["village"].id), s.get(Child, child.id))
        assert line.standing == "received"
        row = s.get(ProgrammeEnrolment, line.enrolment.id)
        assert row.documents["hospital_invoices_fen"] == 1_000_000
        from portal.programmes.eligibility import ChildFacts, evaluate

        verdict = evaluate(line.programme, ChildFacts.of(s.get(Child, child.id), row.documents["hospital_invoices_fen"]), TODAY)
        assert verdict.amount_fen == 700_000


def test_the_scholarship_draws_on_its_fund_and_an_own_fund_is_made_for_a_new_kind(app, make_programme):
    from portal.ledger.models import Fund

    scholarship = make_programme()
    insurance = make_programme(name_zh="明天计划·孤困儿童保险", kind="insurance_premium", period_type="per_year",
                               fund_code="own", amount_rule={"type": "fixed", "amount_fen": 38_000},
                               eligibility={"categories": ["orphan", "unsupported"]}, required_documents=[])
    with app.app_context(), db.new_session() as s:
        assert s.get(Fund, scholarship.fund_id).code == "scholarship"
        own = s.get(Fund, insurance.fund_id)
        assert own.code.startswith("programme-") and own.name_zh == "明天计划·孤困儿童保险"


def test_the_morning_task_finds_the_children_whose_birthday_is_today(app, users, make_child, make_programme):
    from portal.programmes.tasks import find_newly_eligible

    child = make_child(categories=["unsupported"], birth_date=years_ago(6))  # sixth birthday today
    programme = make_programme(ALLOWANCE, eligibility={"categories": ["unsupported"], "age_min": 6},
                               today=TODAY - timedelta(days=1))
    assert enrolment(app, programme.id, child.id) is None
    find_newly_eligible()  # the queue runs it at once in the tests
    assert enrolment(app, programme.id, child.id).state == EnrolmentState.eligible
    assert [n.params["child"] for n in notices(app, users["village"].id)] == [child.id]
