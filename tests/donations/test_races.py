"""Two staff members pressing "confirm" on the same offline gift at the same moment, each in their own
connection and transaction (on SQLite and on PostgreSQL, whichever the suite runs on)."""

from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.donations import rules
from portal.donations.models import Donation, DonationStatus, Receipt
from portal.ledger import rules as ledger
from portal.ledger.models import LedgerTransaction
from portal.needs.models import Need
from tests.donations.conftest import record
from tests.ledger.test_races import _race


def test_two_staff_confirming_one_gift_at_once_book_it_once(app, act, users, money_need, password_hash):
    app.config["OFFLINE_CONFIRM_FEN"] = 1
    donation_id = record(act, need_id=money_need, amount_fen=300_000).id
    with app.app_context(), db.write_session() as s:
        colleague = User(username="county_b", display_name="Test county_b", password_hash=password_hash,
                         role="civil_affairs", region_code="371302000000")
        s.add(colleague)
        s.flush()
        confirmers = [users["city"].id, colleague.id]

    def confirm(session, i):
        rules.confirm_offline_gift(session, session.get(User, confirmers[i]), donation_id)

    outcomes = _race(app, 2, confirm)
    assert sorted(outcomes) == ["done", "refused"], outcomes
    with app.app_context(), db.new_session() as s:
        assert s.get(Donation, donation_id).status == DonationStatus.paid
        assert s.get(Need, money_need).raised_fen == 300_000
        assert s.scalar(select(func.count(LedgerTransaction.id))
                        .where(LedgerTransaction.reference == f"donation:{donation_id}")) == 1
        assert s.scalar(select(func.count(Receipt.id))) == 1
        assert ledger.check(s)["violations"] == 0


def test_two_refunds_of_one_gift_at_once_never_give_back_more_than_it_was(app, act, users, money_need):
    from portal.donations import refunds

    donation_id = record(act, need_id=money_need, amount_fen=100_000).id
    staff = [users["county"].id, users["city"].id]

    def give_back(session, i):
        refunds.refund(session, session.get(User, staff[i]), donation_id, 60_000, f"退回 {i}")

    outcomes = _race(app, 2, give_back)
    # The loser is refused: by the conditional UPDATE (Conflict) if it read the gift before the
    # winner committed, else by the amount check, whose message says why.
    assert outcomes.count("done") == 1, outcomes
    loser = next(o for o in outcomes if o != "done")
    assert loser == "refused" or "退款金额不能超过" in loser, outcomes
    with app.app_context(), db.new_session() as s:
        assert s.get(Donation, donation_id).refunded_fen == 60_000
        assert s.get(Need, money_need).raised_fen == 40_000
        assert ledger.check(s)["violations"] == 0
