"""The programmes' pages: list, create, edit, and each programme's lists. Thin: parse, call rules, render."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.children.grading import LEVEL_LABELS
from portal.children.labels import CATEGORY_LABELS, SCHOOL_STAGE_LABELS, STATUS_LABELS
from portal.donations.rules import parse_yuan
from portal.errors import DomainError
from portal.ledger.models import Fund
from portal.ledger.rules import PROGRAMME_FUNDS, format_fen, programme_funds
from portal.programmes import bp, rules
from portal.programmes.eligibility import DOCUMENTS, Reason, explain
from portal.programmes.forms import AddChildForm, EnrolForm, ProgrammeForm, RemoveForm
from portal.programmes.labels import (
    AMOUNT_TYPE_LABELS,
    KIND_LABELS,
    PERIOD_LABELS,
    STANDING_LABELS,
    STATE_LABELS,
)
from portal.programmes.models import EnrolmentState, Programme
from portal.regions.rules import names_of
from portal.web import render, show_error

LABELS = dict(kind_labels=KIND_LABELS, period_labels=PERIOD_LABELS, state_labels=STATE_LABELS,
              amount_type_labels=AMOUNT_TYPE_LABELS, category_labels=CATEGORY_LABELS,
              school_stage_labels=SCHOOL_STAGE_LABELS, level_labels=LEVEL_LABELS, status_labels=STATUS_LABELS,
              documents=DOCUMENTS, standing_labels=STANDING_LABELS, format_fen=format_fen)


def explanation(enrolment) -> str:
    """The stored verdict of an enrolment in the reader's language."""
    return explain(enrolment.eligible_now, [Reason.from_dict(r) for r in enrolment.reasons])


@bp.route("/")
@access.route("programmes.manage")
def index():
    session = db.session()
    programmes = rules.programmes_for(session, current_user)
    return render("programmes/list.html", programmes=programmes,
                  regions=names_of(session, {p.owner_region_code for p in programmes}),
                  counts={p.id: rules.state_counts(session, p) for p in programmes}, **LABELS)


def _fund_choices(session) -> list[tuple[str, str]]:
    standard = [(code, names[0]) for code, names in PROGRAMME_FUNDS.items()]
    others = [(f.code, f.name_zh) for f in programme_funds(session) if f.code not in PROGRAMME_FUNDS]
    return [(rules.OWN_FUND, _("A fund of its own"))] + standard + others


def _fen(text: str, field: str) -> int | None:
    if not (text or "").strip():
        return None
    try:
        return parse_yuan(text)
    except DomainError as error:
        raise DomainError(error.message, field=field) from None


def _values(form: ProgrammeForm) -> rules.ProgrammeValues:
    kind = form.amount_type.data
    if kind == "fixed":
        amount_rule = {"type": kind, "amount_fen": _fen(form.amount.data, "amount")}
    elif kind == "share":
        amount_rule = {"type": kind, "percent": form.percent.data, "cap_fen": _fen(form.cap.data, "cap")}
    else:
        table = {}
        for key, field in form.category_amount_fields():
            fen = _fen(field.data, field.name)
            if fen is not None:
                table[key.value] = fen
        amount_rule = {"type": kind, "amounts_fen": table}
    regions = [c.strip() for c in (form.regions.data or "").replace("，", ",").split(",") if c.strip()]
    eligibility = {"categories": form.categories.data or [], "school_stages": form.school_stages.data or [],
                   "risk_levels": form.risk_levels.data or [], "statuses": form.statuses.data or [],
                   "age_min": form.age_min.data, "age_max": form.age_max.data, "regions": regions}
    return rules.ProgrammeValues(
        name_zh=form.name_zh.data or "", name_en=form.name_en.data or "", kind=form.kind.data,
        period_type=form.period_type.data, amount_rule=amount_rule, eligibility=eligibility,
        required_documents=form.required_documents.data or [], fund_code=form.fund_code.data, active=form.active.data,
    )


def _fill(form: ProgrammeForm, programme: Programme, fund: Fund | None) -> None:
    """The form as the programme stands (GET of the edit page)."""
    form.process(obj=programme)
    form.fund_code.data = fund.code if fund else rules.OWN_FUND
    rule, amounts = programme.eligibility, programme.amount_rule
    for key in ("categories", "school_stages", "risk_levels", "statuses", "age_min", "age_max"):
        getattr(form, key).data = rule.get(key)
    form.regions.data = ", ".join(rule.get("regions", []))
    form.amount_type.data = amounts.get("type")
    form.amount.data = format_fen(amounts["amount_fen"]).replace(",", "") if "amount_fen" in amounts else ""
    form.percent.data = amounts.get("percent")
    form.cap.data = format_fen(amounts["cap_fen"]).replace(",", "") if "cap_fen" in amounts else ""
    for key, field in form.category_amount_fields():
        fen = amounts.get("amounts_fen", {}).get(key.value)
        field.data = format_fen(fen).replace(",", "") if fen else ""


