"""What the recommender learns from that the other areas do not already record: a helper opening a
published need's public page (``view``), a helper saying "not interested" in a recommended need
(``dismiss``) and staff inviting a helper to a need (``invite``).

Claims, withdrawals, deliveries and disputes live in the needs area and are exported from there.
A helper is the volunteer or donor (``user_id``), or the organization an organization member acts
for (``organization_id``); ``helper_key`` is the helper's id in the exchange format ("u12", "o3").
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from portal.types import UTCDateTime, enum_column, utcnow


class MatchEvent(StrEnum):
    view = "view"
    invite = "invite"  # a staff action: never exported as the helper's interest
    dismiss = "dismiss"  # the helper pressed "not interested": no longer recommended to them


class MatchInteraction(SQLModel, table=True):
    __tablename__ = "matching_interaction"
    __table_args__ = (
        # One of each event per helper, need and day: a view counts once a day, and a second
        # invitation the same day is refused even when two staff press "invite" at once. The
        # index also answers "invited lately?" and the export's scan of the views.
        UniqueConstraint("event", "helper_key", "need_id", "day", name="uq_matching_interaction_daily"),
        # A need's page: who was invited to it.
        Index("ix_matching_interaction_need", "need_id", "event", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event: MatchEvent = Field(sa_type=enum_column(MatchEvent))
    need_id: int = Field(foreign_key="need.id")
    helper_key: str = Field(max_length=16)  # "u<user id>" or "o<organization id>"
    user_id: int | None = Field(default=None, foreign_key="user_account.id")  # who viewed / who was invited
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    staff_id: int | None = Field(default=None, foreign_key="user_account.id")  # invites: who invited
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    day: date
