"""Background work of disbursements: large bank result files, as the children's large imports."""

from __future__ import annotations

from portal import queue
from portal.disbursements import bank
from portal.disbursements.models import BankImport
from portal.queue import huey, in_app_context


def progress_key(job_id: int) -> str:
    return f"bank-import-progress:{job_id}"


def read_progress(job_id: int) -> tuple[int, int] | None:
    return queue.read_progress(progress_key(job_id))


@huey.task()
@in_app_context
def import_bank_result(job_id: int) -> None:
    queue.run_tracked(BankImport, job_id, progress_key(job_id), bank.run_import)
