"""The child registry's pages. Thin: parse input, call rules, render."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal import access, db, web
from portal.children import bp, probes, rules
from portal.children.forms import AssessmentForm, ChildForm
from portal.children.grading import DIMENSION_LABELS, INDICATORS_BY_KEY, LEVEL_LABELS, SEVERITY
from portal.children.labels import CATEGORY_LABELS, GENDER_LABELS, SCHOOL_STAGE_LABELS, STATUS_LABELS
from portal.children.models import Child
from portal.errors import DomainError
from portal.ledger.rules import format_fen
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, names_of
from portal.visits.forms import MODE_LABELS
from portal.visits.rules import days_overdue
from portal.web import Page, page_args, render, show_error

LABELS = dict(
    category_labels=CATEGORY_LABELS, gender_labels=GENDER_LABELS, status_labels=STATUS_LABELS,
    school_stage_labels=SCHOOL_STAGE_LABELS, level_labels=LEVEL_LABELS, dimension_labels=DIMENSION_LABELS, severity=SEVERITY, mode_labels=MODE_LABELS,
)


@bp.route("/")
@access.route("children.list")
def index():
    number, per_page = page_args()
    filters = rules.ChildFilter(
        risk_level=request.args.get("risk", ""),
        category=request.args.get("category", ""),
        status=request.args.get("status", "active"),
        region_code=request.args.get("region", ""),
        overdue=request.args.get("overdue") == "1",
        text=request.args.get("q", ""),
        agreement_due=request.args.get("agreement_due") == "1",
    )
    children, total = rules.list_children(db.session(), current_user, filters, number, per_page)
    villages = names_of(db.session(), (c.region_code for c in children))
    return render(
        "children/list.html", block="results", children=children, filters=filters, villages=villages,
        page=Page(number, per_page, total), today=date.today(), days_overdue=days_overdue,
        params={k: v for k, v in request.args.items() if k != "page" and v}, **LABELS,
    )


def _values(form: ChildForm) -> rules.ChildValues:
    return rules.ChildValues(
        name=form.name.data or "", gender=form.gender.data, birth_date=form.birth_date.data,
        region_code=(form.region_code.data or "").strip(), id_number=form.id_number.data or "",
        ethnicity=form.ethnicity.data or "", household_registration=form.household_registration.data or "",
        address=form.address.data or "", categories=form.categories.data or [], school=form.school.data or "",
        grade=form.grade.data or "", school_stage=form.school_stage.data or "none",
        disability_category=form.disability_category.data or "",
        disability_level=form.disability_level.data or "", chronic_illness=form.chronic_illness.data or "",
        benefits=[b for b in (form.benefits.data or "").replace("，", ",").split(",")],
    )


def _own_village() -> str:
    """A child director's village is the only one they register in."""
    code = current_user.region_code
    return code if level_of_code(code) == Level.village else ""


@bp.route("/new", methods=["GET", "POST"])
@access.route("children.register")
def create():
    form = ChildForm()
    if request.method == "GET" and not form.region_code.data:
        form.region_code.data = _own_village()
    candidates = []
    if form.validate_on_submit():
        session = db.session()
        try:
            child = rules.register_child(
                session, current_user, _values(form), confirmed_not_duplicate=form.confirm_not_duplicate.data
            )
            rules.set_guardians(session, current_user, child, [g.data for g in form.guardians])
        except rules.DuplicateIdNumber as error:
            session.rollback()
            show_error(form, error)
            existing = session.get(Child, error.child_id)
            if existing is not None and access.allowed(current_user, "children.view", existing):
                flash(Markup('<a href="{}">{}</a>').format(url_for("children.detail", child_id=existing.id),
                                                           _("Open the existing file")), "info")
        except probes.IdNumberElsewhere as error:
            session.commit()  # nothing was written but the audit entry of the refused number: keep it
            show_error(form, error)
        except rules.PossibleDuplicates as error:
            session.rollback()
            flash(str(error.message), "error")
            candidates = [c for c in error.candidates if access.allowed(current_user, "children.view", c)]
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("File opened for %(name)s.", name=child.name), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    status = 400 if request.method == "POST" else 200
    return render("children/form.html", form=form, candidates=candidates, editing=None, **LABELS), status


