"""A county's choice to open its public figures page (children helped, needs solved, volunteer
hours, money raised and spent). Off until the county's civil-affairs staff switch it on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from portal.types import UTCDateTime, utcnow


class PublicDashboard(SQLModel, table=True):
    __tablename__ = "dashboard_public_county"

    county_code: str = Field(foreign_key="region.code", primary_key=True, max_length=12)
    enabled: bool = Field(default=False)
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
