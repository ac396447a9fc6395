"""A county's choice to open its public figures page (children helped, needs solved, volunteer
hours, money raised and spent). Off until the county's civil-affairs staff switch it on."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import JSON, Column, Field, SQLModel

from portal.types import UTCDateTime, utcnow


class PublicDashboard(SQLModel, table=True):
    __tablename__ = "dashboard_public_county"

    county_code: str = Field(foreign_key="region.code", primary_key=True, max_length=12)
    enabled: bool = Field(default=False)
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class DashboardSnapshot(SQLModel, table=True):
    """The figures of a province's or city's dashboard for one standard period, as the summary
    task computed them (``portal.dashboards.snapshots``): each panel step's result by name."""

    __tablename__ = "dashboard_snapshot"

    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=12)
    period: str = Field(primary_key=True, max_length=24)  # "month:2026-09", "quarter:2026-Q3", "year:2026"
    computed_on: date  # the day its "now" figures (overdue visits, waiting needs) are of
    computed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
