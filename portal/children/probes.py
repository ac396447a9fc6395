"""Identity numbers that are not on file inside the user's region: answering is limited and audited.

Refusing a number with "a file with this identity number exists outside your region" tells the
user that the number is registered somewhere, so a staff account could probe any number by typing
it into the form or a ledger. A user gets at most ``ID_PROBE_LIMIT`` such answers in 24 hours.
Beyond it, *every* number that is not on file inside their region is refused alike ("ask your
supervisor"), whether it exists or not: a refusal that only came for existing numbers would still
answer the question. A number already answered in the window is answered again (that tells
nothing new) and is not counted twice.

Each answer and each refusal beyond the limit is an entry in the audit log (who, the number's
blind index — never the number —, from where), and the limit is counted from those entries: one
store that every app server shares, and no table of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.audit.rules import record
from portal.errors import DomainError
from portal.types import utcnow

ACTION = "children.id_probe"
WINDOW = timedelta(days=1)
DEFAULT_LIMIT = 5  # as in Config

ELSEWHERE_MESSAGE = _l("A file with this identity number exists outside your region.")
LIMIT_MESSAGE = _l("You have checked too many identity numbers from outside your region today. "
                   "Ask your supervisor to check this identity number.")


class Answer(StrEnum):
    free = "free"  # not on file anywhere: the number may be used
    elsewhere = "elsewhere"  # on file outside the user's region (refused, and the user is told so)
    limit = "limit"  # refused without saying whether it is on file


class IdNumberElsewhere(DomainError):
    """The identity number cannot be used here: it is on file outside the actor's region, or the
    actor has had too many such answers today (then the message does not say which)."""

    def __init__(self, answer: Answer):
        super().__init__(ELSEWHERE_MESSAGE if answer == Answer.elsewhere else LIMIT_MESSAGE, field="id_number")
        self.answer = answer


def message_for(answer: Answer):
    return ELSEWHERE_MESSAGE if answer == Answer.elsewhere else LIMIT_MESSAGE


def daily_limit() -> int:
    return int(current_app.config.get("ID_PROBE_LIMIT", DEFAULT_LIMIT))


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """Where an entry that must outlive the page goes: ``session`` itself when it was opened to
    write (it holds SQLite's write lock; its caller commits), otherwise a short transaction of its
    own, committed at once (a preview page that only reads)."""
    if session.get_bind().get_execution_options().get(db.IMMEDIATE):
        yield session
        session.flush()
    else:
        with db.write_session() as own:
            yield own


def answer(session: Session, actor, asked: Sequence[tuple[str, bool]], via: str) -> dict[str, Answer]:
    """Decide, in order, for each (blind index, on file) of an identity number that is not on file
    inside ``actor``'s region, whether the actor may use it, is told it exists elsewhere, or has
    reached the day's limit. Writes the audit entries (see the module docstring); returns the
    answer per blind index. ``via`` says where the number was typed ("form" or "import")."""
    if not asked:
        return {}
    answers, to_record = _decide(asked, _asked_recently(session, actor), daily_limit())
    if not to_record:  # only numbers on file nowhere, under the limit: nothing to count
        return answers
    with writing(session) as s:
        # Two requests of one user at the same moment must not both take the last answer: decide
        # again holding the user's row (PostgreSQL; SQLite's write transaction already serialises).
        s.execute(select(User.id).where(User.id == actor.id).with_for_update())
        answers, to_record = _decide(asked, _asked_recently(s, actor), daily_limit())
        for number_hash, told in to_record:
            record(s, actor, ACTION, "id_number", number_hash, region_code=actor.region_code,
                   detail={"told": told, "via": via})
    return answers


def _decide(asked: Sequence[tuple[str, bool]], seen: dict[str, bool], limit: int
            ) -> tuple[dict[str, Answer], list[tuple[str, bool]]]:
    """The answers, and the (blind index, told) entries to add to the log."""
    answers: dict[str, Answer] = {}
    to_record: list[tuple[str, bool]] = []
    used = sum(1 for told in seen.values() if told)
    for number_hash, on_file in asked:
        if number_hash in answers:
            continue
        if seen.get(number_hash):
            answers[number_hash] = Answer.elsewhere if on_file else Answer.free
        elif used >= limit:
            answers[number_hash] = Answer.limit
            if number_hash not in seen:
                to_record.append((number_hash, False))
        elif on_file:
            answers[number_hash] = Answer.elsewhere
            to_record.append((number_hash, True))
            used += 1
        else:
            answers[number_hash] = Answer.free
    return answers, to_record


def _asked_recently(session: Session, actor) -> dict[str, bool]:
    """Blind index → whether the actor was told it is on file, over the last 24 hours."""
    stmt = select(AuditEntry.object_id, AuditEntry.detail).where(
        AuditEntry.actor_id == actor.id, AuditEntry.action == ACTION, AuditEntry.at >= utcnow() - WINDOW)
    seen: dict[str, bool] = {}
    for number_hash, detail in session.execute(stmt):
        seen[number_hash] = seen.get(number_hash, False) or bool((detail or {}).get("told"))
    return seen
