"""The dashboards: a region's panels for a period, its report (page, .xlsx, .docx), a county's
public figures page and its switch. Thin: ``portal.dashboards.rules`` builds the figures."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.accounts.roles import LEVEL_LABELS
from portal.dashboards import bp, cli, exports, periods, rules  # noqa: F401  (cli: flask dashboards refresh)
from portal.dashboards.public import public_page
from portal.dashboards.sentences import formatted
from portal.errors import DomainError
from portal.regions.models import Level
from portal.web import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.context_processor
def figure_helpers():
    """``figure(value, unit)`` writes a number as the tables do ("<5" stays as it is);
    ``lambda_href(base)`` gives a sentence the link to a table's anchor on the dashboard."""
    def figure(value, unit):
        return value if isinstance(value, str) else formatted(value, unit)

    return {"figure": figure, "lambda_href": lambda base: (lambda key: f"{base}#{key}")}


def _period(default_kind: str = "month") -> periods.Period:
    """The period of the picker (``?period=month&value=2026-09``, or custom ``start``/``end``)."""
    args = request.args
    return periods.parse(args.get("period", default_kind), args.get("value"), args.get("start"), args.get("end"),
                         date.today())


def _context(data, **more):
    return dict(data=data, period=data.period, level_labels=LEVEL_LABELS, kinds=periods.KINDS,
                is_county=data.scope.region.level == Level.county,
                may_publish=access.allowed(current_user, "dashboards.publish", data.scope.code)
                if data.scope.region.level == Level.county else False, **more)


@bp.route("/dashboards")
@access.route("dashboards.view")
def home():
    return redirect(url_for("dashboards.region", code=current_user.region_code, **request.args))


@bp.route("/dashboards/<code>")
@access.route("dashboards.view")
def region(code: str):
    session = db.session()
    data = rules.dashboard(session, current_user, code, _period())
    public = rules.public_enabled(session, data.scope.code) if data.scope.region.level == Level.county else False
    return render("dashboards/region.html", **_context(data, public=public))


@bp.route("/dashboards/<code>/report")
@access.route("dashboards.view")
def report(code: str):
    result = rules.report(db.session(), current_user, code, _period("year"))
    return render("dashboards/report.html", result=result, **_context(result.dashboard))


@bp.route("/dashboards/<code>/report.<any(xlsx, docx):kind>")
@access.route("dashboards.view")
def report_file(code: str, kind: str):
    result = rules.report(db.session(), current_user, code, _period("year"))
    data, mimetype = (exports.workbook(result), XLSX) if kind == "xlsx" else (exports.document(result), DOCX)
    name = f"report-{result.dashboard.scope.code}-{result.dashboard.period.value.replace('..', '_')}.{kind}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/dashboards/<code>/public", methods=["POST"])
@access.route("dashboards.publish")
def set_public(code: str):
    session = db.session()
    enabled = request.form.get("enabled") == "1"
    try:
        rules.set_public(session, current_user, code, enabled)
    except DomainError as error:
        session.rollback()
        if error.status == 403:
            raise
        flash(str(error.message), "error")
    else:
        session.commit()
        flash(_("The public figures page is open.") if enabled else _("The public figures page is closed."), "success")
    return redirect(url_for("dashboards.region", code=code))


@bp.route("/figures/<code>")
@access.route(access.PUBLIC)
def public(code: str):
    today = date.today()
    period = periods.finished_year(request.args.get("period"), request.args.get("value"), today)
    page = public_page(db.session(), code, period)
    return render("dashboards/public.html", page=page, period=page.period,
                  years=range(today.year - 1, today.year - 6, -1))
