"""Background work of the dashboards: the snapshots of the province's and cities' dashboards."""

from __future__ import annotations

from datetime import date

from huey import crontab

from portal import db
from portal.dashboards.snapshots import REFRESH_MINUTES
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(minute=f"*/{REFRESH_MINUTES}"))
@in_app_context
def refresh_dashboard_snapshots() -> None:
    """Every 10 minutes: the figures of the biggest dashboards, so that a request reads them
    instead of counting a province (see ``portal.dashboards.snapshots``)."""
    from portal.dashboards import panels  # noqa: F401  (registers the panels)
    from portal.dashboards.snapshots import refresh_all

    with db.write_session() as session:
        refresh_all(session, date.today())
