"""Batches: listing, freezing on submission, the two-person rule, the fund's cover, once per
period, payments paid / failed (carried into the next batch) / reversed, all in the ledger."""

import pytest
from sqlmodel import func, select

from portal import db
from portal.audit.models import AuditEntry
from portal.children.models import Child
from portal.disbursements import rules
from portal.disbursements.models import BatchState, DisbursementBatch, DisbursementClaim, Entitlement, EntitlementState
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import Fund
from portal.programmes.models import Programme
from tests.disbursements.conftest import as_user, give

YEAR = "2026"


def make_batch(app, users, programme_id, period=YEAR, key="county", submit=True, region=None):
    with app.app_context(), db.write_session() as s:
        batch = rules.create_batch(s, as_user(s, users, key), s.get(Programme, programme_id), period, region)
        if submit:
            rules.submit_batch(s, as_user(s, users, key), batch)
    return batch.id


def approve(app, users, batch_id, key):
    with app.app_context(), db.write_session() as s:
        return rules.approve_batch(s, as_user(s, users, key), s.get(DisbursementBatch, batch_id))


def rows(app, batch_id):
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(Entitlement).where(Entitlement.batch_id == batch_id).order_by(Entitlement.id)))


def balance(app, programme):
    with app.app_context(), db.new_session() as s:
        return ledger.fund_figures(s, s.get(Fund, programme.fund_id)).balance


def test_a_batch_lists_the_enrolled_students_of_the_region_with_amount_and_reason(app, users, scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id, submit=False)
    listed = rows(app, batch_id)
    assert sorted(r.child_id for r in listed) == sorted(students)  # not the other county's student
    assert {r.amount_fen for r in listed} == {1_000_000} and {r.state for r in listed} == {EntitlementState.listed}
    assert {x["code"] for x in listed[0].reasons} == {"category", "stage"} and listed[0].category == "orphan"
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).total_fen == 3_000_000


@pytest.mark.parametrize("period", ["2026-09", "２０２６", "26", "2026-T1", ""])
def test_a_period_in_another_shape_than_the_programmes_is_refused_in_chinese(app, users, scholarship, period):
    programme, _students = scholarship
    with app.app_context(), db.write_session() as s, pytest.raises(DomainError) as refused:
        rules.create_batch(s, as_user(s, users, "county"), s.get(Programme, programme.id), period)
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert "2026" in str(refused.value.message)
    assert rows(app, 1) == []


def test_missing_documents_are_flagged_and_not_paid(app, users, scholarship):
    programme, students = scholarship
    with app.app_context(), db.write_session() as s:  # one student's certificate taken back off the file
        from portal.programmes.models import ProgrammeEnrolment

        row = s.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.child_id == students[0]))
        row.documents = {}
    batch_id = make_batch(app, users, programme.id)
    flagged = [r for r in rows(app, batch_id) if r.state == EntitlementState.flagged]
    assert [(r.child_id, r.missing_documents) for r in flagged] == [(students[0], ["enrolment_certificate"])]
    approve(app, users, batch_id, "county_b")
    assert balance(app, programme) == 5_000_000 - 2_000_000
    assert {r.state for r in rows(app, batch_id) if r.child_id == students[0]} == {EntitlementState.flagged}


def test_a_submitted_batch_does_not_change_when_a_file_changes(app, users, scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id)
    with app.app_context(), db.write_session() as s:
        child = s.get(Child, students[0])
        child.school_stage = "senior_secondary"  # the file says: no longer at university
    before = [(r.child_id, r.amount_fen, r.state) for r in rows(app, batch_id)]
    with app.app_context(), db.write_session() as s, pytest.raises(Conflict):
        rules.submit_batch(s, as_user(s, users, "county"), s.get(DisbursementBatch, batch_id))
    approve(app, users, batch_id, "county_b")
    assert [(r.child_id, r.amount_fen) for r in rows(app, batch_id)] == [(c, a) for c, a, _s in before]


def test_the_maker_cannot_approve_their_own_batch(app, users, checker, scholarship):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    with pytest.raises(NotAllowed):
        approve(app, users, batch_id, "county")
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).state == BatchState.submitted
    assert balance(app, programme) == 5_000_000


@pytest.mark.parametrize("key", ["county2", "town", "village", "donor", "admin"])
def test_another_county_or_a_wrong_role_cannot_approve(app, users, checker, scholarship, key):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    with pytest.raises(NotAllowed):
        approve(app, users, batch_id, key)
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).state == BatchState.submitted
        assert s.scalar(select(func.count()).select_from(DisbursementClaim)) == 0


def test_another_county_cannot_see_or_list_a_batch(app, users, scholarship):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    with app.app_context(), db.write_session() as s:
        with pytest.raises(NotFound):
            rules.load_batch(s, as_user(s, users, "county2"), batch_id)
        with pytest.raises(NotAllowed):
            rules.create_batch(s, as_user(s, users, "county2"), s.get(Programme, programme.id), YEAR)


