"""The comparison pages: partners' columns, uploading a list, and deciding on what it found.
Thin: parse, call rules, render."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import access, db
from portal.children.labels import CATEGORY_LABELS, SCHOOL_STAGE_LABELS
from portal.comparisons import bp, reading, rules
from portal.comparisons.labels import (
    COLUMN_LABELS,
    MATCH_LABELS,
    MEANING_LABELS,
    OUTCOME_LABELS,
    REASON_LABELS,
    RUN_STATUS_LABELS,
    STATE_LABELS,
)
from portal.comparisons.models import Outcome, RowState, RunStatus
from portal.comparisons.tasks import compare_list, read_progress
from portal.errors import DomainError, NotFound
from portal.regions.rules import names_of
from portal.web import commit_or_flash, page_args, render, wants_fragment

LABELS = dict(meaning_labels=MEANING_LABELS, outcome_labels=OUTCOME_LABELS, state_labels=STATE_LABELS,
              reason_labels=REASON_LABELS, match_labels=MATCH_LABELS, column_labels=COLUMN_LABELS,
              category_labels=CATEGORY_LABELS, school_stage_labels=SCHOOL_STAGE_LABELS, keys=reading.KEYS,
              outcomes=list(Outcome), open_state=RowState.open, run_status_labels=RUN_STATUS_LABELS)


def _index(status: int = 200, typed=None):
    """The comparisons, the upload form and the mapping form; ``typed`` is what a refused form
    said, shown again so that nothing typed is lost."""
    session = db.session()
    comparisons = rules.comparisons_for(session, current_user)
    partners = rules.partners_for(session, current_user)
    regions = names_of(session, {c.region_code for c in comparisons} | {p.region_code for p in partners}
                       | {current_user.region_code})
    return render("comparisons/index.html", comparisons=comparisons, partners=partners, regions=regions,
                  form=FlaskForm(), typed=typed or {}, **LABELS), status


@bp.route("/")
@access.route("comparisons.view")
def index():
    return _index()


@bp.route("/partners", methods=["POST"])
@access.route("comparisons.run")
def save_partner():
    session = db.session()
    columns = {key: request.form.get(f"column_{key}", "") for key in reading.KEYS}
    if not commit_or_flash(lambda: rules.save_columns(
            session, current_user, region_code=request.form.get("region_code") or current_user.region_code,
            partner=request.form.get("partner", ""), meaning=request.form.get("meaning", ""), columns=columns),
            _("The partner's columns are saved.")):
        return _index(400, typed={"mapping": request.form})
    return redirect(url_for("comparisons.index"))


@bp.route("/", methods=["POST"])
@access.route("comparisons.run")
def upload():
    session = db.session()
    form = FlaskForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose the partner's list to compare."), "error")
        return _index(400, typed={"upload": request.form})
    try:
        partner_id = int(request.form.get("partner_id", ""))
    except ValueError:
        partner_id = None
    try:
        comparison = rules.accept_list(
            session, current_user, partner_id=partner_id,
            region_code=request.form.get("region_code") or current_user.region_code,
            filename=upload.filename, stream=upload.stream)
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
        return _index(400, typed={"upload": request.form})
    session.commit()
    _start(comparison)
    return redirect(url_for("comparisons.detail", comparison_id=comparison.id))


def _start(comparison) -> None:
    """A short list is placed here and now; a long one is handed to the worker. Either way the
    comparison's page tells how it went."""
    if not rules.runs_at_once(comparison):
        compare_list(comparison.id)
        flash(_("The list is checked and waits for its comparison: this page follows it."), "success")
        return
    try:
        compare_list.call_local(comparison.id)
    except Exception:  # marked failed, with its message, by the task itself; shown on the page
        current_app.logger.exception("comparison %s failed", comparison.id)
    else:
        flash(_("The list is compared: decide on each suggestion below."), "success")


@bp.route("/<int:comparison_id>")
@access.route("comparisons.view")
def detail(comparison_id: int):
    session = db.session()
    comparison = rules.load_comparison(session, current_user, comparison_id)
    if comparison.status != RunStatus.done:
        return _state(comparison)
    if wants_fragment():  # the state's poll: the run ended, show the whole page
        response = make_response("", 200)
        response.headers["HX-Refresh"] = "true"
        return response
    outcome = request.args.get("outcome", Outcome.changed.value)
    page, _per_page = page_args()
    rows, total = rules.rows_of(session, current_user, comparison, outcome, page)
    session.commit()  # the read is audited
    return render("comparisons/detail.html", comparison=comparison, rows=rows, total=total, page=page,
                  per_page=rules.PAGE, outcome=outcome if outcome in Outcome.__members__ else Outcome.changed.value,
                  data_of=rules.data_of, villages=rules.village_names(session, rows) | names_of(
                      session, [comparison.region_code]), form=FlaskForm(), **LABELS)


def _state(comparison):
    """A list not compared yet: waiting, running (how far), or failed (why, and a retry)."""
    progress = read_progress(comparison.id) if comparison.status == RunStatus.running else None
    return render("comparisons/state.html", block="state", comparison=comparison, progress=progress,
                  stale=rules.is_stale(comparison),
                  regions=names_of(db.session(), [comparison.region_code]), form=FlaskForm(),
                  may_retry=access.allowed(current_user, "comparisons.run", comparison.region_code), **LABELS)


@bp.route("/<int:comparison_id>/retry", methods=["POST"])
@access.route("comparisons.run")
def retry(comparison_id: int):
    session = db.session()
    found = []
    if commit_or_flash(lambda: found.append(rules.retry(session, current_user, comparison_id)), reraise=(NotFound,)):
        _start(found[0])
    return redirect(url_for("comparisons.detail", comparison_id=comparison_id))


def _back(row_id: int):
    """Back to the row's group, or to the index for a row the user may not see (as for a row
    that does not exist: neither its comparison nor its group is given away)."""
    session = db.session()
    row = session.get(rules.ComparisonRow, row_id)
    comparison = session.get(rules.Comparison, row.comparison_id) if row is not None else None
    if comparison is None or not access.allowed(current_user, "comparisons.view", comparison):
        return redirect(url_for("comparisons.index"))
    return redirect(url_for("comparisons.detail", comparison_id=row.comparison_id, outcome=row.outcome.value))


@bp.route("/rows/<int:row_id>/confirm", methods=["POST"])
@access.route("comparisons.view")
def confirm(row_id: int):
    session = db.session()
    commit_or_flash(lambda: rules.confirm_row(session, current_user, row_id), _("Confirmed."))
    return _back(row_id)


@bp.route("/rows/<int:row_id>/dismiss", methods=["POST"])
@access.route("comparisons.view")
def dismiss(row_id: int):
    session = db.session()
    commit_or_flash(lambda: rules.dismiss_row(session, current_user, row_id, request.form.get("reason", "")),
                    _("Dismissed: the file stays as it is."))
    return _back(row_id)


@bp.route("/<int:comparison_id>/confirm-exact", methods=["POST"])
@access.route("comparisons.view")
def confirm_exact(comparison_id: int):
    session = db.session()
    comparison = rules.load_comparison(session, current_user, comparison_id)
    done = []
    if commit_or_flash(lambda: done.append(rules.bulk_confirm(session, current_user, comparison))):
        flash(_("%(n)d changes found by identity number are confirmed.", n=done[0]), "success")
    return redirect(url_for("comparisons.detail", comparison_id=comparison_id))
