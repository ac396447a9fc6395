"""Periodic upkeep of the main area."""

from huey import crontab

from portal import db
from portal.main.rules import record_heartbeat
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(minute="*"))
@in_app_context
def worker_heartbeat():
    """Every minute: tell /healthz the worker is alive (a stopped worker shows as a stale time)."""
    with db.write_session() as session:
        record_heartbeat(session)
