"""Clues (线索): a report that a child may be in difficulty, from the public (without an account),
by telephone, or from a partner department, followed until its outcome is recorded.

A clue waits at the town of the place given (at the county when the town is unknown); the town's
supervisor assigns a child director, who checks on site and records the outcome. What was seen,
the place and the reporter's contact may name a child or a family: they are encrypted at rest.
The reporter holds a tracking code; only its keyed hash is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Column, Field, SQLModel

from portal.types import EncryptedText, UTCDateTime, enum_column, utcnow


class ClueStatus(StrEnum):
    received = "received"  # waiting to be assigned
    checking = "checking"  # a child director is checking on site
    closed = "closed"  # the outcome is recorded


class ClueLevel(StrEnum):
    town = "town"
    county = "county"


class ClueSource(StrEnum):
    public = "public"  # the public report form, without an account
    phone = "phone"  # a telephone call taken by staff
    school = "school"
    police = "police"
    hospital = "hospital"
    court = "court"
    procuratorate = "procuratorate"
    grid_worker = "grid_worker"
    department = "department"  # another partner department
    partner_list = "partner_list"  # a new candidate from a partner list (``portal.comparisons``)


class ClueOutcome(StrEnum):
    new_child = "new_child"  # a new file was registered
    reassessed = "reassessed"  # a child on file was assessed again
    transferred = "transferred"  # handed to a department (线索移送)
    unfounded = "unfounded"


class Clue(SQLModel, table=True):
    __table_args__ = (
        # Staff queues: open clues of a subtree by level and age; the periodic escalation.
        Index("ix_clue_status_region", "status", "region_code", "level_since"),
        Index("ix_clue_region_created", "region_code", "created_at"),
        Index("ix_clue_region_closed", "region_code", "closed_at"),
        CheckConstraint("status <> 'closed' OR outcome IS NOT NULL", name="ck_clue_closed_outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_hash: str = Field(max_length=64, unique=True)  # keyed hash of the reporter's tracking code
    # One report form sent once: a replayed post finds its key taken (the public form's nonce).
    submission_key: str | None = Field(default=None, max_length=64, unique=True)
    region_code: str = Field(foreign_key="region.code", max_length=12)  # the region chosen (village, town or county)
    town_code: str | None = Field(default=None, max_length=12, index=True)  # None: the town is unknown
    county_code: str = Field(max_length=12, index=True)
    level: ClueLevel = Field(default=ClueLevel.town, sa_type=enum_column(ClueLevel, 8))
    level_since: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    place: str = Field(sa_column=Column(EncryptedText, nullable=False))
    text: str = Field(sa_column=Column(EncryptedText, nullable=False))
    urgent: bool = Field(default=False)
    contact: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    source: ClueSource = Field(sa_type=enum_column(ClueSource))
    source_ref: str = Field(default="", max_length=200)  # the department's reference, the caller's note
    entered_by_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: the public form
    status: ClueStatus = Field(default=ClueStatus.received, sa_type=enum_column(ClueStatus, 10))
    assigned_to_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    assigned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    outcome: ClueOutcome | None = Field(default=None, sa_type=enum_column(ClueOutcome, 12), nullable=True)
    child_id: int | None = Field(default=None, foreign_key="child.id", index=True)
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    receiving_unit: str = Field(default="", max_length=200)
    transferred_on: date | None = None
    receipt: str = Field(default="", max_length=200)  # the receiving unit's receipt (回执) number or note
    reason: str = Field(default="", max_length=500)  # why unfounded
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ClueEvent(SQLModel, table=True):
    """One line of a clue's history: received, assigned, risen, alerted, closed."""

    __tablename__ = "clue_event"
    __table_args__ = (Index("ix_clue_event_clue", "clue_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    clue_id: int = Field(foreign_key="clue.id")
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: the portal itself
    action: str = Field(max_length=24)
    note: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
