"""Payments and reversals pressed at the same moment, each in its own connection and transaction
(on SQLite and on PostgreSQL, whichever the suite runs on)."""

import threading

from portal import db
from portal.errors import Conflict
from portal.ledger import rules
from portal.ledger.models import Fund, LedgerTransaction, TransactionKind
from tests.ledger.conftest import give, take


def _race(app, attempts: int, act) -> list[str]:
    start = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def press(i: int) -> None:
        with app.app_context():
            session = db.new_session(write=True)
            try:
                start.wait()
                act(session, i)
                session.commit()
                result = "done"
            except Conflict:
                session.rollback()
                result = "refused"
            except Exception as exc:  # anything else is a failure of the rule
                session.rollback()
                result = f"error: {exc!r}"
            finally:
                session.close()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_disbursements_racing_out_of_one_fund_never_overdraw_it(app, regions):
    with app.app_context(), db.write_session() as s:
        fund_id = rules.programme_fund(s, "scholarship").id
        give(s, rules.programme_fund(s, "scholarship"), 1_000)

    def disburse(session, _i):
        take(session, session.get(Fund, fund_id), TransactionKind.disbursement, 300)

    outcomes = _race(app, 8, disburse)
    assert outcomes.count("done") == 3 and outcomes.count("refused") == 5, outcomes
    with app.app_context(), db.new_session() as s:
        assert rules.fund_figures(s, rules.programme_fund(s, "scholarship")).balance == 100
        assert rules.check(s)["violations"] == 0


def test_a_gift_reversed_by_several_people_at_once_is_reversed_once(app, regions):
    with app.app_context(), db.write_session() as s:
        gift_id = give(s, rules.general_fund(s), 5_000).id

    outcomes = _race(app, 6, lambda session, i: rules.reverse(session, None, session.get(LedgerTransaction, gift_id),
                                                               f"duplicate {i}"))
    assert outcomes.count("done") == 1 and outcomes.count("refused") == 5, outcomes
    with app.app_context(), db.new_session() as s:
        assert rules.fund_figures(s, rules.general_fund(s)).balance == 0
        assert rules.check(s)["violations"] == 0
