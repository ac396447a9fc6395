"""Sign-in throttling per account.

Every attempt on an account is counted *before* its password is checked, atomically in the
limiter's storage (memory, or Redis across app servers), so parallel guesses cannot slip past
the limit; a successful sign-in clears the count. (Per-address limits are Flask-Limiter's, on the
route, counting failures only, so a shared office address is not locked out by its own staff.)
"""

from __future__ import annotations

from flask import current_app
from limits import parse

from portal.extensions import limiter

NAMESPACE = "login-account"


def _item():
    return parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def attempt_allowed(username: str) -> bool:
    """Count one attempt on ``username``; False when the account has had too many."""
    return limiter.limiter.hit(_item(), NAMESPACE, username)


def clear(username: str) -> None:
    limiter.limiter.clear(_item(), NAMESPACE, username)
