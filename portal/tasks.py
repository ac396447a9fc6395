"""Background and periodic work on huey: SQLite-backed by default, Redis when REDIS_URL is set.

Tasks run inside an app context (the worker's own app), so they use the same configuration and
database as the web processes. With HUEY_IMMEDIATE (the tests) tasks run at once, in-process.
Run the worker with ``flask --app app worker``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click
from flask import Flask, has_app_context
from flask.cli import with_appcontext
from huey import RedisHuey, SqliteHuey

from portal.config import Config


def make_huey(config: Config):
    if config.REDIS_URL:
        return RedisHuey("tongxin", url=config.REDIS_URL, immediate=config.HUEY_IMMEDIATE)
    Path(config.HUEY_SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tongxin", filename=config.HUEY_SQLITE_PATH, immediate=config.HUEY_IMMEDIATE)


# Decorators need the queue when task modules are imported, so it is built from the environment
# here; ``init_app`` switches it to immediate mode when an app's configuration asks for that.
huey = make_huey(Config())
_worker_app: Flask | None = None


def init_app(app: Flask) -> None:
    huey.immediate = bool(app.config["HUEY_IMMEDIATE"])
    app.extensions["huey"] = huey
    global _worker_app
    _worker_app = app  # the worker process builds exactly one app; tests the newest
    # Importing the task modules registers their tasks with the queue.
    from portal.accounts import tasks as _account_tasks  # noqa: F401
    from portal.children import tasks as _children_tasks  # noqa: F401
    from portal.main import tasks as _main_tasks  # noqa: F401
    from portal.matching import tasks as _matching_tasks  # noqa: F401
    from portal.needs import tasks as _need_tasks  # noqa: F401
    from portal.notifications import tasks as _notification_tasks  # noqa: F401


def in_app_context(fn):
    """Run ``fn`` inside the app context (the worker has none of its own)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return run


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the task queue's consumer (background and periodic tasks)."""
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
