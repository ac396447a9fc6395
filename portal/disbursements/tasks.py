"""Background work of disbursements: large bank result files, as the children's large imports."""

from __future__ import annotations

from huey.constants import EmptyData

from portal import db
from portal.accounts.models import User
from portal.disbursements import bank
from portal.disbursements.models import BankImport
from portal.queue import huey, in_app_context


def progress_key(job_id: int) -> str:
    return f"bank-import-progress:{job_id}"


def read_progress(job_id: int) -> tuple[int, int] | None:
    # In the queue's storage, as the children's import: SQLite's write lock is held meanwhile.
    value = huey.storage.peek_data(progress_key(job_id))
    if value is EmptyData:
        return None
    done, total = huey.serializer.deserialize(value)
    return done, total


@huey.task()
@in_app_context
def import_bank_result(job_id: int) -> None:
    def progress(done: int, total: int) -> None:
        huey.storage.put_data(progress_key(job_id), huey.serializer.serialize((done, total)))

    try:
        with db.write_session() as session:
            job = session.get(BankImport, job_id)
            actor = session.get(User, job.created_by_id)
            bank.run_import(session, actor, job, progress)
    except Exception as exc:
        with db.write_session() as session:
            job = session.get(BankImport, job_id)
            job.status, job.data = "failed", None
            job.result = {"error": exc.__class__.__name__}
        raise
    finally:
        huey.storage.pop_data(progress_key(job_id))
