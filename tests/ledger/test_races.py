"""Payments and reversals pressed at the same moment, each in its own connection and transaction
(on SQLite and on PostgreSQL, whichever the suite runs on)."""


from portal import db
from portal.ledger import rules
from portal.ledger.models import Fund, LedgerTransaction, TransactionKind
from tests.ledger.conftest import give, take
from tests.races import race


def _race(app, attempts: int, act) -> list[str]:
    return race(app, [lambda session, i=i: act(session, i) for i in range(attempts)])


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
