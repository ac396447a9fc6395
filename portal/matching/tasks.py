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


@huey.periodic_task(crontab(minute="*/10"))
@in_app_context
def refit_fallback() -> None:
    """Every ten minutes: the profile rules fitted on the board now, for needs and helpers the
    hourly model has not seen (fitted here, never in a request)."""
    service.refit_fallback()


@huey.task()
@in_app_context
def fit_fallback() -> None:
    """Once, when an app server finds no fallback file (a new installation)."""
    service.refit_fallback()
