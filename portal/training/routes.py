"""Training sessions, their QR check-in and attendance list, materials, records and coverage.
Thin: the rules in ``portal.training.rules`` decide."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.accounts.forms import EmptyForm
from portal.accounts.roles import ROLE_LABELS
from portal.errors import DomainError
from portal.regions.models import Region
from portal.regions.rules import names_of
from portal.training import bp, rules
from portal.training.forms import MaterialsForm, SessionForm
from portal.visits import photos
from portal.web import Page, page_args, qr_svg, render, show_error


@bp.route("/training/")
@access.route("training.manage")
def index():
    """The sessions held in the staff member's region, newest first."""
    number, per_page = page_args()
    session = db.session()
    sessions, total = rules.sessions_for(session, current_user, number, per_page)
    return render("training/index.html", block="results", sessions=sessions, page=Page(number, per_page, total),
                  names=names_of(session, {t.region_code for t in sessions}))


def _values(form: SessionForm) -> rules.SessionValues:
    return rules.SessionValues(topic=form.topic.data or "", held_on=form.held_on.data,
                               region_code=form.region_code.data or "", trainer=form.trainer.data or "",
                               place=form.place.data or "")


@bp.route("/training/new", methods=["GET", "POST"])
@access.route("training.manage")
def create():
    session = db.session()
    form = SessionForm()
    if request.method == "GET":
        form.region_code.data = current_user.region_code
        form.held_on.data = date.today()
    if form.validate_on_submit():
        try:
            training = rules.create_session(session, current_user, _values(form))
            session.commit()
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            flash(_("Training session saved."), "success")
            return redirect(url_for("training.detail", session_id=training.id))
    status = 400 if request.method == "POST" else 200
    return render("training/form.html", form=form, training=None), status


@bp.route("/training/<int:session_id>/edit", methods=["GET", "POST"])
@access.route("training.manage")
def edit(session_id: int):
    session = db.session()
    training = rules.load_session(session, current_user, session_id)
    form = SessionForm(obj=training)
    if form.validate_on_submit():
        try:
            rules.update_session(session, current_user, training, _values(form))
            session.commit()
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            flash(_("Training session saved."), "success")
            return redirect(url_for("training.detail", session_id=training.id))
    status = 400 if request.method == "POST" else 200
    return render("training/form.html", form=form, training=training), status


@bp.route("/training/<int:session_id>")
@access.route("training.manage")
def detail(session_id: int, status: int = 200):
    """A session: its facts, its QR code on the day, its materials, and the attendance list."""
    session = db.session()
    training = rules.load_session(session, current_user, session_id)
    number, per_page = page_args()
    people, total = rules.expected_people(session, training, number, per_page)
    attended = rules.attendance_of(session, training, [p.id for p in people])
    today = date.today()
    return render(
        "training/detail.html", block="attendance", training=training, people=people, attended=attended,
        page=Page(number, per_page, total), attendance_total=len(rules.attendance_of(session, training)),
        region=session.get(Region, training.region_code), names=names_of(session, {p.region_code for p in people}),
        materials=rules.materials_of(session, training), form=EmptyForm(), materials_form=MaterialsForm(),
        checkin_open=rules.checkin_open(training, today), qr=qr_svg, role_labels=ROLE_LABELS, today=today,
        max_materials=rules.MAX_MATERIALS, max_photo_mb=photos.MAX_BYTES // photos.MB,
    ), status


@bp.route("/training/<int:session_id>/attendance", methods=["POST"])
@access.route("training.manage")
def attendance(session_id: int):
    """Tick the list: the people shown on the page, and which of them attended."""
    session = db.session()
    training = rules.load_session(session, current_user, session_id)
    page = request.form.get("page", "1")
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("training.detail", session_id=training.id))
    try:
        shown = [int(v) for v in request.form.getlist("shown")]
        present = [int(v) for v in request.form.getlist("present")]
    except ValueError:
        shown = present = None
    try:
        if shown is None:
            raise DomainError(_("The list names someone this session is not held for. Nothing was changed."))
        added, removed = rules.set_attendance(session, current_user, training, shown, present, date.today())
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
        return detail(session_id, status=400)
    flash(_("Attendance saved: %(added)d added, %(removed)d removed.", added=added, removed=removed), "success")
    return redirect(url_for("training.detail", session_id=training.id, page=page if page.isdigit() else 1))


@bp.route("/training/<int:session_id>/qr", methods=["POST"])
@access.route("training.manage")
def reissue_qr(session_id: int):
    session = db.session()
    training = rules.load_session(session, current_user, session_id)
    if EmptyForm().validate_on_submit():
        rules.reissue_checkin(session, current_user, training)
        session.commit()
        flash(_("A new check-in code was issued; the old one no longer works."), "success")
    return redirect(url_for("training.detail", session_id=training.id))


