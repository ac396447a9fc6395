"""Background work of the comparisons: a partner list's rows are placed by the worker (issue 25),
and lists are purged once kept as long as configured."""

from __future__ import annotations

from functools import partial

from huey import crontab

from portal import db, queue
from portal.queue import huey, in_app_context


def progress_key(comparison_id: int) -> str:
    return f"comparison-progress:{comparison_id}"


def read_progress(comparison_id: int) -> tuple[int, int] | None:
    return queue.read_progress(progress_key(comparison_id))


def _place(comparison_id: int, progress):
    """The long part, on a read-only session: the registry is read and every row placed."""
    from portal.comparisons.models import Comparison
    from portal.comparisons.rules import place_list

    with db.new_session() as session:
        return place_list(session, session.get(Comparison, comparison_id), progress)


def _store(session, actor, comparison, progress, prepared, started_at=None):
    from portal.comparisons.rules import store_placed

    store_placed(session, actor, comparison, prepared, started_at)


@huey.task()
@in_app_context
def compare_list(comparison_id: int) -> None:
    """Place the rows of a queued comparison: all kept, or (failed) none and the list kept for a retry."""
    from portal.comparisons.models import Comparison
    from portal.comparisons.rules import claim, record_failure

    with db.write_session() as session:
        started_at = claim(session, comparison_id)
    if started_at is None:
        return  # run already, or being run
    queue.run_tracked(Comparison, comparison_id, progress_key(comparison_id), partial(_store, started_at=started_at),
                      prepare=_place, failed=record_failure)


@huey.periodic_task(crontab(hour="3", minute="40"))
@in_app_context
def purge_partner_lists() -> None:
    """Every night: the rows of lists past ``COMPARISON_KEEP_DAYS`` go (they hold identity numbers)."""
    from portal.comparisons.rules import purge_expired

    with db.write_session() as session:
        purge_expired(session)
