"""Partner lists and what comparing them with the registry found.

A list's rows are kept only as long as configured (``COMPARISON_KEEP_DAYS``); what each row said
(name, identity number, birth date, guardian, address, school) is kept encrypted, as one field.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from portal.types import EncryptedText, UTCDateTime, enum_column, utcnow


class Meaning(StrEnum):
    """What being on a partner's list says about a child."""

    low_income = "low_income"  # 低保 / 特困 roll
    severe_disability = "severe_disability"  # 重度残疾 (disabled persons' federation)
    guardian_imprisoned = "guardian_imprisoned"  # 父母服刑 (prisons, courts)
    out_of_school = "out_of_school"  # 失学辍学 (education bureau)
    hospitalised = "hospitalised"  # 住院 / 重病 (health commission)
    orphan = "orphan"  # 孤儿
    unsupported = "unsupported"  # 事实无人抚养


class Outcome(StrEnum):
    changed = "changed"  # a file matches and the list says something it does not
    unchanged = "unchanged"  # a file matches and already says it
    new = "new"  # nobody on file: a candidate for a check on site
    unmatched = "unmatched"  # cannot be placed, with the reason


class RowState(StrEnum):
    open = "open"  # a suggestion waiting for a person
    confirmed = "confirmed"  # applied to the file (changed rows)
    sent = "sent"  # sent to the village for a check on site (new candidates)
    dismissed = "dismissed"  # a person decided the suggestion does not hold
    closed = "closed"  # nothing to decide (unchanged and unmatched rows)


class PartnerColumns(SQLModel, table=True):
    """A partner's headings, mapped once per region that receives its lists:
    {"name": "姓名", "id_number": "身份证号码", "birth_date": "出生年月", ...}, and what its list means."""

    __tablename__ = "comparison_partner_columns"
    __table_args__ = (UniqueConstraint("region_code", "partner", name="uq_comparison_partner"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(foreign_key="region.code", max_length=12)
    partner: str = Field(max_length=60)
    meaning: Meaning = Field(sa_type=enum_column(Meaning, 20))
    columns: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class RunStatus(StrEnum):
    """Where a comparison is: the worker places a list's rows after its upload (issue 25)."""

    queued = "queued"  # uploaded and checked, its rows kept (encrypted), waiting for the worker
    running = "running"  # a worker is placing its rows
    done = "done"  # every row placed
    failed = "failed"  # the run stopped and kept nothing of it; the rows wait for a retry


class Comparison(SQLModel, table=True):
    """One partner list compared with the files of one region's subtree."""

    __table_args__ = (Index("ix_comparison_region", "region_code", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(foreign_key="region.code", max_length=12)
    partner: str = Field(max_length=60)
    meaning: Meaning = Field(sa_type=enum_column(Meaning, 20))
    filename: str = Field(max_length=200)
    rows: int = 0
    # {"changed": n, "unchanged": n, "new": n, "unmatched": n, "exact": n, "fuzzy": n}
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    purge_after: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    purged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    status: str = Field(default=RunStatus.queued.value, max_length=10, sa_column_kwargs={"server_default": "done"})
    # What a failed run met, in words for the page (a refusal's message, or only the error's kind).
    error: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # The list's rows as read at the upload ([[line, {key: text}], ...], JSON, encrypted) until placed.
    pending: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    # When the run now going began: a run whose worker ended while it ran is told by its age.
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ComparisonRow(SQLModel, table=True):
    """One line of a list: what it said (encrypted), where it landed, and what a person decided."""

    __tablename__ = "comparison_row"
    __table_args__ = (Index("ix_comparison_row_outcome", "comparison_id", "outcome", "line"),)

    id: int | None = Field(default=None, primary_key=True)
    comparison_id: int = Field(foreign_key="comparison.id")
    line: int
    # {"name": ..., "id_number": ..., "birth_date": ..., "guardian": ..., "address": ..., "school": ...}
    data: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    outcome: Outcome = Field(sa_type=enum_column(Outcome, 10))
    match: str = Field(default="", max_length=8)  # exact (identity number) or fuzzy
    score: int = 0  # 0-100, the fuzzy match's
    child_id: int | None = Field(default=None, foreign_key="child.id", index=True)
    # The village a new candidate goes to, or the matched file's.
    region_code: str | None = Field(default=None, max_length=12)
    # {"add_category": "low_income"} | {"school_stage": "none"}: applied on confirmation.
    suggestion: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = Field(default="", max_length=20)  # why an unmatched row could not be placed
    state: RowState = Field(sa_type=enum_column(RowState, 10))
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
