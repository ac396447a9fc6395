"""Disbursement pages: batches of a programme, one batch (submit, approve, payments), the bank's
sheet and result file, and reports. Thin: parse, call rules, render."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from portal import access, db
from portal.children.labels import CATEGORY_LABELS
from portal.disbursements import bank, bp, checks, medical, reports, rules  # noqa: F401  (checks register with ledger-check)
from portal.disbursements.labels import BATCH_STATE_LABELS, ENTITLEMENT_STATE_LABELS
from portal.disbursements.models import DisbursementBatch, Entitlement
from portal.disbursements.tasks import import_bank_result, read_progress
from portal.errors import DomainError, NotFound
from portal.ledger.rules import format_fen
from portal.programmes import rules as programmes
from portal.programmes.eligibility import DOCUMENTS, Reason, explain
from portal.programmes.labels import PERIOD_LABELS
from portal.programmes.models import Programme
from portal.regions.rules import level_of_code, names_of, subtree_bounds
from portal.web import commit_or_flash, render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024
LABELS = dict(batch_state_labels=BATCH_STATE_LABELS, entitlement_state_labels=ENTITLEMENT_STATE_LABELS,
              period_labels=PERIOD_LABELS, category_labels=CATEGORY_LABELS, documents=DOCUMENTS,
              format_fen=format_fen, yuan=reports.yuan)


class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


def explanation(row: Entitlement) -> str:
    return explain(True, [Reason.from_dict(r) for r in row.reasons])


def _visible_batches(session) -> list[tuple[DisbursementBatch, Programme]]:
    """Batches in the viewer's region (to approve or follow), newest first."""
    low, high = subtree_bounds(current_user.region_code, level_of_code(current_user.region_code))
    stmt = (select(DisbursementBatch, Programme).join(Programme, Programme.id == DisbursementBatch.programme_id)
            .where(DisbursementBatch.region_code.between(low, high))
            .order_by(DisbursementBatch.id.desc()).limit(200))
    return list(session.execute(stmt).all())


@bp.route("/")
@access.route("disbursements.approve")
def index():
    session = db.session()
    batches = _visible_batches(session)
    return render("disbursements/index.html", batches=batches, programmes=programmes.programmes_for(session, current_user),
                  regions=names_of(session, {b.region_code for b, _p in batches}), **LABELS)


@bp.route("/programme/<int:programme_id>", methods=["GET", "POST"])
@access.route("disbursements.make")
def programme_batches(programme_id: int):
    session = db.session()
    programme = programmes.load_programme(session, current_user, programme_id)
    if request.method == "POST":
        try:
            batch = rules.create_batch(session, current_user, programme, request.form.get("period", ""),
                                       request.form.get("region", ""))
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            session.commit()
            return redirect(url_for("disbursements.batch", batch_id=batch.id))
    batches = rules.batches_of(session, current_user, programme)
    status = 400 if request.method == "POST" else 200
    return render("disbursements/programme.html", programme=programme, batches=batches,
                  columns=bank.columns_of(session, programme), headings=bank.HEADINGS,
                  regions=names_of(session, {b.region_code for b in batches} | {programme.owner_region_code}),
                  **LABELS), status


@bp.route("/programme/<int:programme_id>/bank-columns", methods=["POST"])
@access.route("disbursements.make")
def bank_columns(programme_id: int):
    session = db.session()
    programme = programmes.load_programme(session, current_user, programme_id)
    commit_or_flash(lambda: bank.set_columns(session, current_user, programme,
                                             {k: request.form.get(k, "") for k in bank.KEYS}),
                    _("The bank's columns are saved."))
    return redirect(url_for("disbursements.programme_batches", programme_id=programme.id))


