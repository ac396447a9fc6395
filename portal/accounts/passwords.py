"""Password policy and hashing: argon2id, at least 12 characters, never a common password."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128

# OWASP's argon2id floor: 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
_DUMMY_HASH = HASHER.hash("tongxin-dummy-password-for-timing")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from leaked lists.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str = ""):
    """None when ``password`` is acceptable, else a translatable reason."""
    if len(password) < MIN_LENGTH:
        return _l("Password must be at least %(n)d characters long.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Password must be at most %(n)d characters long.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 3:
        return _l("This password is too common; choose another.")
    if username and username.lower() in lowered:
        return _l("Password must not contain the user name.")
    return None


# An account an administrator created has no password until its holder sets the first one with a
# one-time code: its stored "hash" starts with this mark, which no password ever matches.
UNUSABLE_MARK = "!"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def unusable_password_hash() -> str:
    """A stored value that no password matches (random, so a mailed reset link bound to the stored
    value never fits another account's)."""
    return UNUSABLE_MARK + secrets.token_hex(16)


def has_usable_password(password_hash: str | None) -> bool:
    return bool(password_hash) and not password_hash.startswith(UNUSABLE_MARK)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash (unknown user) or no usable one (an account whose first
    password is not set yet) spend the same time and say no."""
    usable = has_usable_password(password_hash)
    try:
        return HASHER.verify(password_hash if usable else _DUMMY_HASH, password) and usable
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
