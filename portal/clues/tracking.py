"""The reporter's tracking code: 60 random bits (not sequential, not guessable), of which only a
keyed hash is stored, and the status it shows: received, being checked, handled — never more."""

from __future__ import annotations

import secrets
import unicodedata

from sqlalchemy import select
from sqlmodel import Session

from portal import crypto
from portal.clues.models import Clue, ClueStatus

# Crockford's base 32 (no I, L, O, U), 12 characters = 60 random bits, shown in groups of four.
# What people misread or mistype is read as what they meant (O → 0, I/L → 1).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """The code as stored: full-width forms, case, spaces and dashes do not matter."""
    text = unicodedata.normalize("NFKC", text or "").upper().translate(_LOOK_ALIKES)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def tracking_hash(code: str) -> str:
    return crypto.blind_index("clue:" + normalise_code(code))


PUBLIC_STATUS = {ClueStatus.received: "received", ClueStatus.checking: "checking", ClueStatus.closed: "handled"}


def public_status(session: Session, code: str) -> str | None:
    """What the reporter holding ``code`` may know: "received", "checking" or "handled" (never the
    outcome, never who or what was found); None for a code that matches no clue."""
    normal = normalise_code(code)
    if len(normal) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in normal):
        return None
    status = session.scalar(select(Clue.status).where(Clue.tracking_hash == tracking_hash(normal)))
    return PUBLIC_STATUS[ClueStatus(status)] if status is not None else None
