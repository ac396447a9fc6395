"""Training (培训) of child directors and supervisors: sessions, their materials, who attended."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from portal.types import UTCDateTime, utcnow


class TrainingSession(SQLModel, table=True):
    """One training session, held by a region (a county, a city, or a town) for the child
    directors and supervisors of its subtree. ``checkin_token`` is what its QR code carries; a new
    one is issued when the code is shown too widely, and the old one stops working."""

    __tablename__ = "training_session"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=200)
    held_on: date = Field(index=True)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=12)
    trainer: str = Field(max_length=100)
    place: str = Field(default="", max_length=200)
    checkin_token: str = Field(max_length=40, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class TrainingMaterial(SQLModel, table=True):
    """A page of a session's materials (a slide, a handout), stored by the upload rules of photos:
    re-encoded without metadata under a random name; ``title`` is only shown back."""

    __tablename__ = "training_material"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="training_session.id", index=True)
    title: str = Field(max_length=100)
    path: str = Field(max_length=200)
    content_type: str = Field(max_length=30)
    size: int
    width: int
    height: int
    added_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class TrainingAttendance(SQLModel, table=True):
    """A person attended a session: checked in with its QR code, or ticked on the list by staff.
    One row per person and session, however often they scan."""

    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="training_session.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    via_qr: bool = Field(default=False)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
