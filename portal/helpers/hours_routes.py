"""Volunteer service hours: a volunteer's (or organization member's) own hours and certificate, staff approving hours served
in their region, and the public page that checks a printed certificate. Thin: rules decide."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.errors import DomainError, NotAllowed
from portal.helpers import bp
from portal.helpers import hours as rules
from portal.helpers.certificate_pdf import render_certificate
from portal.helpers.hours_forms import DecideForm
from portal.helpers.models import HoursStatus
from portal.regions.rules import names_of
from portal.web import Page, page_args, public_url, render, verification_page, wants_fragment


def _my_hours_page(start_text: str, end_text: str, error: DomainError | None = None):
    """The volunteer's entries and approved total for a period (this calendar year by default)."""
    session = db.session()
    if error is None:
        try:
            start, end = rules.parse_period(start_text, end_text)
        except DomainError as refused:
            error = refused
    if error is not None:
        start, end = rules.parse_period(None, None)
    entries = rules.hours_of(session, current_user, start, end)
    context = dict(
        entries=entries, start=start, end=end, minutes=rules.approved_minutes(session, current_user, start, end),
        region_names=names_of(session, {e.region_code for e in entries}), status_labels=rules.STATUS_LABELS,
        hours_text=rules.hours_text, error=error, error_field=error.details.get("field") if error else None,
        start_text=start_text if error else start.isoformat(), end_text=end_text if error else end.isoformat(),
    )
    return render("helpers/hours.html", **context), 400 if error else 200


@bp.route("/me/hours")
@access.route("hours.mine")
def my_hours():
    return _my_hours_page(request.args.get("start", ""), request.args.get("end", ""))


@bp.route("/me/hours/certificate.pdf")
@access.route("hours.mine")
def hours_certificate():
    start_text, end_text = request.args.get("start", ""), request.args.get("end", "")
    try:
        start, end = rules.parse_period(start_text, end_text)
    except DomainError as error:
        return _my_hours_page(start_text, end_text, error)
    session = db.session()
    issuer = rules.issuer_of(session, current_user, current_app.config["SEAL_FOLDER"])
    certificate = rules.certificate_for(session, current_user, start, end, current_app.config["SECRET_KEY"],
                                        issuer=issuer)
    with db.write_session() as writing:  # what the short code stands for, kept for checking it later
        rules.record_issue(writing, certificate)
    pdf = render_certificate(certificate, public_url("helpers.verify_hours"),
                             public_url("helpers.verify_hours", code=certificate.code))
    filename = f"volunteer-service-{start.isoformat()}-{end.isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })


def _pending_context() -> dict:
    session = db.session()
    number, per_page = page_args()
    entries, total = rules.pending_for(session, current_user, number, per_page)
    return dict(
        entries=entries, page=Page(number, per_page, total), names=rules.volunteer_names(session, entries),
        region_names=names_of(session, {e.region_code for e in entries}), hours_text=rules.hours_text,
    )


@bp.route("/hours/pending")
@access.route("hours.decide")
def hours_pending():
    return render("helpers/hours_pending.html", block="results", **_pending_context())


@bp.route("/hours/<int:hours_id>/decide", methods=["POST"])
@access.route("hours.decide")
def hours_decide(hours_id: int):
    """Approve or reject one entry. A plain form comes back to the list; htmx swaps the entry's row
    for the outcome (a refusal is shown in the row, with 200, since htmx swaps no error response)."""
    session = db.session()
    entry = rules.load_hours(session, hours_id)
    access.require(current_user, "hours.decide", entry)  # another region's entry: 403
    form = DecideForm()
    error, status = None, 400
    if form.validate_on_submit():
        try:
            rules.decide_hours(session, current_user, entry, form.decision.data == "approve", form.reason.data or "")
        except NotAllowed:
            raise
        except DomainError as refused:
            session.rollback()
            error, status = str(refused.message), refused.status
        else:
            session.commit()
    else:
        error = next((str(e) for errors in form.errors.values() for e in errors), _("Choose approve or reject."))
    if entry.status == HoursStatus.approved:
        message = _("Approved: %(hours)s hours.", hours=rules.hours_text(entry.minutes))
    elif entry.status == HoursStatus.rejected:
        message = _("Rejected.")
    else:
        message = None
    if wants_fragment():
        return render("helpers/hours_pending.html", block="entry_row", entry=entry,
                      names=rules.volunteer_names(session, [entry]), region_names=names_of(session, [entry.region_code]),
                      hours_text=rules.hours_text, error=error, message=None if error else message)
    if error:
        flash(error, "error")
        return render("helpers/hours_pending.html", **_pending_context()), status
    flash(message, "success")
    return redirect(url_for("helpers.hours_pending", page=request.args.get("page") or None))


@bp.route("/hours/verify")
@access.route(access.PUBLIC)
def verify_hours():
    """Anyone holding a printed certificate checks it here: is it genuine, and for whom, which
    period and how many hours (nothing more)."""
    code = request.args.get("code", "").strip()
    certificate = rules.verify_certificate(db.session(), code, current_app.config["SECRET_KEY"]) if code else None
    return verification_page("helpers/hours_verify.html", code, certificate=certificate)
