"""How an account is reached: mobile numbers and e-mail addresses, normalised, looked up, confirmed.

Accounts and helpers both need this (sign-in by mobile or e-mail; where a password reset may be
sent), so it lives here, below both: ``portal.helpers`` imports it, it imports nothing of the
helpers' rules. A contact counts as confirmed only once its holder has proven it: a helper with a
code (``HelperProfile.phone_hash`` / ``email_key`` are set only then), any account by using a reset
link mailed to it (``User.email_confirmed_at``).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal import crypto
from portal.accounts.models import User
from portal.errors import DomainError
from portal.helpers.models import HelperProfile

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_phone(phone: str | None) -> str | None:
    """A mainland mobile number as 11 digits (spaces, dashes and +86 dropped), or None if empty."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    if not digits:
        return None
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not PHONE_RE.match(digits):
        raise DomainError(_l("Enter an 11-digit mainland mobile number, e.g. 13912345678."), field="phone")
    return digits


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise DomainError(_l("Enter a valid e-mail address."), field="email")
    return email


def email_key(email: str | None) -> str | None:
    return email.lower() if email else None


def find_helper_by_contact(session: Session, identifier: str) -> User | None:
    """The helper whose confirmed mobile number or e-mail address is ``identifier`` (signing in).
    Only confirmed contacts carry ``phone_hash`` / ``email_key``."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        column, key = HelperProfile.email_key, identifier.lower()
    else:
        try:
            phone = normalise_phone(identifier)
        except DomainError:
            return None
        if not phone:
            return None
        column, key = HelperProfile.phone_hash, crypto.blind_index(phone)
    user_id = session.scalar(select(HelperProfile.user_id).where(column == key))
    return session.get(User, user_id) if user_id else None


def confirmed_contact(session: Session, user: User) -> tuple[str, str] | None:
    """Where a one-time link for ``user`` may go: ("email", address) or ("sms", mobile) of a
    contact its holder has proven, or None. An address an administrator typed in is not enough."""
    profile = session.get(HelperProfile, user.id)
    if user.email and profile is not None and profile.email_verified_at is not None \
            and profile.email_key == email_key(user.email):
        return "email", user.email
    if profile is not None and profile.phone and profile.phone_verified_at is not None \
            and profile.phone_hash == crypto.blind_index(profile.phone):
        return "sms", profile.phone
    if user.email and user.email_confirmed_at is not None:
        return "email", user.email
    return None
