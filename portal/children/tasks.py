"""Background work of the children area: large imports, and purging abandoned uploads."""

from __future__ import annotations

from huey import crontab

from portal import db, queue
from portal.children import imports
from portal.children.models import ChildImport
from portal.queue import huey, in_app_context


def progress_key(job_id: int) -> str:
    return f"child-import-progress:{job_id}"


def read_progress(job_id: int) -> tuple[int, int] | None:
    return queue.read_progress(progress_key(job_id))


@huey.task()
@in_app_context
def import_children(job_id: int) -> None:
    queue.run_tracked(ChildImport, job_id, progress_key(job_id), imports.run)


@huey.periodic_task(crontab(minute="17"))
@in_app_context
def purge_stale_imports() -> None:
    with db.write_session() as session:
        imports.purge_stale(session)


@huey.periodic_task(crontab(hour="6", minute="5"))
@in_app_context
def age_out_children() -> None:
    """Every morning: files of children who turned 18 are marked aged out."""
    from datetime import date

    from portal.children.rules import age_out

    with db.write_session() as session:
        age_out(session, date.today())
