"""Background work of the children area: large imports, and purging abandoned uploads."""

from __future__ import annotations

from huey import crontab
from huey.constants import EmptyData

from portal import db
from portal.accounts.models import User
from portal.children import imports
from portal.children.models import ChildImport
from portal.queue import huey, in_app_context


def progress_key(job_id: int) -> str:
    return f"child-import-progress:{job_id}"


def read_progress(job_id: int) -> tuple[int, int] | None:
    # Kept in the queue's own storage: on SQLite the import holds the database's write lock for
    # its whole transaction, so progress cannot be written there meanwhile.
    value = huey.storage.peek_data(progress_key(job_id))
    if value is EmptyData:
        return None
    done, total = huey.serializer.deserialize(value)
    return done, total


@huey.task()
@in_app_context
def import_children(job_id: int) -> None:
    def progress(done: int, total: int) -> None:
        huey.storage.put_data(progress_key(job_id), huey.serializer.serialize((done, total)))

    try:
        with db.write_session() as session:
            job = session.get(ChildImport, job_id)
            actor = session.get(User, job.created_by_id)
            imports.run(session, actor, job, progress)
    except Exception as exc:
        with db.write_session() as session:
            job = session.get(ChildImport, job_id)
            job.status = "failed"
            job.result = {"error": exc.__class__.__name__}
            job.data = None  # the upload holds identity numbers: not kept after a failure
        raise
    finally:
        huey.storage.pop_data(progress_key(job_id))


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
