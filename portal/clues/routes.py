"""Pages of clues: the public report form and status look-up, and the staff pages (entering a
clue, the list, a clue's page, assigning, recording the outcome, the counts).
Thin: ``portal.clues.rules`` decides."""

from __future__ import annotations

import logging
import secrets
from datetime import date

from flask import current_app, flash, redirect, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.accounts.models import User
from portal.audit.rules import record_read, record_reads
from portal.clues import bp, privacy, rules, tracking, waiting
from portal.clues.forms import AssignForm, CountsForm, OutcomeForm, PublicClueForm, StaffClueForm, TrackForm
from portal.clues.labels import LABELS, PUBLIC_STATUS_LABELS
from portal.clues.models import ClueStatus
from portal.errors import Conflict, DomainError, NotAllowed
from portal.extensions import limiter
from portal.regions.names import path_of
from portal.web import Page, commit_or_flash, page_args, render, show_error

log = logging.getLogger(__name__)
SENT_CODE = "clue_code"  # the tracking code, shown once on the page after the report


# --- the public: report and status --------------------------------------------------------------


@bp.route("/clues/report", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit(lambda: current_app.config["CLUE_REPORT_LIMIT"], methods=["POST"])
def report():
    form = PublicClueForm()
    if request.method == "GET":
        form.submission.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled the field people never see: it is answered as a person would be.
            log.warning("clue report honeypot filled from %s", request.remote_addr)
            cookie[SENT_CODE] = tracking.new_tracking_code()
            return redirect(url_for("clues.report_sent"))
        values = rules.ClueValues(region_code=form.region.data, place=form.place.data or "", text=form.text.data or "",
                                  urgent=form.urgent.data == "1", contact=form.contact.data or "")
        session = db.session()
        try:
            _clue, code = rules.report_public(session, values, form.submission.data or "")
        except Conflict as error:
            session.rollback()
            flash(str(error.message), "info")
            return redirect(url_for("clues.report"))
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            cookie[SENT_CODE] = code
            return redirect(url_for("clues.report_sent"))
    status = 400 if request.method == "POST" else 200
    return render("clues/report.html", form=form), status


@bp.route("/clues/report/sent")
@access.route(access.PUBLIC)
def report_sent():
    code = cookie.pop(SENT_CODE, None)
    if not code:
        return redirect(url_for("clues.track"))
    response = current_app.make_response(render("clues/sent.html", code=code))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/clues/track", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit(lambda: current_app.config["CLUE_TRACK_LIMIT"], methods=["POST"])
def track():
    """The status of a reported clue for whoever holds its code (posted, so no code is left in
    addresses or logs): received, being checked or handled, and nothing else."""
    form = TrackForm()
    found, status = None, 200
    if form.validate_on_submit():
        found = tracking.public_status(db.session(), form.code.data)
        if found is None:
            form.code.errors = [*form.code.errors, _("No report has this tracking code. Check it and try again.")]
            status = 404
    elif request.method == "POST":
        status = 400
    response = current_app.make_response((render("clues/track.html", form=form, found=found,
                                                  status_labels=PUBLIC_STATUS_LABELS), status))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- staff -----------------------------------------------------------------------------------------


@bp.route("/clues/")
@access.route("clues.list")
def index():
    session = db.session()
    number, per_page = page_args()
    status = request.args.get("status", "")
    clues, total = rules.list_for_staff(session, current_user, status, number, per_page)
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("clues/list.html", block="results", clues=clues, status=status, page=Page(number, per_page, total),
                  params=params, places=rules.place_names(session, clues),
                  may_enter=access.allowed(current_user, "clues.enter"),
                  may_count=access.allowed(current_user, "clues.counts"), **LABELS)


@bp.route("/clues/new", methods=["GET", "POST"])
@access.route("clues.enter")
def enter():
    form = StaffClueForm()
    if request.method == "GET":
        form.submission.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        if not access.allowed(current_user, "clues.enter", form.region.data):
            # A place outside the user's region is a mistake in the form, said beside the field.
            form.region.errors = [*form.region.errors, _("Choose a region inside your own.")]
        else:
            done = _enter(form)
            if done is not None:
                return done
    status = 400 if request.method == "POST" else 200
    return render("clues/new.html", form=form), status


def _enter(form):
    values = rules.ClueValues(region_code=form.region.data, place=form.place.data or "", text=form.text.data or "",
                              urgent=form.urgent.data == "1", contact=form.contact.data or "",
                              source=form.source.data, source_ref=form.source_ref.data or "")
    session = db.session()
    try:
        clue, _code = rules.enter_clue(session, current_user, values, form.submission.data or "")
    except NotAllowed:
        raise
    except Conflict as error:
        session.rollback()
        flash(str(error.message), "info")
        return redirect(url_for("clues.index"))
    except DomainError as error:
        session.rollback()
        show_error(form, error)
        return None
    session.commit()
    where = path_of(session, clue.town_code or clue.county_code)
    flash(_("Clue no. %(clue)s recorded. It waits at %(place)s.", clue=clue.id, place=where), "success")
    # A child director who took a call sees the clue again only once it is assigned to them.
    if not access.allowed(current_user, "clues.view", clue):
        return redirect(url_for("clues.index"))
    return redirect(url_for("clues.detail", clue_id=clue.id))


@bp.route("/clues/<int:clue_id>")
@access.route("clues.list")
def detail(clue_id: int, outcome_form: OutcomeForm | None = None, status: int = 200):
    """A clue's page; ``outcome_form`` is a refused outcome, shown again as it was typed."""
    session = db.session()
    clue = rules.load_clue(session, current_user, clue_id)
    # What was seen may name a child: the read is written before anything is shown.
    record_read(current_user, "clue", clue.id, region_code=clue.region_code)
    details = privacy.visible_details(session, current_user, clue)
    may_assign = clue.status != ClueStatus.closed and access.allowed(current_user, "clues.assign", clue)
    may_close = clue.status != ClueStatus.closed and access.allowed(current_user, "clues.outcome", clue)
    assign_form, outcome_form = AssignForm(), outcome_form or OutcomeForm(formdata=None)
    if may_assign:
        assign_form.director.choices = [(d.id, f"{d.display_name} · {path_of(session, d.region_code)}")
                                        for d in rules.directors_for(session, current_user, clue)]
    if may_close:
        children, assessments = rules.link_choices(session, current_user, clue)
        # The choices name children: a read of each of their files, as a list of them is.
        record_reads(current_user, "child", list(dict.fromkeys(
            [(c.id, c.region_code) for c in children] + [(a.child_id, region) for a, _name, region in assessments])))
        outcome_form.child_id.choices = [(0, "—")] + [(c.id, c.name) for c in children]
        outcome_form.assessment_id.choices = [(0, "—")] + [
            (a.id, f"{name} · {a.assessed_on.isoformat()}") for a, name, _region in assessments]
    assigned = session.get(User, clue.assigned_to_id) if clue.assigned_to_id else None
    return render("clues/detail.html", clue=clue, details=details, history=rules.history(session, clue.id),
                  places=rules.place_names(session, [clue]), due=waiting.due_at(session, clue), assigned=assigned,
                  may_assign=may_assign, may_close=may_close, assign_form=assign_form, outcome_form=outcome_form,
                  **LABELS), status


@bp.route("/clues/<int:clue_id>/assign", methods=["POST"])
@access.route("clues.list")
def assign(clue_id: int):
    session = db.session()
    clue = rules.load_clue(session, current_user, clue_id)
    access.require(current_user, "clues.assign", clue)
    form = AssignForm()
    form.director.choices = [(d.id, d.display_name) for d in rules.directors_for(session, current_user, clue)]
    if form.validate_on_submit():
        commit_or_flash(lambda: rules.assign(session, current_user, clue, form.director.data, form.note.data or ""),
                        _("Clue no. %(clue)s assigned.", clue=clue_id))
    else:
        flash(_("Choose a child director of the clue's town."), "error")
    return redirect(url_for("clues.detail", clue_id=clue_id))


@bp.route("/clues/<int:clue_id>/outcome", methods=["POST"])
@access.route("clues.list")
def outcome(clue_id: int):
    session = db.session()
    clue = rules.load_clue(session, current_user, clue_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _refused(clue_id, form)
    values = rules.OutcomeValues(
        outcome=form.outcome.data, child_id=form.child_id.data or None, assessment_id=form.assessment_id.data or None,
        receiving_unit=form.receiving_unit.data or "", transferred_on=form.transferred_on.data,
        receipt=form.receipt.data or "", reason=form.reason.data or "")
    try:
        rules.record_outcome(session, current_user, clue, values)
    except NotAllowed:
        raise
    except Conflict as error:  # closed by someone else meanwhile: the page as it is now
        session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("clues.detail", clue_id=clue_id))
    except DomainError as error:
        session.rollback()
        show_error(form, error)
        return _refused(clue_id, form)
    session.commit()
    flash(_("Clue no. %(clue)s closed.", clue=clue_id), "success")
    return redirect(url_for("clues.detail", clue_id=clue_id))


def _refused(clue_id: int, form: OutcomeForm):
    """The clue's page again with the refused outcome as typed, what is wrong beside the field;
    the page's read of the clue is audited (committed: nothing else of this request was kept)."""
    response = detail(clue_id, outcome_form=form, status=400)
    db.session().commit()
    return response


@bp.route("/clues/counts")
@access.route("clues.counts")
def counts():
    form = CountsForm(request.args)
    form.validate()
    region = form.region.data or current_user.region_code
    access.require(current_user, "clues.counts", region)
    today = rules.china_today()
    start = form.start.data or date(today.year, 1, 1)
    end = form.end.data or today
    if start > end:
        start, end = end, start
    figures = rules.counts(db.session(), region, start, end)
    return render("clues/counts.html", form=form, figures=figures, region=region, start=start, end=end, **LABELS)
