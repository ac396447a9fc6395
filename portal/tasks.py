"""Background and periodic work: registers every area's tasks with the queue (``portal.queue``)
and runs its consumer with ``flask --app app worker``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from portal import queue
from portal.queue import huey


def init_app(app: Flask) -> None:
    queue.bind(app)
    # Importing the task modules registers their tasks with the queue.
    from portal.accounts import tasks as _account_tasks  # noqa: F401
    from portal.children import tasks as _children_tasks  # noqa: F401
    from portal.clues import tasks as _clue_tasks  # noqa: F401
    from portal.comparisons import tasks as _comparison_tasks  # noqa: F401
    from portal.dashboards import tasks as _dashboard_tasks  # noqa: F401
    from portal.disbursements import tasks as _disbursement_tasks  # noqa: F401
    from portal.donations import tasks as _donation_tasks  # noqa: F401
    from portal.main import tasks as _main_tasks  # noqa: F401
    from portal.matching import tasks as _matching_tasks  # noqa: F401
    from portal.needs import tasks as _need_tasks  # noqa: F401
    from portal.notifications import tasks as _notification_tasks  # noqa: F401
    from portal.programmes import tasks as _programme_tasks  # noqa: F401
    from portal.training import tasks as _training_tasks  # noqa: F401


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the task queue's consumer (background and periodic tasks)."""
    from portal import db
    from portal.main.rules import record_heartbeat

    # Seen at once, not only at the first periodic beat (up to a minute later): /healthz and
    # whoever just started the worker learn it is running.
    with db.write_session() as session:
        record_heartbeat(session)
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
