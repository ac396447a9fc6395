"""The staff overview of needs per region and category. Thin: ``portal.needs.overview`` counts."""

from __future__ import annotations

from datetime import date

from flask_login import current_user

from portal import access, db
from portal.accounts.roles import LEVEL_LABELS
from portal.categories import NEED_CATEGORY_LABELS
from portal.needs import bp
from portal.needs.labels import STATUS_LABELS
from portal.needs.overview import AGE_BUCKETS
from portal.needs.overview import overview as needs_overview
from portal.web import render


@bp.route("/needs/overview")
@access.route("needs.list")
def overview():
    data = needs_overview(db.session(), current_user, date.today())
    return render("needs/overview.html", data=data, age_buckets=[key for key, _days in AGE_BUCKETS],
                  level_labels=LEVEL_LABELS, status_labels=STATUS_LABELS,
                  category_labels=NEED_CATEGORY_LABELS)
