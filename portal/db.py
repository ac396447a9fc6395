"""The database: one engine per application, one session per request, SQLite tuned for many users.

SQLite (the embedded default) runs in WAL mode with a busy timeout and foreign keys on every
connection. A transaction that reads and then writes must take SQLite's write lock *first*
(``BEGIN IMMEDIATE``): a deferred transaction that tries to upgrade its read lock while another
writer has committed fails at once with "database is locked", whatever the busy timeout. So every
request that may change data (any method but GET/HEAD/OPTIONS) and every ``write_session()`` begins
immediately; reads stay concurrent. PostgreSQL needs none of this and ignores the option.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.pool import NullPool
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
IMMEDIATE = "tongxin_immediate"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AFTER_COMMIT = "tongxin_after_commit"  # key in Session.info
AFTER_SESSION = "tongxin_after_session"  # key in flask.g

log = logging.getLogger(__name__)


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create the engine for ``url`` with the per-connection settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            # one connection per checkout: SQLite connections are cheap and this keeps
            # transactions of different threads apart.
            poolclass=NullPool,
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get(IMMEDIATE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ECHO", False))
    app.extensions["db_engine"] = engine
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def new_session(*, write: bool = False, bind: Engine | None = None) -> Session:
    """A new session; ``write=True`` takes SQLite's write lock when its transaction begins."""
    bind = bind or engine()
    if write:
        bind = bind.execution_options(**{IMMEDIATE: True})
    return Session(bind=bind, expire_on_commit=False)


def sees_later_commits(session: Session) -> bool:
    """Whether a statement of ``session``'s transaction sees what other transactions committed
    after it began: PostgreSQL's READ COMMITTED does; SQLite takes its snapshot at a transaction's
    first read, so a side transaction's commit (an audit entry) stays hidden from it until it ends."""
    return session.get_bind().dialect.name == "postgresql"


def insert_for(session: Session):
    """The dialect's own ``insert`` (PostgreSQL's or SQLite's) for ``session``'s database: both
    offer ``on_conflict_do_nothing`` and ``returning``, which the generic one does not."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def session() -> Session:
    """The session of the current request (or app context), created on first use.

    Requests that may write begin their transaction with the write lock; see the module docstring.
    """
    if "db_session" not in g:
        write = not has_request_context() or request.method not in READ_METHODS
        g.db_session = new_session(write=write)
    return g.db_session


@contextmanager
def write_session() -> Iterator[Session]:
    """A separate short transaction that writes and commits, e.g. an audit entry during a GET."""
    s = new_session(write=True)
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def after_session_ends(fn: Callable[[], None]) -> None:
    """Call ``fn()`` once the request's session (``session()``) is closed, its transaction over.

    For a write on the side of a request, in its own transaction (a helper's view of a need): in
    a request that writes, the request's session holds SQLite's write lock until it ends, so a
    second writer opened meanwhile would wait for it and fail with "database is locked". ``fn``
    runs whether the request committed or rolled back, but not when it failed with an exception;
    an exception in ``fn`` is logged, never raised (the response is already made).
    """
    g.setdefault(AFTER_SESSION, []).append(fn)


def _close_session(exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
    for fn in g.pop(AFTER_SESSION, []):
        if exc is not None:
            continue
        try:
            fn()
        except Exception:
            log.exception("after-session callback %r failed", fn)


# --- effects that wait for the commit ------------------------------------------------------------


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Call ``fn()`` once the transaction ``session`` is in has committed for good.

    For effects outside the database (mail, queued jobs) that must not happen for data that never
    lands: ``fn`` is dropped when that transaction rolls back or the session closes without
    committing, and also when the savepoint (``begin_nested``) it was registered in rolls back.
    Registered with no transaction begun, it waits for the next one. ``fn`` runs after the commit,
    so it may not use ``session``; an exception in it is logged, never raised (the data is saved).
    """
    registered_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(AFTER_COMMIT, []).append((registered_in, fn))


@event.listens_for(OrmSession, "after_commit")
def _run_after_commit(session: OrmSession) -> None:
    if session.get_nested_transaction() is not None:
        return  # only a savepoint was released: the outer transaction may still roll back
    for _registered_in, fn in session.info.pop(AFTER_COMMIT, []):
        try:
            fn()
        except Exception:
            log.exception("after-commit callback %r failed", fn)


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_rolled_back(session: OrmSession, previous_transaction: SessionTransaction) -> None:
    def inside(tx: SessionTransaction | None) -> bool:
        while tx is not None and tx is not previous_transaction:
            tx = tx.parent
        return tx is not None

    pending = session.info.get(AFTER_COMMIT)
    if pending:
        session.info[AFTER_COMMIT] = [(tx, fn) for tx, fn in pending if not inside(tx)]


@event.listens_for(OrmSession, "after_transaction_end")
def _drop_uncommitted(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction ended; a commit has run them already
        session.info.pop(AFTER_COMMIT, None)
