"""A batch sent back unpaid: by its checker (or the head) with a reason, or withdrawn by its maker.
Nothing is paid or claimed; the children and any failure it carried go into the next batch."""

import pytest
from sqlmodel import select

from portal import db
from portal.audit.models import AuditEntry
from portal.disbursements import rules
from portal.disbursements.models import BatchState, DisbursementBatch, DisbursementClaim, Entitlement, EntitlementState
from portal.errors import Conflict, DomainError, NotAllowed
from portal.ledger import rules as ledger
from tests.disbursements.conftest import as_user
from tests.disbursements.test_batches import approve, balance, make_batch, rows


def send_back(app, users, batch_id, key, reason="金额有误，请重新核对"):
    with app.app_context(), db.write_session() as s:
        return rules.return_batch(s, as_user(s, users, key), s.get(DisbursementBatch, batch_id), reason)


def test_the_checker_sends_a_batch_back_and_the_children_come_in_the_next_one(app, users, checker, scholarship):
    programme, students = scholarship
    before = balance(app, programme)
    batch_id = make_batch(app, users, programme.id)
    send_back(app, users, batch_id, "county_b")
    with app.app_context(), db.new_session() as s:
        batch = s.get(DisbursementBatch, batch_id)
        assert (batch.state, batch.return_reason) == (BatchState.returned, "金额有误，请重新核对")
        assert s.scalars(select(DisbursementClaim)).all() == []
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "disbursement.return"))
        assert entry.object_id == str(batch_id) and entry.detail["reason"] == "金额有误，请重新核对"
        assert ledger.check(s)["violations"] == 0
    assert {r.state for r in rows(app, batch_id)} == {EntitlementState.returned}
    assert balance(app, programme) == before  # nothing left the fund
    with app.app_context(), db.write_session() as s, pytest.raises(Conflict):
        rules.approve_batch(s, as_user(s, users, "county_b"), s.get(DisbursementBatch, batch_id))
    again = make_batch(app, users, programme.id)  # same period: the children are due again
    assert sorted(r.child_id for r in rows(app, again)) == sorted(students)


def test_a_returned_batch_lets_go_of_the_failure_it_carried(app, users, checker, scholarship):
    programme, _students = scholarship
    first = make_batch(app, users, programme.id)
    approve(app, users, first, "county_b")
    failed = rows(app, first)[0]
    with app.app_context(), db.write_session() as s:
        rules.record_failed(s, as_user(s, users, "county_b"), s.get(Entitlement, failed.id), "账户已销户")
    carrying = make_batch(app, users, programme.id, period="2027")
    assert [r.carried_from_id for r in rows(app, carrying) if r.carried_from_id] == [failed.id]
    send_back(app, users, carrying, "county")  # the maker withdraws it
    next_one = make_batch(app, users, programme.id, period="2027")
    assert [r.carried_from_id for r in rows(app, next_one) if r.carried_from_id] == [failed.id]


def test_the_maker_withdraws_a_draft_but_nobody_else_may(app, users, checker, scholarship):
    programme, _students = scholarship
    draft = make_batch(app, users, programme.id, submit=False)
    with pytest.raises(NotAllowed):
        send_back(app, users, draft, "county_b")  # a draft is its maker's alone
    with pytest.raises(NotAllowed):
        send_back(app, users, draft, "county2")  # another county
    send_back(app, users, draft, "county")
    with pytest.raises(Conflict):
        send_back(app, users, draft, "county")  # already sent back


@pytest.mark.parametrize("reason", ["", "   "])
def test_sending_back_needs_a_reason_and_changes_nothing_without_one(app, users, checker, scholarship, reason):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    with pytest.raises(DomainError):
        send_back(app, users, batch_id, "county_b", reason)
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).state == BatchState.submitted


def test_an_approved_batch_cannot_be_sent_back(app, users, checker, scholarship):
    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    with pytest.raises(Conflict):
        send_back(app, users, batch_id, "county_b")


def test_the_checker_sends_it_back_from_the_batch_page_in_chinese(app, users, checker, scholarship, client):
    from tests.conftest import login, post

    programme, _students = scholarship
    batch_id = make_batch(app, users, programme.id)
    login(client, "county_b")
    page = client.get(f"/disbursements/{batch_id}").get_data(as_text=True)
    assert "退回，不拨付" in page
    answer = post(client, f"/disbursements/{batch_id}/return", {"reason": "名单需复核"}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert f"第 {batch_id} 批已退回，未拨付：名单需复核" in text and "已退回（未拨付）" in text
    with app.app_context(), db.new_session() as s:
        assert s.get(DisbursementBatch, batch_id).state == BatchState.returned
