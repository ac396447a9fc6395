"""The ledger (DESIGN.md §4): funds, accounts, and balanced double-entry transactions of legs.

Shaped like django-hordak: an account's balance is never stored, it is the sum of its legs. A leg
(``Entry``) is signed: positive is a debit, negative a credit, in whole fen (BIGINT), currency CNY;
the legs of a transaction sum to zero per currency. Legs are append-only: a correction is a
reversing transaction. The database itself refuses what would break this (triggers created by
migration ``0012_ledger`` on PostgreSQL and on SQLite), so raw SQL cannot do it either.

A transaction is written unposted, its legs are inserted, then it is marked ``posted``; the
database checks the legs when it is marked and refuses any leg added afterwards. Only posted
transactions count in balances.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from portal.types import UTCDateTime, enum_column, utcnow

CURRENCY = "CNY"


class FundKind(StrEnum):
    general = "general"
    programme = "programme"  # scholarship, medical aid, living allowance
    need = "need"  # one per money need


class AccountKind(StrEnum):
    """Debit-normal (asset, expense) or credit-normal (liability, income, equity)."""

    asset = "asset"
    liability = "liability"
    income = "income"
    expense = "expense"
    equity = "equity"


class AccountPurpose(StrEnum):
    stripe_clearing = "stripe_clearing"  # money Stripe holds for us until payout
    bank = "bank"
    cash = "cash"
    fund_balance = "fund_balance"  # what one fund holds for its purpose (one account per fund)
    fees = "fees"  # payment processing fees
    refunds_payable = "refunds_payable"
    disbursements_payable = "disbursements_payable"
    disbursements_paid = "disbursements_paid"


class TransactionKind(StrEnum):
    gift = "gift"  # money received into a fund
    refund = "refund"  # money given back out of a fund
    disbursement = "disbursement"  # money paid out of a fund for its purpose
    fee = "fee"
    refund_paid = "refund_paid"
    disbursement_paid = "disbursement_paid"
    reversal = "reversal"  # undoes exactly one earlier transaction


class Fund(SQLModel, table=True):
    __tablename__ = "ledger_fund"
    __table_args__ = (
        CheckConstraint("(kind = 'need') = (need_id IS NOT NULL)", name="ck_ledger_fund_need"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: FundKind = Field(sa_type=enum_column(FundKind))
    code: str = Field(max_length=40, unique=True)  # "general", "scholarship", "need-12"
    name_zh: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    need_id: int | None = Field(default=None, foreign_key="need.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Account(SQLModel, table=True):
    __tablename__ = "ledger_account"
    __table_args__ = (
        CheckConstraint("(purpose = 'fund_balance') = (fund_id IS NOT NULL)", name="ck_ledger_account_fund"),
        CheckConstraint("currency = 'CNY'", name="ck_ledger_account_currency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)  # "bank", "fund:general", "fund:need-12"
    kind: AccountKind = Field(sa_type=enum_column(AccountKind))
    purpose: AccountPurpose = Field(sa_type=enum_column(AccountPurpose, length=24))
    fund_id: int | None = Field(default=None, foreign_key="ledger_fund.id", unique=True)
    currency: str = Field(default=CURRENCY, max_length=3)


class LedgerTransaction(SQLModel, table=True):
    __tablename__ = "ledger_transaction"
    __table_args__ = (Index("ix_ledger_transaction_reference", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    kind: TransactionKind = Field(sa_type=enum_column(TransactionKind))
    memo: str = Field(default="", max_length=500)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: the portal itself
    reference: str = Field(default="", max_length=64)  # what caused it, e.g. "donation:12"
    # A transaction is reversed at most once: the unique index refuses a second reversal.
    reverses_id: int | None = Field(default=None, foreign_key="ledger_transaction.id", unique=True)
    posted: bool = Field(default=False)


class Entry(SQLModel, table=True):
    """One leg: positive debits the account, negative credits it."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="ck_ledger_entry_nonzero"),
        CheckConstraint("currency = 'CNY'", name="ck_ledger_entry_currency"),
        UniqueConstraint("transaction_id", "account_id", name="uq_ledger_entry_leg"),
        Index("ix_ledger_entry_account", "account_id", "transaction_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="ledger_transaction.id")
    account_id: int = Field(foreign_key="ledger_account.id")
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(default=CURRENCY, max_length=3)


class FundTotal(SQLModel, table=True):
    """A fund's running figures, kept by ``post`` and ``reverse`` in the posting transaction itself,
    so the public pages read one row instead of summing every leg of the fund. The legs stay the
    truth: ``ledger-check`` recomputes every fund from them and reports any difference (migration
    ``0016_fund_totals``)."""

    __tablename__ = "ledger_fund_total"
    __table_args__ = (
        CheckConstraint("balance_fen >= 0", name="ck_ledger_fund_total_not_negative"),
        CheckConstraint("received_fen - refunded_fen - disbursed_fen = balance_fen",
                        name="ck_ledger_fund_total_identity"),
    )

    fund_id: int = Field(foreign_key="ledger_fund.id", primary_key=True)
    received_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    refunded_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    disbursed_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    balance_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
