"""Batches, their entitlements, the once-per-period claims, children's bank accounts and each
programme's bank columns. Nothing here is ever deleted: states move forward, with who and when.
The one exception is a draft's listing, which its maker may list again before submitting: no
money, claim or carried failure hangs on a draft's rows, and the audit log keeps both totals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from portal.types import EncryptedText, UTCDateTime, enum_column, utcnow


class BatchState(StrEnum):
    draft = "draft"  # listed, the maker may still rebuild it
    submitted = "submitted"  # frozen, waiting for a second person
    awaiting_head = "awaiting_head"  # approved by the checker; above the threshold, the head too
    approved = "approved"  # the money is posted out of the fund, payments follow
    returned = "returned"  # sent back (by a checker) or withdrawn (by its maker) unpaid: list a new one


class EntitlementState(StrEnum):
    listed = "listed"  # in a draft or submitted batch
    flagged = "flagged"  # required documents missing (or no amount): never paid from this batch
    approved = "approved"  # posted out of the fund, waiting for the bank
    paid = "paid"
    failed = "failed"  # the bank refused it; carried into a later batch of the programme
    reversed = "reversed"  # paid, then taken back
    returned = "returned"  # its batch was sent back unpaid


class DisbursementBatch(SQLModel, table=True):
    __tablename__ = "disbursement_batch"
    __table_args__ = (Index("ix_disbursement_batch_programme", "programme_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id")
    period: str = Field(max_length=10)  # "2026-09", "2026", "2026-T1", "2026-09-15"
    region_code: str = Field(foreign_key="region.code", max_length=12)
    state: BatchState = Field(sa_type=enum_column(BatchState, 14))
    total_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))  # payable rows only
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    head_approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    head_approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    returned_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    returned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    return_reason: str = Field(default="", max_length=500)


class Entitlement(SQLModel, table=True):
    """One child in one batch: a copy of what the rules said when the batch was listed."""

    __tablename__ = "disbursement_entitlement"
    __table_args__ = (
        Index("ix_disbursement_entitlement_batch", "batch_id", "state"),
        Index("ix_disbursement_entitlement_report", "programme_id", "state", "region_code"),
        CheckConstraint("amount_fen >= 0", name="ck_disbursement_entitlement_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="disbursement_batch.id")
    programme_id: int = Field(foreign_key="programme.id")
    period: str = Field(max_length=10)  # the period it pays for (a carried row keeps its own)
    child_id: int = Field(foreign_key="child.id", index=True)
    region_code: str = Field(max_length=12)  # the child's village when listed
    category: str = Field(default="", max_length=20)  # the category reported on (the first of the file's)
    amount_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    reasons: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    missing_documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: EntitlementState = Field(sa_type=enum_column(EntitlementState, 10))
    carried_from_id: int | None = Field(default=None, foreign_key="disbursement_entitlement.id", unique=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")  # medical aid answering a need
    disbursement_txn_id: int | None = Field(default=None, foreign_key="ledger_transaction.id")
    # Reports go from the payment legs to the entitlement each paid: indexed.
    payment_txn_id: int | None = Field(default=None, foreign_key="ledger_transaction.id", index=True)
    bank_reference: str = Field(default="", max_length=64)
    failure_reason: str = Field(default="", max_length=300)
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class DisbursementClaim(SQLModel, table=True):
    """A child is paid at most once per programme per period: approving a batch inserts one row per
    entitlement, and the unique constraint refuses a second, however two approvals race. A carried
    entitlement takes over its failed predecessor's row."""

    __tablename__ = "disbursement_claim"
    __table_args__ = (UniqueConstraint("programme_id", "period", "child_id", name="uq_disbursement_claim"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id")
    period: str = Field(max_length=10)
    child_id: int = Field(foreign_key="child.id")
    entitlement_id: int = Field(foreign_key="disbursement_entitlement.id", unique=True)


class ChildBankAccount(SQLModel, table=True):
    """Where a child's money goes: encrypted at rest, shown and exported only to approvers."""

    __tablename__ = "child_bank_account"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", unique=True)
    bank_name: str = Field(default="", max_length=60)
    account_number: str = Field(sa_column=Column(EncryptedText, nullable=False))
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class BankColumns(SQLModel, table=True):
    """The bank's column headings of a programme's result files, mapped once:
    {"entitlement": "序号", "amount": "金额(元)", "status": "状态", "reference": "流水号", "reason": "备注"}."""

    __tablename__ = "disbursement_bank_columns"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", unique=True)
    columns: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    success_words: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class BankImport(SQLModel, table=True):
    """A bank result file between its preview and its import, shaped as the children's
    ``ChildImport``: kept encrypted (it holds account numbers) and dropped once imported."""

    __tablename__ = "disbursement_bank_import"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=40, unique=True)
    batch_id: int = Field(foreign_key="disbursement_batch.id", index=True)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    filename: str = Field(max_length=200)
    data: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    status: str = Field(default="previewed", max_length=12)  # previewed, queued, running, done, failed
    rows: int = 0
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
