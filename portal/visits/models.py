"""Home visits: when, by whom, how, what was found; and each county's visit intervals."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import relationship
from sqlmodel import Column, Field, Relationship, SQLModel

from portal.types import UTCDateTime, enum_column, utcnow


class VisitMode(StrEnum):
    home = "home"
    school = "school"
    phone = "phone"


class Visit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    visited_on: date = Field(index=True)
    visitor_id: int | None = Field(default=None, foreign_key="user_account.id")
    mode: VisitMode = Field(sa_type=enum_column(VisitMode, 8))
    seen: str = Field(default="", max_length=200)  # who was seen: the child, guardian, teacher …
    findings: str = Field(default="", max_length=2000)
    follow_up: str = Field(default="", max_length=1000)
    via_qr: bool = Field(default=False)  # checked in by scanning the child's QR card
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    # Target and collection named explicitly: a postponed ``list[...]`` annotation is only a string
    # to SQLModel and SQLAlchemy, which would take the relationship for a single object.
    photos: list[VisitPhoto] = Relationship(
        sa_relationship=relationship("VisitPhoto", order_by="VisitPhoto.id", collection_class=list)
    )


class VisitPhoto(SQLModel, table=True):
    """An evidence photo of a visit, re-encoded without metadata (``portal.visits.photos``);
    ``path`` is relative to the upload folder and never the name the file was uploaded with."""

    __tablename__ = "visit_photo"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    path: str = Field(max_length=200)
    content_type: str = Field(max_length=30)
    size: int
    width: int
    height: int


class VisitPolicy(SQLModel, table=True):
    """A county's required visit interval per risk level, in days (defaults: 7/15/30/90)."""

    __tablename__ = "visit_policy"

    county_code: str = Field(primary_key=True, foreign_key="region.code", max_length=12)
    red_days: int = 7
    yellow_days: int = 15
    blue_days: int = 30
    green_days: int = 90
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
