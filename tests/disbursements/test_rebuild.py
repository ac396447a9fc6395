"""A draft batch is listed again from the files as they stand now, by its maker, until it is
submitted; a submitted batch is frozen."""

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.disbursements import rules
from portal.disbursements.models import DisbursementBatch
from portal.errors import Conflict, NotAllowed
from portal.programmes import rules as programmes
from portal.programmes.models import EnrolmentState, Programme, ProgrammeEnrolment
from tests.conftest import login, post
from tests.disbursements.conftest import as_user, years_ago
from tests.disbursements.test_batches import make_batch, rows


def rebuild(app, users, batch_id, key="county"):
    with app.app_context(), db.write_session() as s:
        return rules.rebuild_batch(s, as_user(s, users, key), s.get(DisbursementBatch, batch_id))


def enrol_newcomer(app, users, make_child, programme_id) -> int:
    """A university orphan registered after the batch was listed, found by the rules and enrolled."""
    child = make_child(categories=["orphan"], school_stage="university", birth_date=years_ago(18))
    with app.app_context(), db.write_session() as s:
        programme = s.get(Programme, programme_id)
        row = s.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme_id,
                                                        ProgrammeEnrolment.child_id == child.id))
        assert row.state == EnrolmentState.eligible
        programmes.enrol(s, s.get(User, users["county"].id), programme, row,
                         dict.fromkeys(programme.required_documents, True))
    return child.id


def test_a_child_enrolled_after_listing_appears_when_the_maker_lists_the_draft_again(app, users, make_child,
                                                                                      scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id, submit=False)
    newcomer = enrol_newcomer(app, users, make_child, programme.id)
    assert newcomer not in {r.child_id for r in rows(app, batch_id)}
    rebuild(app, users, batch_id)
    assert sorted(r.child_id for r in rows(app, batch_id)) == sorted([*students, newcomer])
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).total_fen == 4_000_000
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "disbursement.rebuild"))
        assert entry.detail["total_fen_before"] == 3_000_000 and entry.detail["rows"] == 4


def test_a_submitted_batch_cannot_be_listed_again(app, users, make_child, scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id)
    enrol_newcomer(app, users, make_child, programme.id)
    with pytest.raises(Conflict):
        rebuild(app, users, batch_id)
    assert sorted(r.child_id for r in rows(app, batch_id)) == sorted(students)


@pytest.mark.parametrize("key", ["county_b", "city", "county2"])
def test_only_the_maker_lists_a_draft_again(app, users, checker, scholarship, key):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id, submit=False)
    before = [r.id for r in rows(app, batch_id)]
    with pytest.raises(NotAllowed):
        rebuild(app, users, batch_id, key)
    assert [r.id for r in rows(app, batch_id)] == before


def test_the_maker_lists_the_draft_again_from_its_page(app, client, users, make_child, scholarship):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id, submit=False)
    newcomer = enrol_newcomer(app, users, make_child, programme.id)
    assert login(client, "county").status_code == 302
    assert "按档案重新生成名单" in client.get(f"/disbursements/{batch_id}").get_data(as_text=True)
    done = post(client, f"/disbursements/{batch_id}/rebuild", follow_redirects=True)
    assert "已按当前档案重新生成名单" in done.get_data(as_text=True) and f"#{newcomer}<" in done.get_data(as_text=True)
