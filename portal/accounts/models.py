"""Accounts: one per person, with a role and (for staff) the region they work in."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from portal.accounts.roles import HELPER_ROLES, STAFF_ROLES, Role
from portal.types import UTCDateTime, enum_column, utcnow


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=enum_column(Role), index=True)
    region_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=12)
    locale: str = Field(default="zh", max_length=8)
    is_active: bool = Field(default=True)
    must_change_password: bool = Field(default=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    password_changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session carries the id and a fingerprint of the password hash, so changing or
        # resetting the password ends every other session of this user.
        return f"{self.id}:{self.password_hash[-16:]}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_helper(self) -> bool:
        return self.role in HELPER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin
