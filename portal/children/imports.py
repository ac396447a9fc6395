"""Import jobs: keep an uploaded ledger until the user confirms it, then import it (in the
background for large files) and report progress."""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update
from sqlmodel import Session

from portal.audit.rules import record
from portal.children import spreadsheet
from portal.children.models import ChildImport
from portal.errors import DomainError, NotFound
from portal.types import utcnow

# Files with more rows than this are imported by the task queue, with a progress bar.
BACKGROUND_ROWS = 300
KEEP_PREVIEWS = timedelta(days=1)


def start(session: Session, actor, filename: str, data: bytes) -> tuple[ChildImport, spreadsheet.Preview]:
    """Read and validate an upload (raises FileRejected for an unreadable file) and keep it."""
    rows = spreadsheet.read_rows(filename, data)
    preview = spreadsheet.validate(session, actor, rows)
    job = ChildImport(
        token=secrets.token_urlsafe(18), created_by_id=actor.id, filename=filename[:200],
        data=base64.b64encode(data).decode(), rows=len(rows),
    )
    session.add(job)
    session.flush()
    return job, preview


def load(session: Session, actor, token: str) -> ChildImport:
    """The import ``actor`` started with this token; nobody else's."""
    job = session.query(ChildImport).filter_by(token=token).one_or_none()
    if job is None or job.created_by_id != actor.id:
        raise NotFound(_l("This import does not exist or has expired."))
    return job


def preview_of(session: Session, actor, job: ChildImport) -> spreadsheet.Preview:
    """Validate the kept file again: the registry may have changed since the upload."""
    if job.data is None:
        raise DomainError(_l("This import is finished; upload the file again to import it again."))
    rows = spreadsheet.read_rows(job.filename, base64.b64decode(job.data))
    return spreadsheet.validate(session, actor, rows)


def claim(session: Session, job: ChildImport, status: str, update_lines: list[int]) -> bool:
    """Move a previewed job to ``status`` unless another request got there first (a form sent
    twice must not import twice): one conditional UPDATE decides."""
    result = session.execute(
        update(ChildImport).where(ChildImport.id == job.id, ChildImport.status == "previewed")
        .values(status=status, update_lines=update_lines)
    )
    session.refresh(job)
    return result.rowcount == 1


def run(session: Session, actor, job: ChildImport, progress=None) -> dict:
    """Import the job's file in ``session``'s transaction: every row or none."""
    if job.status not in ("running", "queued"):
        raise DomainError(_l("This import has already been started."))
    preview = preview_of(session, actor, job)
    result = spreadsheet.import_rows(session, actor, preview, set(job.update_lines), progress)
    job.status = "done"
    job.result = result
    job.data = None
    record(session, actor, "children.import", "child_import", job.id, region_code=actor.region_code,
           detail=dict(result, rows=job.rows))
    return result


def purge_stale(session: Session) -> int:
    """Drop the kept file of every job older than a day, whatever became of it (their files hold
    identity numbers); previews nobody confirmed go entirely."""
    old = ChildImport.created_at < utcnow() - KEEP_PREVIEWS
    dropped = session.execute(delete(ChildImport).where(ChildImport.status == "previewed", old)).rowcount or 0
    session.execute(update(ChildImport).where(ChildImport.data.is_not(None), old).values(data=None))
    return dropped