@bp.route("/training/<int:session_id>/materials", methods=["POST"])
@access.route("training.manage")
def add_materials(session_id: int):
    session = db.session()
    training = rules.load_session(session, current_user, session_id)
    form = MaterialsForm()
    if form.validate_on_submit():
        uploads = [photos.Upload(f.filename or "", f.stream) for f in form.pages.data or [] if f.filename]
        try:
            if not uploads:
                raise DomainError(_("Choose at least one file."))
            cleaned = [(u.filename, photos.clean_photo(u)) for u in uploads]  # all checked before any is written
            with photos.photo_store(current_app.config["UPLOAD_FOLDER"], rules.MATERIALS_FOLDER) as store:
                rules.add_materials(session, current_user, training, cleaned, store)
                session.commit()  # last in the block: if it fails, the files written go again
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
            return detail(session_id, status=400)
        flash(_("Materials added."), "success")
    return redirect(url_for("training.detail", session_id=training.id))


@bp.route("/training/materials/<int:material_id>")
# Signed in is only the gate: the page answers to its session's rules inside read_material.
@access.route("signed_in")
def material(material_id: int):
    found = rules.read_material(db.session(), current_user, material_id)
    return photos.send_private(current_app.config["UPLOAD_FOLDER"], found.path, f"training-{found.id}.jpg")


@bp.route("/t/<int:session_id>/<token>", methods=["GET", "POST"])
# Where a session's QR code leads: after sign-in, the check-in of a director or supervisor the
# session is held for; the rules refuse everyone and everything else.
@access.route("signed_in")
def check_in(session_id: int, token: str):
    session = db.session()
    today = date.today()
    training = rules.session_for_checkin(session, current_user, session_id, token, today)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if rules.check_in(session, current_user, session_id, token, today):
            flash(_("You are checked in to this session."), "success")
        else:
            flash(_("You were already checked in to this session."), "info")
        session.commit()
        return redirect(url_for("training.check_in", session_id=session_id, token=token))
    checked_in = current_user.id in rules.attendance_of(session, training, [current_user.id])
    return render("training/check_in.html", training=training, form=form, checked_in=checked_in,
                  region=session.get(Region, training.region_code),
                  materials=rules.materials_of(session, training) if checked_in else [])


@bp.route("/training/mine")
@access.route("training.mine")
def mine():
    """One's own training record."""
    session = db.session()
    lines = rules.record_of(session, current_user)
    return render("training/mine.html", lines=lines,
                  materials=rules.materials_for(session, [line.session_id for line in lines]))


def _region_and_period():
    """The region (?region=, inside the viewer's) and period (?start=&end=) asked for; the viewer's
    own region and the year so far, with a message, when the request asks for something else."""
    session, today = db.session(), date.today()
    try:
        region = rules.report_region(session, current_user, request.args.get("region", "").strip())
        start, end = rules.parse_period(request.args.get("start", ""), request.args.get("end", ""), today)
        return region.code, start, end, 200
    except DomainError as error:
        flash(str(error.message), "error")
        start, end = rules.default_period(today)
        return current_user.region_code, start, end, 400


@bp.route("/training/coverage")
@access.route("training.coverage")
def coverage():
    """Coverage of a region and of each region below it, with sessions held and person-times."""
    session = db.session()
    region_code, start, end, status = _region_and_period()
    trained, total = rules.coverage(session, region_code, start, end)
    return render(
        "training/coverage.html", region=session.get(Region, region_code), start=start, end=end,
        trained=trained, total=total, areas=rules.coverage_by_area(session, region_code, start, end),
        held=rules.sessions_held(session, region_code, start, end),
        times=rules.person_times(session, region_code, start, end),
    ), status


@bp.route("/training/people")
@access.route("training.coverage")
def people():
    """Each director's and supervisor's record in a region: sessions attended in the period."""
    session = db.session()
    number, per_page = page_args()
    region_code, start, end, status = _region_and_period()
    untrained = request.args.get("untrained") == "1"
    records, total = rules.people_records(session, current_user, region_code, start, end, number, per_page,
                                          untrained_only=untrained)
    params = {"region": region_code, "start": start.isoformat(), "end": end.isoformat()}
    if untrained:
        params["untrained"] = "1"
    return render("training/people.html", block="results", records=records, page=Page(number, per_page, total),
                  region=session.get(Region, region_code), start=start, end=end, untrained=untrained,
                  params=params, role_labels=ROLE_LABELS,
                  names=names_of(session, {r.region_code for r in records})), status