@bp.route("/new", methods=["GET", "POST"])
@access.route("programmes.manage")
def create():
    session = db.session()
    form = ProgrammeForm()
    form.fund_code.choices = _fund_choices(session)
    if form.validate_on_submit():
        try:
            programme = rules.create_programme(session, current_user, _values(form))
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("Programme created."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    status = 400 if request.method == "POST" else 200
    return render("programmes/form.html", form=form, programme=None, **LABELS), status


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@access.route("programmes.manage")
def edit(programme_id: int):
    session = db.session()
    programme = rules.load_programme(session, current_user, programme_id)
    form = ProgrammeForm()
    form.fund_code.choices = _fund_choices(session)
    if request.method == "GET":
        fund = session.get(Fund, programme.fund_id)
        _fill(form, programme, None if fund.code.startswith("programme-") else fund)
    if form.validate_on_submit():
        try:
            rules.update_programme(session, current_user, programme, _values(form))
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("Programme updated."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    status = 400 if request.method == "POST" else 200
    return render("programmes/form.html", form=form, programme=programme, **LABELS), status


@bp.route("/<int:programme_id>")
@access.route("programmes.manage")
def detail(programme_id: int):
    session = db.session()
    programme = rules.load_programme(session, current_user, programme_id)
    state = request.args.get("state", EnrolmentState.eligible.value)
    if state not in EnrolmentState.__members__:
        state = EnrolmentState.eligible.value
    rows = rules.listed(session, current_user, programme, state)
    return render(
        "programmes/detail.html", block="rows", programme=programme, state=state, rows=rows,
        fund=session.get(Fund, programme.fund_id), counts=rules.state_counts(session, programme),
        villages=names_of(session, {child.region_code for _row, child in rows}),
        owner=names_of(session, [programme.owner_region_code]).get(programme.owner_region_code, ""),
        explanation=explanation, add_form=AddChildForm(), remove_form=RemoveForm(), enrol_form=EnrolForm(),
        **LABELS,
    )


def _back(programme_id: int, state: str = EnrolmentState.eligible.value):
    return redirect(url_for("programmes.detail", programme_id=programme_id, state=state))


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "error")


@bp.route("/<int:programme_id>/add", methods=["POST"])
@access.route("programmes.manage")
def add_child(programme_id: int):
    session = db.session()
    programme = rules.load_programme(session, current_user, programme_id)
    form = AddChildForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(programme.id)
    try:
        rules.add_child(session, current_user, programme, form.child_id.data, form.reason.data)
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
    else:
        session.commit()
        flash(_("The child was added to the programme."), "success")
    return _back(programme.id)


@bp.route("/<int:programme_id>/enrolments/<int:enrolment_id>/remove", methods=["POST"])
@access.route("programmes.manage")
def remove_child(programme_id: int, enrolment_id: int):
    session = db.session()
    programme = rules.load_programme(session, current_user, programme_id)
    row = rules.enrolment_of(session, current_user, programme, enrolment_id)
    state = str(row.state)
    form = RemoveForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(programme.id, state)
    try:
        rules.remove_child(session, current_user, programme, row, form.reason.data)
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
    else:
        session.commit()
        flash(_("The child was removed from the programme."), "success")
    return _back(programme.id, state)


@bp.route("/<int:programme_id>/enrolments/<int:enrolment_id>/enrol", methods=["POST"])
@access.route("programmes.manage")
def enrol(programme_id: int, enrolment_id: int):
    session = db.session()
    programme = rules.load_programme(session, current_user, programme_id)
    row = rules.enrolment_of(session, current_user, programme, enrolment_id)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            documents = dict.fromkeys(form.documents.data or [], True)
            invoices = _fen(form.invoices.data, "invoices")
            if invoices is not None:
                documents["hospital_invoices_fen"] = invoices
            rules.enrol(session, current_user, programme, row, documents)
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            session.commit()
            flash(_("Enrolled."), "success")
    return _back(programme.id)
