"""Periodic work of the matching area: the model is trained again every hour, so that needs
published since the last training are ranked by it within the hour (a province's data trains in
about half a minute; until then the profile rules rank them)."""

from huey import crontab

from portal.matching import service
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(minute="30"))
@in_app_context
def hourly_retrain() -> None:
    """Every hour: export, fit and atomically swap the model file the app servers read."""
    service.retrain()
