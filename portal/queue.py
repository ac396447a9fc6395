"""The task queue itself: huey, SQLite-backed by default, Redis when REDIS_URL is set.

Area task modules (``portal/<area>/tasks.py``) import ``huey`` and ``in_app_context`` from here;
``portal.tasks`` imports those modules to register their tasks. Keeping the queue apart from the
registry is what keeps the import graph one-way (tasks → area tasks → queue).

Tasks run inside an app context (the worker's own app), so they use the same configuration and
database as the web processes. With HUEY_IMMEDIATE (the tests) tasks run at once, in-process.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Flask, has_app_context
from huey import RedisHuey, SqliteHuey

from portal.config import Config


def make_huey(config: Config):
    if config.REDIS_URL:
        return RedisHuey("tongxin", url=config.REDIS_URL, immediate=config.HUEY_IMMEDIATE)
    Path(config.HUEY_SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tongxin", filename=config.HUEY_SQLITE_PATH, immediate=config.HUEY_IMMEDIATE)


# Decorators need the queue when task modules are imported, so it is built from the environment
# here; ``bind`` switches it to immediate mode when an app's configuration asks for that.
huey = make_huey(Config())
_worker_app: Flask | None = None


def bind(app: Flask) -> None:
    """Make ``app`` the one tasks run in, with its immediate-mode setting."""
    global _worker_app
    huey.immediate = bool(app.config["HUEY_IMMEDIATE"])
    app.extensions["huey"] = huey
    _worker_app = app  # the worker process builds exactly one app; tests the newest


def in_app_context(fn):
    """Run ``fn`` inside the app context (the worker has none of its own)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return run


# --- a long job a page follows (a large import): its progress, and its end ------------------------


def read_progress(key: str) -> tuple[int, int] | None:
    """(done, total) of the job that reports under ``key``, or None. Kept in the queue's own
    storage: on SQLite the job holds the database's write lock for its whole transaction, so its
    progress cannot be written there meanwhile."""
    from huey.constants import EmptyData

    value = huey.storage.peek_data(key)
    if value is EmptyData:
        return None
    done, total = huey.serializer.deserialize(value)
    return done, total


def drop_upload(session, job, exc: Exception) -> None:
    """What ``run_tracked`` does to a job that failed, unless told otherwise: marked failed with
    the error's name only, and its upload (``data``: it may hold identity numbers or bank accounts)
    not kept."""
    job.status, job.data = "failed", None
    job.result = {"error": exc.__class__.__name__}


def run_tracked(model, job_id: int, key: str, run, *, prepare=None, failed=drop_upload) -> None:
    """Run ``run(session, actor, job, progress)`` on the job row ``model``/``job_id`` (a row with
    ``created_by_id`` and ``status``) in one write transaction, reporting progress under ``key``.

    ``prepare(job_id, progress)``, when given, runs first, outside the write transaction (a long
    computation that only reads must not hold SQLite's write lock meanwhile); what it returns is
    passed to ``run`` as ``prepared=``. A job that fails (in either step) has nothing of its run
    written; ``failed(session, job, exc)`` then marks it, in a transaction of its own, and the
    error is raised again for the queue to log."""
    from portal import db
    from portal.accounts.models import User

    def progress(done: int, total: int) -> None:
        huey.storage.put_data(key, huey.serializer.serialize((done, total)))

    try:
        extra = {"prepared": prepare(job_id, progress)} if prepare else {}
        with db.write_session() as session:
            job = session.get(model, job_id)
            run(session, session.get(User, job.created_by_id), job, progress, **extra)
    except Exception as exc:
        with db.write_session() as session:
            failed(session, session.get(model, job_id), exc)
        raise
    finally:
        huey.storage.pop_data(key)
