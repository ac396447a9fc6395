"""The ground the account rules, resets and the helpers' registration stand on: user names, finding
an account by name, and checking and storing a new password. Depends on no other rules module, so
``rules`` and ``resets`` can both build on it without importing each other."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.passwords import hash_password, password_problem
from portal.errors import DomainError
from portal.types import utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def normalise_username(username: str) -> str:
    """A user name as stored: trimmed, lower case."""
    return (username or "").strip().lower()


def find_user(session: Session, username: str) -> User | None:
    """The account with this user name (as typed: case and spaces do not matter), or None."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def check_new_password(password: str, username: str, confirm: str | None = None) -> None:
    """Refuses a password the policy does not accept, or a confirmation that differs."""
    problem = password_problem(password, username)
    if problem:
        raise DomainError(problem, field="password")
    if confirm is not None and confirm != password:
        raise DomainError(_l("The two passwords differ."), field="confirm")


def store_password(user: User, password: str, must_change: bool) -> None:
    """Hash and store a password already checked against the policy (no check, no audit here)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
