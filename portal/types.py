"""Column types shared by every area: UTC timestamps and fields encrypted at rest."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum, Text
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EncryptedText(TypeDecorator):
    """Text encrypted with the configured field keys before it reaches the database.

    Identity numbers, addresses and guardian phone numbers use this (DESIGN.md §2). Decryption
    accepts every configured key, so keys can be rotated; encryption uses the first.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        from portal import crypto

        return crypto.encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        from portal import crypto

        return crypto.decrypt(value)


def enum_column(enum_cls, length: int = 20) -> Enum:
    """An enum stored as a plain string: adding a value later needs no database type change."""
    return Enum(enum_cls, native_enum=False, create_constraint=False, length=length, values_callable=lambda e: [m.value for m in e])