def test_approval_by_a_second_person_posts_each_child_out_of_the_fund(app, users, checker, scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    assert balance(app, programme) == 2_000_000
    assert {r.state for r in rows(app, batch_id)} == {EntitlementState.approved}
    with app.app_context(), db.new_session() as s:
        batch = s.get(DisbursementBatch, batch_id)
        assert batch.state == BatchState.approved and batch.approved_by_id == checker.id
        assert s.scalar(select(func.count()).select_from(DisbursementClaim)) == 3
        actions = set(s.scalars(select(AuditEntry.action)))
        assert {"disbursement.create", "disbursement.submit", "disbursement.approve", "ledger.disbursement"} <= actions
        assert ledger.check(s)["violations"] == 0


def test_approval_is_refused_when_the_fund_is_short_and_the_shortfall_shown(app, users, checker, make_child,
                                                                           make_programme):
    from tests.disbursements.conftest import SCHOLARSHIP, enrol_all, years_ago

    make_child(categories=["orphan"], school_stage="university", birth_date=years_ago(18))
    make_child(categories=["orphan"], school_stage="university", birth_date=years_ago(18))
    programme = make_programme(SCHOLARSHIP)
    enrol_all(app, users, programme.id)
    give(app, programme.fund_id, 1_234_567)
    batch_id = make_batch(app, users, programme.id)
    with pytest.raises(Conflict) as refused:
        approve(app, users, batch_id, "county_b")
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert "7,654.33" in str(refused.value.message)
    assert balance(app, programme) == 1_234_567
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).state == BatchState.submitted


def test_above_the_threshold_the_head_approves_too_and_never_the_same_person(app, users, checker, heads,
                                                                             scholarship):
    programme, _students = scholarship
    app.config["DISBURSEMENT_HEAD_FEN"] = 2_000_000
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    assert balance(app, programme) == 5_000_000  # nothing paid before the head approves
    for key in ("county_b", "county", "county2", "city"):
        with pytest.raises(NotAllowed):
            approve(app, users, batch_id, key)
    approve(app, users, batch_id, "county_head")
    with app.app_context(), db.new_session() as s:
        batch = s.get(DisbursementBatch, batch_id)
        assert batch.state == BatchState.approved and batch.head_approved_by_id == heads["county_head"]
    assert balance(app, programme) == 2_000_000


def test_a_child_is_paid_once_per_period_even_in_two_overlapping_batches(app, users, checker, scholarship):
    programme, students = scholarship
    first = make_batch(app, users, programme.id)
    second = make_batch(app, users, programme.id, region="371302105259")  # the village: the same children
    approve(app, users, first, "county_b")
    with pytest.raises(Conflict):
        approve(app, users, second, "county_b")
    assert balance(app, programme) == 2_000_000
    with pytest.raises(Conflict):  # listed again now: nobody left to pay for 2026
        make_batch(app, users, programme.id)
    make_batch(app, users, programme.id, period="2027")  # next year's is another period


def test_paid_failed_and_reversed_keep_the_books_balanced_and_the_failure_is_carried(app, users, checker,
                                                                                     scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    paid, failed, returned = rows(app, batch_id)
    with app.app_context(), db.write_session() as s:
        actor = as_user(s, users, "county_b")
        rules.record_paid(s, actor, s.get(Entitlement, paid.id), "BANK-001")
        rules.record_failed(s, actor, s.get(Entitlement, failed.id), "账户已销户")
        rules.record_paid(s, actor, s.get(Entitlement, returned.id), "BANK-003")
    with app.app_context(), db.write_session() as s:
        with pytest.raises(Conflict):
            rules.record_paid(s, as_user(s, users, "county_b"), s.get(Entitlement, paid.id), "BANK-001")
    with app.app_context(), db.write_session() as s:
        rules.reverse_payment(s, as_user(s, users, "county_b"), s.get(Entitlement, returned.id), "paid twice by the bank")
    assert balance(app, programme) == 5_000_000 - 1_000_000
    with app.app_context(), db.new_session() as s:
        assert ledger.check(s)["violations"] == 0
        payable = ledger.system_account(s, "disbursements_payable")
        assert ledger.balance(s, payable) == 0
        assert s.scalar(select(func.count()).select_from(Entitlement)) == 3  # nothing deleted
    later = make_batch(app, users, programme.id, period="2027")
    carried = [r for r in rows(app, later) if r.carried_from_id]
    assert [(r.child_id, r.period, r.amount_fen) for r in carried] == [(failed.child_id, YEAR, 1_000_000)]
    approve(app, users, later, "county_b")
    with app.app_context(), db.new_session() as s:
        claim = s.scalar(select(DisbursementClaim).where(DisbursementClaim.child_id == failed.child_id,
                                                         DisbursementClaim.period == YEAR))
        assert claim.entitlement_id == carried[0].id
        assert ledger.check(s)["violations"] == 0
    again = make_batch(app, users, programme.id, period="2028")
    assert not [r for r in rows(app, again) if r.carried_from_id]  # carried once only


def test_payments_are_recorded_only_by_approvers_over_the_batch(app, users, checker, scholarship):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    first = rows(app, batch_id)[0]
    for key in ("county2", "village", "donor"):
        with app.app_context(), db.write_session() as s, pytest.raises((NotAllowed, NotFound)):
            rules.load_entitlement(s, as_user(s, users, key), first.id)
            rules.record_paid(s, as_user(s, users, key), s.get(Entitlement, first.id), "X")
    with app.app_context(), db.write_session() as s, pytest.raises(DomainError):
        rules.record_failed(s, as_user(s, users, "county_b"), s.get(Entitlement, first.id), "  ")
    assert rows(app, batch_id)[0].state == EntitlementState.approved


def test_ledger_check_catches_an_entitlement_marked_paid_without_its_payment(app, users, checker, scholarship):
    from sqlalchemy import text

    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    first, second, _third = rows(app, batch_id)
    with app.app_context(), db.write_session() as s:
        rules.record_failed(s, as_user(s, users, "county_b"), s.get(Entitlement, second.id), "closed")
        assert ledger.check(s)["violations"] == 0
    with app.app_context(), app.extensions["db_engine"].begin() as conn:  # someone bypassing the portal
        conn.execute(text("UPDATE disbursement_entitlement SET state = 'paid' WHERE id = :id"), {"id": first.id})
    with app.app_context(), db.new_session() as s:
        found = ledger.check(s)
    assert found["violations"] == 1 and found["problems"][0]["entitlement"] == first.id
