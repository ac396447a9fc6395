"""Recording visits with their photos, the QR check-in, the overdue list, and serving photos."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal import access, db
from portal.children import rules as child_rules
from portal.children.grading import LEVEL_LABELS
from portal.errors import DomainError
from portal.regions.models import Level
from portal.regions.rules import level_of_code
from portal.visits import bp, photos, rules, schedule
from portal.visits import overdue as overdue_list
from portal.visits.forms import MODE_LABELS, VisitForm
from portal.web import Page, page_args, render, show_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/q/<token>")
@access.route("signed_in")
def check_in(token: str):
    """Where a child's QR card leads: after sign-in, the visit form for that child."""
    child = child_rules.child_for_qr(db.session(), current_user, token)
    return redirect(url_for("visits.create", child_id=child.id, via="qr"))


@bp.route("/children/<int:child_id>/visits/new", methods=["GET", "POST"])
@access.route("children.edit")
def create(child_id: int):
    session = db.session()
    child = child_rules.read_file(session, current_user, child_id, "children.edit")
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = date.today()
        form.via.data = request.args.get("via", "")
    if form.validate_on_submit():
        uploads = [photos.Upload(f.filename or "", f.stream) for f in form.photos.data or []]
        try:
            cleaned = photos.clean_photos(uploads)  # all checked before anything is written
            with photos.photo_store(current_app.config["UPLOAD_FOLDER"]) as store:
                rules.record_visit(
                    session, current_user, child, visited_on=form.visited_on.data, mode=form.mode.data,
                    seen=form.seen.data or "", findings=form.findings.data or "",
                    follow_up=form.follow_up.data or "", via_qr=form.via.data == "qr", photos=cleaned, store=store,
                )
                session.commit()  # last in the block: if it fails, the files written go again
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            flash(_("Visit to %(name)s recorded. Next visit due by %(day)s.", name=child.name,
                    day=child.next_visit_due.isoformat()), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    status = 400 if request.method == "POST" else 200
    return render("visits/form.html", form=form, child=child, modes=MODE_LABELS, **_photo_limits()), status


def _photo_limits() -> dict:
    return {"max_photos": photos.MAX_PHOTOS, "max_photo_mb": photos.MAX_BYTES // photos.MB}


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    """A request over MAX_CONTENT_LENGTH cannot even be read: say why instead of a bare 413."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // photos.MB
    message = _("The photos together are larger than %(mb)d MB. Nothing was saved: go back and choose fewer or "
                "smaller photos.", mb=limit)
    return render_template("errors/error.html", status=413, title=_("Upload too large"), message=message), 413


@bp.route("/visits/photos/<int:photo_id>")
# Signed in is only the gate: the photo answers to its child's file rule (children.view) inside
# read_photo, and anyone else — other regions, organizations, helpers, the administrator — gets the
# same 404 as for a photo that does not exist.
@access.route("signed_in")
def photo(photo_id: int):
    found = rules.read_photo(db.session(), current_user, photo_id)  # audited before it is sent
    return photos.send_private(current_app.config["UPLOAD_FOLDER"], found.path, f"visit-photo-{found.id}.jpg")


def _place_args() -> tuple[str, str]:
    """?town= and ?village=; the notices' older links say ?region= (a village or a town)."""
    town, village, region = (request.args.get(k, "").strip() for k in ("town", "village", "region"))
    if region and not (town or village) and len(region) == 12 and region.isdigit():
        level = level_of_code(region)
        return (region, "") if level == Level.town else ("", region) if level == Level.village else ("", "")
    return town, village


@bp.route("/visits/overdue")
@access.route("children.list")
def overdue():
    """Late visits in the viewer's region, by place (?town= / ?village=), most overdue first."""
    number, per_page = page_args()
    session, today = db.session(), date.today()
    try:
        place = overdue_list.choose_place(current_user, *_place_args())
        status = 200
    except DomainError as error:
        flash(str(error.message), "error")
        place, status = overdue_list.Place(current_user.region_code), 400
    order = request.args.get("order", "days") if request.args.get("order") in overdue_list.ORDERS else "days"
    children, total = overdue_list.overdue_children(session, current_user, place, order, number, per_page, today)
    towns, villages = overdue_list.place_choices(session, current_user, place)
    params = {k: v for k, v in (("town", place.town), ("village", place.village), ("order", order)) if v}
    return render(
        "visits/overdue.html", block="results", children=children, page=Page(number, per_page, total),
        today=today, days_overdue=rules.days_overdue, level_labels=LEVEL_LABELS, place=place, order=order,
        towns=towns, villages=villages, names=overdue_list.place_names(session, children), params=params,
        town_of=overdue_list.town_of,
    ), status


@bp.route("/visits/overdue.xlsx")
@access.route("children.list")
def overdue_export():
    """The overdue list as a spreadsheet with no identity data; audited."""
    try:
        place = overdue_list.choose_place(current_user, *_place_args())
        with db.write_session() as session:
            data = overdue_list.export_overdue(session, current_user, place, date.today())
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("visits.overdue"))
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": 'attachment; filename="overdue-visits.xlsx"'})


@bp.route("/visits/policy", methods=["GET", "POST"])
@access.route("visits.policy")
def policy():
    """A county's visit intervals (county staff; city staff choose one of their counties)."""
    from portal.children.grading import SEVERITY

    session = db.session()
    county = request.values.get("county") or schedule.county_of(current_user.region_code)
    access.require(current_user, "visits.policy", county)  # another county's page: 403
    days = rules.policy_days(session, county)
    status = 200
    if request.method == "POST":
        try:
            submitted = {level.value: int(request.form.get(level.value, "0") or 0) for level in SEVERITY}
        except ValueError:
            submitted = None
        try:
            if submitted is None:
                raise DomainError(_("Each interval is between 1 and 365 days."))
            rules.set_policy(session, current_user, county, submitted)
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
            days, status = submitted or days, 400
        else:
            session.commit()
            flash(_("Visit intervals saved."), "success")
            return redirect(url_for("visits.policy", county=county))
    return render("visits/policy.html", county=county, days=days, levels=SEVERITY, level_labels=LEVEL_LABELS), status
