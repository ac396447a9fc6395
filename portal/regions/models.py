"""The administrative tree: province → city → county/district → town/street → village/community."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal.types import enum_column


class Level(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    town = "town"
    village = "village"


# How many leading digits of the 12-digit statistical code identify a region of each level:
# 37 | 3713 | 371302 | 371302001 | 371302001001.
LEVEL_DIGITS = {Level.province: 2, Level.city: 4, Level.county: 6, Level.town: 9, Level.village: 12}
LEVEL_ORDER = [Level.province, Level.city, Level.county, Level.town, Level.village]


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, min_length=12, max_length=12)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=12)
    level: Level = Field(sa_type=enum_column(Level, 10))
    name: str = Field(max_length=100)

    @property
    def prefix(self) -> str:
        return self.code[: LEVEL_DIGITS[self.level]]
