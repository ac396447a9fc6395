"""Test helpers for server-side sessions: move a user's last-seen time into the past instead of
sleeping, and read the session cookie of a client."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal import db
from portal.accounts.models import UserSession
from portal.types import utcnow


def idle_for(app, user, *, minutes: int) -> None:
    """Make every open session of ``user`` look unused for ``minutes``."""
    with app.app_context(), db.write_session() as s:
        s.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                  .values(last_seen_at=utcnow() - timedelta(minutes=minutes)))


def idle_longer(app, user, *, minutes: int) -> None:
    """Move the last-seen time of ``user``'s open sessions ``minutes`` further into the past."""
    with app.app_context(), db.write_session() as s:
        for record in s.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.ended_at.is_(None))):
            record.last_seen_at -= timedelta(minutes=minutes)


def cookie_of(client) -> str:
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value


def client_with_cookie(app, value: str):
    """A new client (another browser, an attacker's) that carries a copied session cookie."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other
