"""The anonymous board, rendered once per filter and language until the board changes.

Every visitor who is not signed in sees the same board for the same filter, and on a province it
took ~25 ms a page to query and render (issue 22). Each process keeps the rendered results (and
the filter's place choices) keyed by the *board version*: a counter in ``board_version`` that goes
up after every committed change to a need (published, claimed, closed, edited, given to), however
it was made (an ORM change, a bulk ``update(Need)``, a task). Reading the version is one primary-key
SELECT. The bump runs after the commit, in its own short transaction, so no need write ever waits
on the counter's row; a change is seen by the next request after it. As a safety net an entry is
also dropped after ``MAX_AGE_SECONDS``.

Signed-in readers are never served from here: their board shows their own recommendations and
vetting notes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from flask import current_app, g, has_request_context, request
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from portal.needs.models import BoardVersion, Need

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 300
MAX_ENTRIES = 512  # per process: filters × pages × languages actually asked for
_CHANGED = "needs_board_changed"


def version(session: Session) -> int:
    """The board's version, read once per reading request (a board page asks for it for the
    filters, the place choices and the results)."""
    reading = has_request_context() and request.method in ("GET", "HEAD")
    if reading and "needs_board_version" in g:
        return g.needs_board_version
    found = session.scalar(select(BoardVersion.version).where(BoardVersion.id == 1)) or 0
    if reading:
        g.needs_board_version = found
    return found


def bump(connection) -> None:
    """Move the board to its next version (creating the counter on first use)."""
    done = connection.execute(update(BoardVersion).where(BoardVersion.id == 1)
                              .values(version=BoardVersion.version + 1)).rowcount
    if not done:
        connection.execute(insert(BoardVersion).values(id=1, version=1))


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict = OrderedDict()

    def get(self, key, current: int):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            stored_version, stored_at, value = found
            if stored_version != current or time.monotonic() - stored_at > MAX_AGE_SECONDS:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return value

    def put(self, key, current: int, value) -> None:
        with self.lock:
            self.entries[key] = (current, time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def cache(app=None) -> _Cache:
    app = app or current_app
    return app.extensions.setdefault("needs_board_cache", _Cache())


def kept(session: Session, key: tuple, compute):
    """``compute()``, kept until the board changes: for what every reader's board shares (the
    counties and towns that have published needs, which took a scan of the board each time)."""
    current = version(session)
    found = cache().get(key, current)
    if found is None:
        found = compute()
        cache().put(key, current, found)
    return found


# --- noticing changes to needs -------------------------------------------------------------------


def _touches_needs(session: OrmSession) -> bool:
    return any(isinstance(obj, Need) for obj in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(OrmSession, "before_flush")
def _note_flush(session, _flush_context, _instances) -> None:
    if _touches_needs(session):
        session.info[_CHANGED] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _note_statement(state) -> None:
    if (state.is_update or state.is_insert or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is Need:
        state.session.info[_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _bump_after_commit(session) -> None:
    # Also called when a savepoint is released: only the outermost commit has made a change seen.
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    try:
        with engine.begin() as connection:
            bump(connection)
    except Exception:  # the change is committed: never report it failed; the kept copies expire anyway
        log.exception("needs: the board version could not be moved on; kept boards expire within %d s",
                      MAX_AGE_SECONDS)


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget(session, _previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(_CHANGED, None)
