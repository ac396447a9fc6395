"""Aid programmes (scholarships, medical aid, insurance premiums, living allowances, relief) and
where each child stands with each programme.

A programme's eligibility rules, amount rule and required documents are data (JSON), checked by
``portal.programmes.eligibility`` before they are stored and evaluated by the same module.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from portal.types import UTCDateTime, enum_column, utcnow


class ProgrammeKind(StrEnum):
    scholarship = "scholarship"
    medical_aid = "medical_aid"
    insurance_premium = "insurance_premium"
    living_allowance = "living_allowance"
    relief = "relief"  # one-off relief


class PeriodType(StrEnum):
    one_off = "one_off"
    monthly = "monthly"
    per_term = "per_term"
    per_year = "per_year"


class EnrolmentState(StrEnum):
    eligible = "eligible"  # found by the rules (or added by hand), not yet enrolled: documents to collect
    enrolled = "enrolled"  # documents collected, receives the programme
    removed = "removed"  # taken off by staff, with a reason
    lapsed = "lapsed"  # was eligible, no longer is, before being enrolled


class EnrolmentSource(StrEnum):
    rules = "rules"  # 政策找人: the rules found the child
    manual = "manual"  # added by staff, with a reason


class Programme(SQLModel, table=True):
    __table_args__ = (Index("ix_programme_owner_active", "owner_region_code", "active"),)

    id: int | None = Field(default=None, primary_key=True)
    name_zh: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    kind: ProgrammeKind = Field(sa_type=enum_column(ProgrammeKind, 20))
    fund_id: int = Field(foreign_key="ledger_fund.id", index=True)
    period_type: PeriodType = Field(sa_type=enum_column(PeriodType, 12))
    # {"type": "fixed", "amount_fen": 1000000} | {"type": "share", "percent": 70, "cap_fen": 2000000}
    # | {"type": "by_category", "amounts_fen": {"orphan": 180000, "unsupported": 150000}}
    amount_rule: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # {"categories": [...], "age_min": n, "age_max": n, "school_stages": [...], "risk_levels": [...],
    #  "statuses": [...], "regions": [...]}; a key left out does not restrict.
    eligibility: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    required_documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owner_region_code: str = Field(foreign_key="region.code", max_length=12)  # a city or a county
    active: bool = Field(default=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ProgrammeEnrolment(SQLModel, table=True):
    """One child with one programme: found eligible, enrolled, removed or lapsed. Never deleted."""

    __tablename__ = "programme_enrolment"
    __table_args__ = (
        UniqueConstraint("programme_id", "child_id", name="uq_programme_enrolment_child"),
        Index("ix_programme_enrolment_state", "programme_id", "state", "found_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id")
    child_id: int = Field(foreign_key="child.id", index=True)
    state: EnrolmentState = Field(sa_type=enum_column(EnrolmentState, 10))
    source: EnrolmentSource = Field(sa_type=enum_column(EnrolmentSource, 8))
    # The latest evaluation: eligible or not, and why (reason codes with parameters, shown in the
    # reader's language: see ``eligibility.Reason``).
    eligible_now: bool = Field(default=True)
    reasons: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    found_on: date
    # Documents collected: {"enrolment_certificate": true, "hospital_invoices_fen": 123400}
    documents: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=300)  # the reason of a manual addition or removal
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