@bp.route("/<int:child_id>")
@access.route("children.view")
def detail(child_id: int):
    session = db.session()
    child = rules.read_file(session, current_user, child_id)  # audited before anything is shown
    from portal.categories import NEED_CATEGORY_LABELS
    from portal.needs.labels import STATUS_LABELS as NEED_STATUS_LABELS
    from portal.needs.rules import needs_of_child
    from portal.programmes import labels as programme_labels
    from portal.programmes.eligibility import DOCUMENTS
    from portal.programmes.rules import for_child
    from portal.visits.rules import visits_of

    return render(
        "children/detail.html", child=child, region=session.get(Region, child.region_code),
        guardians=rules.guardians_of(session, child), assessments=rules.assessments_of(session, child),
        visits=visits_of(session, child), indicators=INDICATORS_BY_KEY, today=date.today(),
        age=rules.age_on(child.birth_date, date.today()), days_overdue=days_overdue(child, date.today()),
        can_see_readers=access.allowed(current_user, "children.readers", child),
        child_programmes=for_child(session, current_user, child), standing_labels=programme_labels.STANDING_LABELS,
        documents=DOCUMENTS, format_fen=format_fen, needs=needs_of_child(session, current_user, child),
        need_status_labels=NEED_STATUS_LABELS, need_category_labels=NEED_CATEGORY_LABELS, **LABELS,
    )


@bp.route("/<int:child_id>/edit", methods=["GET", "POST"])
@access.route("children.edit")
def edit(child_id: int):
    session = db.session()
    child = rules.read_file(session, current_user, child_id, "children.edit")  # the form shows identity data
    if request.method == "GET":
        form = ChildForm(obj=child)
        form.benefits.data = ", ".join(child.benefits)
        guardians = rules.guardians_of(session, child)
        for entry, guardian in zip(form.guardians.entries, guardians, strict=False):
            entry.form.process(None, obj=guardian)
    else:
        form = ChildForm()
    if form.validate_on_submit():
        try:
            rules.update_child(session, current_user, child, _values(form))
            rules.set_guardians(session, current_user, child, [g.data for g in form.guardians])
        except probes.IdNumberElsewhere as error:
            session.commit()  # refused before any change: only the audit entry of the number is kept
            show_error(form, error)
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("File updated."), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    status = 400 if request.method == "POST" else 200
    return render("children/form.html", form=form, candidates=[], editing=child, **LABELS), status


@bp.route("/<int:child_id>/assess", methods=["GET", "POST"])
@access.route("children.edit")
def assess(child_id: int):
    session = db.session()
    child = rules.read_file(session, current_user, child_id, "children.edit")
    form = AssessmentForm()
    if request.method == "GET":
        form.assessed_on.data = date.today()
    if form.validate_on_submit():
        try:
            assessment = rules.record_assessment(
                session, current_user, child, indicators=form.indicators.data or [],
                assessed_on=form.assessed_on.data, team=form.team.data or "", notes=form.notes.data or "",
            )
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("Assessed: %(level)s.", level=LEVEL_LABELS[assessment.overall]), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    status = 400 if request.method == "POST" else 200
    return render("children/assess.html", form=form, child=child, **LABELS), status


@bp.route("/<int:child_id>/qr", methods=["POST"])
@access.route("children.edit")
def reissue_qr(child_id: int):
    session = db.session()
    child = rules.load_child(session, current_user, child_id, "children.edit")
    from portal.accounts.forms import EmptyForm

    if EmptyForm().validate_on_submit():
        rules.reissue_qr(session, current_user, child)
        session.commit()
        flash(_("A new QR card was issued; the old card no longer works."), "success")
    return redirect(url_for("children.cards", village=child.region_code, child=child.id))


def qr_svg(token: str) -> Markup:
    """The QR code of a check-in link as inline SVG (drawn on the server, nothing loaded)."""
    return web.qr_svg("visits.check_in", token=token)


@bp.route("/cards")
@access.route("children.list")
def cards():
    """Print-ready QR cards of a village's active children (or of one child)."""
    session = db.session()
    village = request.args.get("village") or _own_village()
    region = session.get(Region, village) if village else None
    if region is None or region.level != Level.village or not access.within_scope(current_user, region.code):
        flash(_("Choose a village inside your region."), "error")
        return redirect(url_for("children.index"))
    filters = rules.ChildFilter(region_code=region.code)
    children, _total = rules.list_children(session, current_user, filters, 1, 500)
    only = request.args.get("child", type=int)
    if only:
        children = [c for c in children if c.id == only]
    from portal.audit.rules import record_many

    with db.write_session() as audit:  # every name on the cards is a read of that file
        record_many(audit, current_user, "read", "child", [(c.id, c.region_code) for c in children])
    return render("children/cards.html", region=region, children=children, qr_svg=qr_svg)


@bp.route("/<int:child_id>/qr.svg")
@access.route("children.view")
def qr_image(child_id: int):
    child = rules.load_child(db.session(), current_user, child_id)
    return Response(str(qr_svg(child.qr_token)), mimetype="image/svg+xml")

# The ledger and status pages share this blueprint.
from portal.children import ledger_routes, status_routes  # noqa: E402,F401
