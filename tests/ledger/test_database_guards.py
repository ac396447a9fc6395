"""The database itself keeps the ledger balanced and append-only: raw SQL, not only the ORM, is refused.

These run on the suite's database (SQLite by default, PostgreSQL under ``scripts/with-postgres``);
the few guarantees that differ between the two are marked for their database.
"""

import pytest
from sqlalchemy.exc import IntegrityError

from portal.ledger import rules
from portal.ledger.models import LedgerTransaction
from tests.ledger.conftest import give

NOW = "2026-12-01 08:00:00+00:00"


@pytest.fixture
def dialect(app):
    return app.extensions["db_engine"].dialect.name


@pytest.fixture
def booked(ledger_session):
    """A gift of 100 yuan into the general fund, and the ids an attacker would aim at."""
    s = ledger_session
    fund = rules.general_fund(s)
    gift = give(s, fund, 10_000)
    s.commit()
    bank, account = rules.system_account(s, "bank"), rules.fund_account(s, fund)
    s.commit()
    return {"txn": gift.id, "bank": bank.id, "fund": account.id, "fund_row": fund, "session": s}


def _figures(booked):
    s = booked["session"]
    s.rollback()
    return rules.fund_figures(s, booked["fund_row"])


def _new_transaction(raw, posted=False, reverses=None) -> int:
    return raw("INSERT INTO ledger_transaction (at, kind, memo, reference, posted, reverses_id) "
               "VALUES (:at, 'gift', '', '', :posted, :reverses) RETURNING id",
               at=NOW, posted=posted, reverses=reverses).scalar_one()


def test_a_leg_cannot_be_updated(raw, booked):
    with pytest.raises(IntegrityError, match="append-only"):
        raw("UPDATE ledger_entry SET amount_fen = amount_fen * 2 WHERE transaction_id = :t", t=booked["txn"])
    with pytest.raises(IntegrityError, match="append-only"):
        raw("UPDATE ledger_entry SET account_id = :a WHERE account_id = :f", a=booked["bank"], f=booked["fund"])
    assert _figures(booked).balance == 10_000


def test_a_leg_cannot_be_deleted(raw, booked):
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM ledger_entry WHERE account_id = :f", f=booked["fund"])
    assert _figures(booked).received == 10_000


def test_a_posted_transaction_cannot_be_changed_or_deleted(raw, booked):
    with pytest.raises(IntegrityError, match="never"):
        raw("UPDATE ledger_transaction SET kind = 'refund' WHERE id = :t", t=booked["txn"])
    with pytest.raises(IntegrityError, match="never"):
        raw("UPDATE ledger_transaction SET posted = :p WHERE id = :t", p=False, t=booked["txn"])
    with pytest.raises(IntegrityError, match="never"):
        raw("DELETE FROM ledger_transaction WHERE id = :t", t=booked["txn"])
    assert _figures(booked).received == 10_000


def test_no_leg_can_be_added_to_a_posted_transaction(raw, booked):
    with pytest.raises(IntegrityError, match="already posted"):
        raw("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) VALUES (:t, :a, 500, 'CNY')",
            t=booked["txn"], a=booked["bank"])
    assert _figures(booked).balance == 10_000


def test_a_transaction_cannot_be_inserted_already_posted(raw, booked):
    with pytest.raises(IntegrityError, match="posted only after|inserted unposted"):
        _new_transaction(raw, posted=True)


@pytest.mark.parametrize("amounts", [(500, -499), (500,), (500, -300, -300)])
def test_an_unbalanced_or_single_leg_transaction_cannot_be_posted(raw, booked, amounts):
    cash = raw("INSERT INTO ledger_account (code, kind, purpose, currency) VALUES ('cash', 'asset', 'cash', 'CNY') "
               "RETURNING id").scalar_one()
    accounts = [booked["bank"], booked["fund"], cash]

    with pytest.raises(IntegrityError, match="does not balance|fewer than two legs"):
        with raw.transaction() as run:
            txn = _new_transaction(run)
            for account, amount in zip(accounts, amounts, strict=False):
                run("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) "
                    "VALUES (:t, :a, :n, 'CNY')", t=txn, a=account, n=amount)
            run("UPDATE ledger_transaction SET posted = :p WHERE id = :t", p=True, t=txn)
    assert _figures(booked).balance == 10_000
    assert rules.check(booked["session"])["violations"] == 0


@pytest.mark.parametrize("amount, currency, constraint", [(0, "CNY", "ck_ledger_entry_nonzero"),
                                                        (500, "USD", "ck_ledger_entry_currency")])
def test_zero_legs_and_other_currencies_are_refused(raw, booked, amount, currency, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        with raw.transaction() as run:
            txn = _new_transaction(run)
            run("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) VALUES (:t, :a, :n, :c)",
                t=txn, a=booked["bank"], n=amount, c=currency)


def test_a_transaction_is_reversed_at_most_once_even_in_raw_sql(raw, booked):
    s = booked["session"]
    rules.reverse(s, None, s.get(LedgerTransaction, booked["txn"]), "wrong fund")
    s.commit()
    with pytest.raises(IntegrityError):
        _new_transaction(raw, reverses=booked["txn"])
    assert _figures(booked).balance == 0


def test_sqlite_insert_or_replace_cannot_overwrite_a_leg_or_a_transaction(raw, booked, dialect):
    if dialect != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    leg = raw("SELECT id FROM ledger_entry WHERE account_id = :f", f=booked["fund"]).scalar_one()
    spare = _new_transaction(raw)
    with pytest.raises(IntegrityError):
        raw("INSERT OR REPLACE INTO ledger_entry (id, transaction_id, account_id, amount_fen, currency) "
            "VALUES (:id, :t, :a, -1, 'CNY')", id=leg, t=spare, a=booked["fund"])
    with pytest.raises(IntegrityError):
        raw("INSERT OR REPLACE INTO ledger_transaction (id, at, kind, memo, reference, posted) "
            "VALUES (:id, :at, 'gift', '', '', 0)", id=booked["txn"], at=NOW)
    with pytest.raises(IntegrityError):
        raw("UPDATE ledger_transaction SET id = :new WHERE id = :old", new=spare + 100, old=spare)
    assert _figures(booked).balance == 10_000


def test_sqlite_an_unposted_transaction_counts_nowhere_and_is_reported(raw, booked, dialect):
    if dialect != "sqlite":
        pytest.skip("PostgreSQL refuses it at COMMIT (next test)")
    txn = _new_transaction(raw)
    raw("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) VALUES (:t, :a, 700, 'CNY')",
        t=txn, a=booked["fund"])
    assert _figures(booked).balance == 10_000
    report = rules.check(booked["session"])
    assert [(p["check"], p["transaction"]) for p in report["problems"]] == [("transactions_posted", txn)]


def test_postgresql_refuses_at_commit_what_was_never_posted_or_balanced(raw, booked, dialect):
    if dialect != "postgresql":
        pytest.skip("SQLite cannot defer a trigger to COMMIT (previous test)")
    with pytest.raises(IntegrityError, match="never posted"):
        with raw.transaction() as run:
            txn = _new_transaction(run)
            for account, amount in ((booked["bank"], 700), (booked["fund"], -700)):
                run("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) "
                    "VALUES (:t, :a, :n, 'CNY')", t=txn, a=account, n=amount)
            # every statement so far was accepted: the refusal comes at COMMIT, as hordak's constraint trigger
    with pytest.raises(IntegrityError, match="never posted"):
        with raw.transaction() as run:
            _new_transaction(run)
    assert _figures(booked).balance == 10_000
    assert rules.check(booked["session"])["violations"] == 0
