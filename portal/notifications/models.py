"""Messages the portal leaves for a user: overdue visits, alerts to supervisors, …"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from portal.types import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    # One notice of a kind per user per day about one subject: a daily task run twice adds nothing.
    # Notices that ask for something name what they are ``about`` ("need:302"); doing it marks them
    # done, for everyone who was asked, through this index.
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject", "day"),
                      Index("ix_notification_about", "about", "kind"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=40)  # what it is about, e.g. a village code
    day: date
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    link: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    about: str | None = Field(default=None, max_length=40)  # the thing it asks to act on, e.g. "need:302"
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class NotificationPreference(SQLModel, table=True):
    """Whether a user also wants notices of one kind by e-mail (every notice is kept in-app)."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    by_email: bool = Field(default=True)