@bp.route("/<int:batch_id>")
@access.route("disbursements.approve")
def batch(batch_id: int):
    session = db.session()
    found = rules.load_batch(session, current_user, batch_id)
    programme = session.get(Programme, found.programme_id)
    rows = rules.entitlements(session, found)
    needs_head = rules.needs_head(found)
    return render("disbursements/batch.html", batch=found, programme=programme, rows=rows,
                  shortfall=rules.shortfall(session, found), needs_head=needs_head,
                  heads=rules.heads_of(session, programme) if needs_head else [],
                  head_approvers=rules.head_approvers(session, found) if needs_head else [],
                  may_rebuild=rules.may_rebuild(current_user, found),
                  villages=names_of(session, {r.region_code for r in rows} | {found.region_code,
                                                                               programme.owner_region_code}),
                  explanation=explanation, is_approver=access.allowed(current_user, "disbursements.approve", found),
                  **LABELS)


def _act(batch_id: int, action, done: str):
    session = db.session()
    found = rules.load_batch(session, current_user, batch_id)
    commit_or_flash(lambda: action(session, current_user, found), done)
    return redirect(url_for("disbursements.batch", batch_id=batch_id))


@bp.route("/<int:batch_id>/submit", methods=["POST"])
@access.route("disbursements.make")
def submit(batch_id: int):
    return _act(batch_id, rules.submit_batch, _("Submitted: another staff member approves it now."))


@bp.route("/<int:batch_id>/rebuild", methods=["POST"])
@access.route("disbursements.make")
def rebuild(batch_id: int):
    return _act(batch_id, rules.rebuild_batch, _("Listed again from the files as they stand now."))


@bp.route("/<int:batch_id>/approve", methods=["POST"])
@access.route("disbursements.approve")
def approve(batch_id: int):
    return _act(batch_id, rules.approve_batch, _("Approved."))


@bp.route("/<int:batch_id>/return", methods=["POST"])
@access.route("disbursements.return")
def send_back(batch_id: int):
    """The maker withdraws the batch, or a checker sends it back: either way with the reason."""
    session = db.session()
    found = rules.load_batch(session, current_user, batch_id)
    reason = request.form.get("reason", "")
    commit_or_flash(lambda: rules.return_batch(session, current_user, found, reason),
                    _("Batch #%(n)d sent back unpaid: %(reason)s", n=batch_id, reason=reason.strip()[:100]))
    return redirect(url_for("disbursements.batch", batch_id=batch_id))


@bp.route("/payment/<int:entitlement_id>/<any(paid, failed, reversed):outcome>", methods=["POST"])
@access.route("disbursements.approve")
def payment(entitlement_id: int, outcome: str):
    session = db.session()
    row, found = rules.load_entitlement(session, current_user, entitlement_id)
    text = request.form.get("text", "")
    record = {"paid": rules.record_paid, "failed": rules.record_failed, "reversed": rules.reverse_payment}[outcome]
    commit_or_flash(lambda: record(session, current_user, row, text), _("Recorded."))
    return redirect(url_for("disbursements.batch", batch_id=found.id))


@bp.route("/payment/<int:entitlement_id>/need", methods=["POST"])
@access.route("disbursements.approve")
def answer_need(entitlement_id: int):
    session = db.session()
    row, found = rules.load_entitlement(session, current_user, entitlement_id)
    number = request.form.get("need", "").strip()
    if not (number.isascii() and number.isdigit()):
        flash(_("Enter the need's number."), "error")
    else:
        commit_or_flash(lambda: medical.answer_need(session, current_user, row, int(number)),
                        _("Paying it will resolve the need."), reraise=(NotFound,))
    return redirect(url_for("disbursements.batch", batch_id=found.id))


@bp.route("/child/<int:child_id>/bank-account", methods=["GET", "POST"])
@access.route("children.edit")
def bank_account(child_id: int):
    """Where a child's payments go: entered by staff who may edit the file; the number is shown
    masked here (in full only in the bank sheet, to approvers)."""
    session = db.session()
    if request.method == "POST":
        try:
            bank.set_bank_account(session, current_user, child_id, request.form.get("bank_name", ""),
                                  request.form.get("account_number", ""))
        except NotFound:
            raise
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
            return render("disbursements/bank_account.html", child_id=child_id, current=None), 400
        session.commit()
        flash(_("The bank account is saved."), "success")
        return redirect(url_for("children.detail", child_id=child_id))
    current = bank.bank_account_of(session, current_user, child_id)
    return render("disbursements/bank_account.html", child_id=child_id, current=current)


