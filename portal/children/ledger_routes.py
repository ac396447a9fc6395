"""Ledger pages: spreadsheet template, upload with preview, confirmed import, export."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField
from wtforms.validators import Length, Optional

from portal import access, db
from portal.audit.rules import record, record_many
from portal.children import bp, imports, rules, spreadsheet
from portal.children.tasks import import_children, read_progress
from portal.errors import DomainError
from portal.regions.rules import names_of
from portal.web import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024
EXPORT_LIMIT = 50_000


class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


class ExportForm(FlaskForm):
    with_identity = BooleanField()
    password = PasswordField(validators=[Optional(), Length(min=8, max=64)])


@bp.route("/import/template.xlsx")
@access.route("children.register")
def import_template():
    return Response(spreadsheet.template_workbook(), mimetype=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="children-template.xlsx"'})


@bp.route("/import", methods=["GET", "POST"])
@access.route("children.register")
def import_upload():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_UPLOAD + 1)
        session = db.session()
        try:
            if len(data) > MAX_UPLOAD:
                raise spreadsheet.FileRejected(_("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD // 1024 // 1024))
            job, _preview = imports.start(session, current_user, upload.filename or "upload.xlsx", data)
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            session.commit()
            return redirect(url_for("children.import_job", token=job.token))
    elif request.method == "POST":
        flash(_("Choose a file."), "error")
    status = 400 if request.method == "POST" else 200
    return render("children/import.html", form=form), status


@bp.route("/import/<token>", methods=["GET", "POST"])
@access.route("children.register")
def import_job(token: str):
    session = db.session()
    job = imports.load(session, current_user, token)
    if job.status != "previewed":
        progress = read_progress(job.id) if job.status == "queued" else None
        return render("children/import_status.html", block="status", job=job, progress=progress)
    try:
        preview = imports.preview_of(session, current_user, job)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("children.import_upload"))
    if request.method == "POST":  # CSRF is checked for every POST by CSRFProtect
        if not preview.ok:
            session.commit()  # nothing is imported; the audit entries of the check are kept
            flash(_("Correct the errors in the file first; nothing was imported."), "error")
        else:
            update_lines = sorted(int(x) for x in request.form.getlist("update") if x.isdigit())
            background = job.rows > imports.BACKGROUND_ROWS
            if not imports.claim(session, job, "queued" if background else "running", update_lines):
                flash(_("This import has already been started."), "info")
                return redirect(url_for("children.import_job", token=job.token))
            if background:
                session.commit()
                import_children(job.id)
                return redirect(url_for("children.import_job", token=job.token))
            try:
                result = imports.run(session, current_user, job)
            except DomainError as error:
                session.rollback()
                flash(str(error.message), "error")
            else:
                session.commit()
                flash(_("Imported: %(added)d new files, %(updated)d updated, %(skipped)d left unchanged.", **result),
                      "success")
                return redirect(url_for("children.index"))
    status = 400 if request.method == "POST" else 200
    return render("children/import_preview.html", job=job, preview=preview, columns=dict(spreadsheet.COLUMNS)), status


def _export_children(session, filters: rules.ChildFilter):
    children, total = rules.list_children(session, current_user, filters, 1, EXPORT_LIMIT)
    return children, total, names_of(session, (c.region_code for c in children))


def _filters() -> rules.ChildFilter:
    source = request.values
    return rules.ChildFilter(
        risk_level=source.get("risk", ""), category=source.get("category", ""),
        status=source.get("status", "active"), region_code=source.get("region", ""),
        overdue=source.get("overdue") == "1", text=source.get("q", ""),
    )


@bp.route("/export", methods=["GET", "POST"])
@access.route("children.list")
def export():
    """Without identity data: a list for planning. With it: the ledger, encrypted with a password
    the user sets. Every export is in the audit log."""
    form = ExportForm()
    if form.validate_on_submit():
        with_identity = bool(form.with_identity.data)
        if with_identity and not form.password.data:
            form.password.errors = [_("Set a password of at least 8 characters: the file holds identity data.")]
        else:
            # Built on a read session: a large export must not hold SQLite's write lock (file
            # reads, which are audited, would fail meanwhile). The audit entries go in one short
            # write afterwards, before the file is sent.
            with db.new_session() as reading:
                children, total, villages = _export_children(reading, _filters())
                if total > EXPORT_LIMIT:
                    flash(_("More than %(n)d children match: narrow the filters and export in parts.",
                            n=EXPORT_LIMIT), "error")
                    return render("children/export.html", form=form, params=request.args), 400
                data = spreadsheet.export_workbook(children, villages, with_identity, date.today())
            if with_identity:
                data = spreadsheet.encrypt_workbook(data, form.password.data)
            filters = {k: v for k, v in request.values.items()
                       if k in ("risk", "category", "status", "region", "overdue", "q") and v}
            with db.write_session() as audit:
                record(audit, current_user, "children.export", "child", "*", region_code=current_user.region_code,
                       detail={"rows": len(children), "identity": with_identity, "filters": filters})
                if with_identity:  # each child whose identity left the portal, on that child's record
                    record_many(audit, current_user, "read", "child", [(c.id, c.region_code) for c in children])
            name = "children-ledger.xlsx" if with_identity else "children-list.xlsx"
            return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    status = 400 if request.method == "POST" else 200
    return render("children/export.html", form=form, params=request.args), status
