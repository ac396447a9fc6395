"""Background work of the comparisons: partner lists are purged once kept as long as configured."""

from __future__ import annotations

from huey import crontab

from portal import db
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(hour="3", minute="40"))
@in_app_context
def purge_partner_lists() -> None:
    """Every night: the rows of lists past ``COMPARISON_KEEP_DAYS`` go (they hold identity numbers)."""
    from portal.comparisons.rules import purge_expired

    with db.write_session() as session:
        purge_expired(session)