@bp.route("/<int:batch_id>/bank-sheet.xlsx")
@access.route("disbursements.approve")
def bank_sheet(batch_id: int):
    session = db.session()
    found = rules.load_batch(session, current_user, batch_id)
    try:
        data = bank.bank_sheet(session, current_user, found)
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("disbursements.batch", batch_id=batch_id))
    session.commit()  # the audit entries: account numbers left the portal
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="batch-{found.id}-bank.xlsx"'})


@bp.route("/<int:batch_id>/bank-result", methods=["GET", "POST"])
@access.route("disbursements.approve")
def bank_result(batch_id: int):
    session = db.session()
    found = rules.load_batch(session, current_user, batch_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_UPLOAD + 1)
        try:
            if len(data) > MAX_UPLOAD:
                raise DomainError(_("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD // 1024 // 1024))
            job, _preview = bank.start_import(session, current_user, found, upload.filename or "bank.xlsx", data)
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            session.commit()
            return redirect(url_for("disbursements.bank_job", token=job.token))
    elif request.method == "POST":
        flash(_("Choose a file."), "error")
    status = 400 if request.method == "POST" else 200
    return render("disbursements/bank_upload.html", form=form, batch=found), status


@bp.route("/bank-result/<token>", methods=["GET", "POST"])
@access.route("disbursements.approve")
def bank_job(token: str):
    session = db.session()
    job = bank.load_import(session, current_user, token)
    found = rules.load_batch(session, current_user, job.batch_id)
    if job.status != "previewed":
        progress = read_progress(job.id) if job.status == "queued" else None
        return render("disbursements/bank_status.html", block="status", job=job, batch=found, progress=progress)
    try:
        result = bank.preview_of(session, job)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("disbursements.bank_result", batch_id=found.id))
    if request.method == "POST":
        if not result.ok:
            flash(_("Correct the unmatched and mismatched lines first; nothing was recorded."), "error")
        else:
            background = job.rows > bank.BACKGROUND_ROWS
            if not bank.claim(session, job, "queued" if background else "running"):
                flash(_("This import has already been started."), "info")
                return redirect(url_for("disbursements.bank_job", token=job.token))
            if background:
                session.commit()
                import_bank_result(job.id)
                return redirect(url_for("disbursements.bank_job", token=job.token))
            try:
                counts = bank.run_import(session, current_user, job)
            except DomainError as error:
                session.rollback()
                flash(str(error.message), "error")
            else:
                session.commit()
                flash(_("Recorded: %(paid)d paid, %(failed)d failed.", **counts), "success")
                return redirect(url_for("disbursements.batch", batch_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render("disbursements/bank_preview.html", job=job, batch=found, preview=result, **LABELS), status


def _report_args(session):
    region = request.args.get("region", "").strip() or current_user.region_code
    programme = None
    if request.args.get("programme", "").isdigit():
        programme = session.get(Programme, int(request.args["programme"]))
        if programme is None or not access.overlaps(current_user, programme.owner_region_code):
            raise NotFound(_("This programme does not exist or is outside your region."))
    return region, request.args.get("period", ""), programme


@bp.route("/report")
@access.route("disbursements.report")
def report():
    session = db.session()
    region, period, programme = _report_args(session)
    try:
        result = reports.report(session, current_user, region, period, programme)
    except DomainError as error:
        if error.status == 403:
            raise
        flash(str(error.message), "error")
        result = None
    region_names = names_of(session, [region])
    if result is not None and request.args.get("format") == "xlsx":
        data = reports.workbook(result, region_names.get(region, region))
        return Response(data, mimetype=XLSX, headers={"Content-Disposition": 'attachment; filename="report.xlsx"'})
    template = "disbursements/report_print.html" if request.args.get("format") == "print" else "disbursements/report.html"
    low, high = subtree_bounds(current_user.region_code, level_of_code(current_user.region_code))
    choices = session.scalars(select(Programme).where(Programme.owner_region_code.between(low, high))
                              .order_by(Programme.id)).all()
    return render(template, result=result, region=region, region_name=region_names.get(region, region),
                  period=period, programme=programme, programmes=choices, **LABELS), 200 if result else 400
