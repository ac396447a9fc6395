"""A file's moves and status, and the history an old village keeps of a child who moved away."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal import access, db
from portal.audit.rules import record_read
from portal.children import bp, rules
from portal.children.grading import LEVEL_LABELS
from portal.children.labels import STATUS_LABELS
from portal.children.models import Assessment, Child
from portal.errors import DomainError, NotFound
from portal.regions.forms import RegionField
from portal.regions.models import Region
from portal.visits.models import Visit
from portal.web import render, show_error


class MoveForm(FlaskForm):
    to_region_code = RegionField(_l("New village or community"), validators=[DataRequired(_l("This field is required."))])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(k.value, v) for k, v in STATUS_LABELS.items()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


def _page(child, move_form, status_form, code=200):
    region = db.session().get(Region, child.region_code)
    return render("children/status.html", child=child, region=region, move_form=move_form,
                  status_form=status_form, status_labels=STATUS_LABELS), code


@bp.route("/<int:child_id>/status", methods=["GET", "POST"])
@access.route("children.list")
def status(child_id: int):
    session = db.session()
    child = rules.read_file(session, current_user, child_id)
    move_form, status_form = MoveForm(prefix="move"), StatusForm(prefix="status")
    if request.method == "GET":
        status_form.status.data = child.status
        return _page(child, move_form, status_form)
    form = move_form if "move-to_region_code" in request.form else status_form
    if form.validate_on_submit():
        try:
            if form is move_form:
                rules.move_child(session, current_user, child, move_form.to_region_code.data)
                message = _("The file moved with the child.")
            else:
                rules.set_status(session, current_user, child, status_form.status.data, status_form.reason.data)
                message = _("Status saved.")
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(message, "success")
            if form is move_form and not access.allowed(current_user, "children.view", child):
                return redirect(url_for("children.moved"))
            return redirect(url_for("children.detail", child_id=child.id))
    return _page(child, move_form, status_form, 400)


@bp.route("/moved")
@access.route("children.list")
def moved():
    rows = rules.moved_away(db.session(), current_user)
    return render("children/moved.html", rows=rows)


@bp.route("/<int:child_id>/history")
@access.route("children.list")
def history(child_id: int):
    """What an old village may still read: the child's name and the record up to the move."""
    session = db.session()
    child = session.get(Child, child_id)
    cutoff = rules.history_cutoff(session, current_user, child) if child else None
    if cutoff is None:
        raise NotFound(_("This file does not exist or is outside your region."))
    record_read(current_user, "child_history", child.id, region_code=child.region_code)
    assessments = session.scalars(select(Assessment).where(Assessment.child_id == child.id,
                                                           Assessment.created_at <= cutoff)
                                  .order_by(Assessment.assessed_on.desc()))
    visits = session.scalars(select(Visit).where(Visit.child_id == child.id, Visit.created_at <= cutoff)
                             .order_by(Visit.visited_on.desc()))
    return render("children/history.html", child=child, cutoff=cutoff, assessments=list(assessments),
                  visits=list(visits), level_labels=LEVEL_LABELS)


@bp.route("/<int:child_id>/readers")
@access.route("children.readers")
def readers(child_id: int):
    """Who has read this file, and when: supervisors watch over the directors' access."""
    from portal.audit.models import AuditEntry
    from portal.audit.rules import flagged_after_reset

    session = db.session()
    child = rules.read_file(session, current_user, child_id, "children.readers")
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type.in_(("child", "child_history", "visit_photo")),
                                 AuditEntry.object_id == str(child.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(200)
    )
    entries = list(entries)
    return render("children/readers.html", child=child, entries=entries,
                  flagged=flagged_after_reset(session, entries))


class AgreementForm(FlaskForm):
    guardian_name = StringField(_l("Temporary guardian"), validators=[DataRequired(_l("This field is required.")),
                                                                       Length(max=50)])
    signed_on = DateField(_l("Signed on"), validators=[DataRequired(_l("Enter a date as YYYY-MM-DD."))])
    renewal_due = DateField(_l("Renew by (default: one year later)"), validators=[Optional()])


AGREEMENT_SCANS = "agreement-scans"


@bp.route("/<int:child_id>/agreement", methods=["GET", "POST"])
@access.route("children.edit")
def agreement(child_id: int):
    """The temporary guardianship agreement of a left-behind child (农村留守儿童临时监护责任书)."""
    session = db.session()
    child = rules.read_file(session, current_user, child_id, "children.edit")
    form = AgreementForm()
    if form.validate_on_submit():
        from flask import current_app

        from portal.visits import photos

        scan = request.files.get("scan")
        try:
            # The scanned copy (a photo of the signed page) is checked and re-encoded like any photo.
            cleaned = photos.clean_photo(photos.Upload(scan.filename, scan.stream)) if scan and scan.filename else None
            with photos.photo_store(current_app.config["UPLOAD_FOLDER"], AGREEMENT_SCANS) as store:
                rules.record_agreement(session, current_user, child, guardian_name=form.guardian_name.data,
                                       signed_on=form.signed_on.data, renewal_due=form.renewal_due.data,
                                       scan_path=store.write(cleaned) if cleaned else None)
                session.commit()
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            flash(_("Agreement recorded."), "success")
            return redirect(url_for("children.agreement", child_id=child.id))
    status = 400 if request.method == "POST" else 200
    return render("children/agreement.html", child=child, form=form, today=date.today(),
                  agreements=rules.agreements_of(session, child)), status


@bp.route("/<int:child_id>/agreement/<int:agreement_id>/scan")
@access.route("children.list")
def agreement_scan(child_id: int, agreement_id: int):
    """The scanned agreement, to staff who may read the child's file (audited)."""
    from flask import abort, current_app

    from portal.children.models import GuardianshipAgreement
    from portal.visits import photos

    session = db.session()
    child = rules.read_file(session, current_user, child_id)
    found = session.get(GuardianshipAgreement, agreement_id)
    if found is None or found.child_id != child.id:
        abort(404)
    return photos.send_private(current_app.config["UPLOAD_FOLDER"], found.scan_path)


CHILD_PHOTOS = "child-photos"


@bp.route("/<int:child_id>/photo", methods=["GET", "POST"])
@access.route("children.list")
def photo(child_id: int):
    """The child's portrait: shown only to staff who may read the file (audited), replaced by
    those who may edit it. Stored like visit photos: re-encoded, no location, random name."""
    from flask import current_app

    from portal.visits import photos

    session = db.session()
    folder = current_app.config["UPLOAD_FOLDER"]
    if request.method == "GET":
        child = rules.read_file(session, current_user, child_id)
        return photos.send_private(folder, child.photo_path)
    child = rules.load_child(session, current_user, child_id, "children.edit")
    upload = request.files.get("photo")
    try:
        if upload is None or not upload.filename:
            raise DomainError(_("Choose a photo."))
        cleaned = photos.clean_photo(photos.Upload(upload.filename, upload.stream))
        with photos.photo_store(folder, CHILD_PHOTOS) as store:
            old = rules.set_photo(session, current_user, child, store.write(cleaned))
            session.commit()
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
    else:
        old_path = photos.file_path(folder, old) if old else None
        if old_path is not None:
            old_path.unlink(missing_ok=True)  # the replaced portrait is not kept
        flash(_("Photo saved."), "success")
    return redirect(url_for("children.detail", child_id=child.id))
