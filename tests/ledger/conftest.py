"""Fixtures of the ledger: a session, the standard funds, a money need with its fund, raw SQL."""

from contextlib import contextmanager

import pytest
from sqlalchemy import text

from portal import db
from portal.ledger import rules
from portal.ledger.models import AccountPurpose, TransactionKind
from portal.needs.claims import add_funding
from portal.needs.models import Need
from tests.needs.conftest import make_need  # noqa: F401  (shared fixture)


@pytest.fixture
def money_need(make_need):  # noqa: F811
    """A published money need of 5,000 yuan."""
    return make_need(to="published", kind="money", category="medical", target_fen=500_000)


def give(session, fund, amount_fen, source=AccountPurpose.bank, actor=None, reference=""):
    """A gift into ``fund`` from ``source``, as the donations area will post it."""
    return rules.post(session, actor, TransactionKind.gift,
                      [(rules.system_account(session, source), amount_fen), (rules.fund_account(session, fund), -amount_fen)],
                      memo="gift", reference=reference)


def give_to_need(session, need_id, amount_fen, actor=None):
    """A gift towards a money need: its fund in the ledger and its raised amount, in one transaction."""
    need = session.get(Need, need_id)
    txn = give(session, rules.fund_for_need(session, need), amount_fen, actor=actor)
    add_funding(session, need, amount_fen, actor)
    return txn


def take(session, fund, kind, amount_fen, actor=None):
    """A refund or a disbursement out of ``fund``."""
    payable = AccountPurpose.refunds_payable if kind == TransactionKind.refund else AccountPurpose.disbursements_payable
    return rules.post(session, actor, kind, [(rules.fund_account(session, fund), amount_fen),
                                             (rules.system_account(session, payable), -amount_fen)])


class RawSQL:
    """Raw SQL, as someone bypassing the portal would write it: ``raw(sql)`` runs in its own committed
    transaction; ``with raw.transaction() as run:`` runs several statements in one."""

    def __init__(self, engine):
        self.engine = engine

    def __call__(self, sql: str, **params):
        with self.transaction() as run:
            return run(sql, **params)

    @contextmanager
    def transaction(self):
        with self.engine.begin() as conn:
            yield lambda sql, **params: _buffered(conn.execute(text(sql), params))


def _buffered(result):
    # Read RETURNING rows at once: SQLite cannot commit while a statement still has rows to give.
    return result.freeze()() if result.returns_rows else result


@pytest.fixture
def raw(app):
    return RawSQL(app.extensions["db_engine"])


@pytest.fixture
def ledger_session(app, regions):
    with app.app_context():
        s = db.new_session(write=True)
        yield s
        s.close()
