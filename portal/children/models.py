"""One file per child (一童一档): identity, categories, guardians, health, school, status, risk.

Identity numbers, addresses and guardian phones are encrypted at rest (``EncryptedText``); the
identity number is also kept as a keyed hash so an exact lookup works without decrypting. Files are
never deleted: a child moves, ages out or is closed with a reason.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from portal.children.grading import RiskLevel
from portal.types import EncryptedText, UTCDateTime, enum_column, utcnow


class Gender(StrEnum):
    male = "male"
    female = "female"


class Category(StrEnum):
    orphan = "orphan"
    unsupported = "unsupported"  # 事实无人抚养: no one in fact raising the child
    left_behind = "left_behind"
    migrant = "migrant"
    low_income = "low_income"
    illness_disability = "illness_disability"
    parent_imprisoned = "parent_imprisoned"
    other = "other"


class SchoolStage(StrEnum):
    """Where the child studies: programmes' rules name stages (a scholarship for university students)."""

    none = "none"  # not at school, or not recorded
    preschool = "preschool"
    primary = "primary"
    junior_secondary = "junior_secondary"
    senior_secondary = "senior_secondary"
    vocational_school = "vocational_school"  # 中职
    vocational_college = "vocational_college"  # 高职 / 大专
    university = "university"


class ChildStatus(StrEnum):
    active = "active"
    moved = "moved"
    aged_out = "aged_out"
    closed = "closed"


class Child(SQLModel, table=True):
    __table_args__ = (
        Index("ix_child_region_risk", "region_code", "risk_level"),
        Index("ix_child_region_due", "region_code", "next_visit_due"),
        # Lists filter on status and a region range: with status alone, SQLite (without statistics)
        # walked every active child of the province for each page.
        Index("ix_child_status_region", "status", "region_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    name: str = Field(max_length=50)
    gender: Gender = Field(sa_type=enum_column(Gender, 8))
    birth_date: date
    id_number: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    id_number_hash: str | None = Field(default=None, max_length=64, unique=True)
    ethnicity: str = Field(default="", max_length=20)
    household_registration: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    address: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    school: str = Field(default="", max_length=100)
    grade: str = Field(default="", max_length=30)
    school_stage: SchoolStage = Field(default=SchoolStage.none, sa_type=enum_column(SchoolStage, 20))
    disability_category: str = Field(default="", max_length=30)
    disability_level: str = Field(default="", max_length=10)
    chronic_illness: str = Field(default="", max_length=200)
    benefits: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: ChildStatus = Field(default=ChildStatus.active, sa_type=enum_column(ChildStatus, 10))
    status_reason: str = Field(default="", max_length=200)
    # The latest assessment's overall level (None until first assessed) and when the next visit is due.
    risk_level: RiskLevel | None = Field(default=None, sa_type=enum_column(RiskLevel, 8), nullable=True)
    next_visit_due: date | None = Field(default=None, index=True)
    last_visited_on: date | None = None
    qr_token: str = Field(max_length=40, unique=True)
    # A portrait re-encoded without metadata (portal.visits.photos), relative to UPLOAD_FOLDER.
    photo_path: str | None = Field(default=None, max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Guardian(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    relation: str = Field(max_length=20)
    name: str = Field(max_length=50)
    phone: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    situation: str = Field(default="", max_length=200)


class GuardianshipAgreement(SQLModel, table=True):
    """农村留守儿童临时监护责任书: the temporary guardian of a left-behind child."""

    __tablename__ = "guardianship_agreement"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    guardian_name: str = Field(max_length=50)
    signed_on: date
    renewal_due: date = Field(index=True)
    scan_path: str | None = Field(default=None, max_length=200)


class ChildMove(SQLModel, table=True):
    """The file followed the child to another village; the old village keeps the history."""

    __tablename__ = "child_move"
    __table_args__ = (UniqueConstraint("child_id", "moved_at"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    from_region_code: str = Field(foreign_key="region.code", max_length=12, index=True)
    to_region_code: str = Field(foreign_key="region.code", max_length=12)
    moved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    moved_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Assessment(SQLModel, table=True):
    """One graded assessment on the four dimensions; a child's assessments are its history."""

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    assessed_on: date
    assessor_id: int | None = Field(default=None, foreign_key="user_account.id")
    team: str = Field(default="", max_length=200)  # joint team: social worker, volunteer, director
    indicators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    health: RiskLevel = Field(sa_type=enum_column(RiskLevel, 8))
    guardianship: RiskLevel = Field(sa_type=enum_column(RiskLevel, 8))
    environment: RiskLevel = Field(sa_type=enum_column(RiskLevel, 8))
    economy: RiskLevel = Field(sa_type=enum_column(RiskLevel, 8))
    overall: RiskLevel = Field(sa_type=enum_column(RiskLevel, 8))
    notes: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ChildImport(SQLModel, table=True):
    """An uploaded ledger between its preview and its import. The file itself is kept encrypted
    (it holds identity numbers) and dropped once imported or abandoned."""

    __tablename__ = "child_import"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=40, unique=True)
    created_by_id: int = Field(foreign_key="user_account.id", index=True)
    filename: str = Field(max_length=200)
    data: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    status: str = Field(default="previewed", max_length=12)  # previewed, queued, done, failed
    rows: int = 0
    update_lines: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
