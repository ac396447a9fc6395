"""The audit log: who did what to which object, when, and from which address. Never edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import JSON, Column, Field, SQLModel

from portal.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    actor_name: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    # The region the object belongs to, so county staff search only their own subtree.
    region_code: str | None = Field(default=None, max_length=12, index=True)
    address: str = Field(max_length=64)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
