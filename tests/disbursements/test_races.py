"""Two overlapping batches approved at the same moment, each in its own connection and transaction
(on SQLite and on PostgreSQL, whichever the suite runs on): each child is paid once for the period."""


from sqlmodel import func, select

from portal import db
from portal.disbursements import rules
from portal.disbursements.models import BatchState, DisbursementBatch, DisbursementClaim
from portal.ledger import rules as ledger
from portal.ledger.models import Fund
from portal.programmes.models import Programme
from tests.disbursements.conftest import as_user
from tests.races import race as _race


def test_two_overlapping_batches_approved_at_once_pay_each_child_once(app, users, checker, scholarship):
    programme, students = scholarship
    ids = []
    with app.app_context(), db.write_session() as s:
        maker = as_user(s, users, "county")
        for region in (None, "371302105000"):  # the county, and the town holding the same students
            batch = rules.create_batch(s, maker, s.get(Programme, programme.id), "2026", region)
            rules.submit_batch(s, maker, batch)
            ids.append(batch.id)

    def approver(batch_id, key):
        return lambda session: rules.approve_batch(session, as_user(session, users, key),
                                                   session.get(DisbursementBatch, batch_id))

    outcomes = _race(app, [approver(ids[0], "county_b"), approver(ids[1], "city")])
    assert sorted(outcomes) == ["done", "refused"], outcomes
    with app.app_context(), db.new_session() as s:
        states = sorted(s.get(DisbursementBatch, i).state for i in ids)
        assert states == [BatchState.approved, BatchState.submitted]
        assert s.scalar(select(func.count()).select_from(DisbursementClaim)) == len(students)
        assert ledger.fund_figures(s, s.get(Fund, programme.fund_id)).balance == 5_000_000 - 3_000_000
        assert ledger.check(s)["violations"] == 0
