"""Organizations: applying, one's own organization (members, invitations), staff vetting.
Thin: the rules in ``portal.helpers.orgs`` decide."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import access, db
from portal.accounts import auth
from portal.accounts.forms import EmptyForm
from portal.audit.rules import record_read
from portal.categories import NEED_CATEGORY_LABELS, SKILL_LABELS
from portal.errors import DomainError, NotAllowed
from portal.extensions import limiter
from portal.helpers import bp, orgs, vetting
from portal.helpers.forms import (
    InviteForm,
    JoinForm,
    OrgApplyForm,
    OrgFields,
    VetForm,
    area_codes,
    fill_areas,
    honeypot_filled,
)
from portal.helpers.models import OrgStatus
from portal.helpers.rules import region_names
from portal.mail import send_mail
from portal.web import Page, commit_or_flash, page_args, public_url, render, show_error

STATUS_LABELS = {
    OrgStatus.applied: _l("Waiting for vetting"),
    OrgStatus.more_info: _l("More information asked for"),
    OrgStatus.approved: _l("Approved"),
    OrgStatus.rejected: _l("Rejected"),
    OrgStatus.suspended: _l("Suspended"),
}

ACTION_LABELS = {
    "apply": _l("applied"),
    "resubmit": _l("resubmitted after changes"),
    "approve": _l("approved"),
    "request_info": _l("asked for more information"),
    "reject": _l("rejected"),
    "suspend": _l("suspended"),
    "reinstate": _l("reinstated"),
}


def _org_values(form, credit_code: str) -> orgs.OrgValues:
    return orgs.OrgValues(
        name=form.name.data or "", credit_code=credit_code or "",
        legal_representative=form.legal_representative.data or "", contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "", contact_email=form.contact_email.data or "",
        description=form.description.data or "", region_codes=area_codes(form), categories=form.categories.data or [],
        skills=form.skills.data or [], also_donor=form.also_donor.data,
    )


def _account_values(form) -> orgs.AccountValues:
    return orgs.AccountValues(username=form.username.data or "", display_name=form.display_name.data or "",
                              password=form.password.data or "", confirm=form.confirm.data or "",
                              email=form.email.data or "", phone=form.phone.data or "")


@bp.route("/orgs/apply", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
def org_apply():
    if current_user.is_authenticated:
        return redirect(url_for("helpers.my_organization"))
    form = OrgApplyForm()
    if form.validate_on_submit():
        if honeypot_filled(form):
            flash(_("Thank you. The application has been sent to the civil-affairs bureau."), "info")
            return redirect(url_for("main.home"))
        try:
            org, user = orgs.apply(db.session(), _org_values(form, form.credit_code.data), _account_values(form))
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            db.session().rollback()
            show_error(form, error)
        else:
            db.session().commit()
            auth.sign_in(user)
            flash(_("Thank you. The application has been sent to the civil-affairs bureau."), "success")
            return redirect(url_for("helpers.verify"))
    status = 400 if request.method == "POST" else 200
    return render("helpers/org_apply.html", form=form), status


# --- one's own organization -----------------------------------------------------------------------


@bp.route("/me/organization")
@access.route("orgs.member")
def my_organization():
    session = db.session()
    joined = orgs.memberships(session, current_user)
    if not joined:
        return render("helpers/org_none.html")
    member, org = joined[0]
    view = orgs.view_of(session, org)
    return render("helpers/org_mine.html", org=org, member=member, joined=joined,
                  areas=region_names(session, view.region_codes), history=orgs.history(session, org.id),
                  members=orgs.members_of(session, org.id) if member.is_admin else [],
                  invites=orgs.open_invites(session, org.id) if member.is_admin else [],
                  invite_form=InviteForm(), form=EmptyForm(), status_labels=STATUS_LABELS, action_labels=ACTION_LABELS,
                  category_labels=NEED_CATEGORY_LABELS, skill_labels=SKILL_LABELS)


@bp.route("/me/organization/edit", methods=["GET", "POST"])
@access.route("orgs.member")
def edit_organization():
    session = db.session()
    view, member = orgs.own_organization(session, current_user)
    orgs.require_admin(member)
    org = view.org
    form = OrgFields(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        fill_areas(form, view.region_codes)
    if form.validate_on_submit():
        try:
            revet = orgs.update(session, current_user, view, member, _org_values(form, org.credit_code))
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("Saved. The changes go to the civil-affairs bureau for vetting.") if revet else _("Saved."),
                  "success")
            return redirect(url_for("helpers.my_organization"))
    status = 400 if request.method == "POST" else 200
    return render("helpers/org_edit.html", form=form, org=org), status


@bp.route("/me/organization/invite", methods=["POST"])
@access.route("orgs.member")
def invite_member():
    session = db.session()
    view, member = orgs.own_organization(session, current_user)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            token = orgs.invite(session, current_user, view, member, form.email.data or "")
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            link = public_url("helpers.accept_invite", token=token)
            if form.email.data:
                body = _("%(org)s invites you to join it on Tongxin. Open this link within %(days)d days:\n\n%(link)s",
                         org=view.org.name, days=orgs.INVITE_DAYS, link=link)
                db.after_commit(session, lambda: send_mail(form.email.data, _("Tongxin: an invitation"), body))
            session.commit()
            flash(_("Invitation link (shown once; valid %(days)d days): %(link)s", days=orgs.INVITE_DAYS, link=link),
                  "success")
    return redirect(url_for("helpers.my_organization"))


@bp.route("/me/organization/invites/<int:invite_id>/revoke", methods=["POST"])
@access.route("orgs.member")
def revoke_invite(invite_id: int):
    session = db.session()
    _view, member = orgs.own_organization(session, current_user)
    if EmptyForm().validate_on_submit():
        commit_or_flash(lambda: orgs.revoke_invite(session, current_user, member, invite_id),
                        _("Invitation withdrawn."))
    return redirect(url_for("helpers.my_organization"))


@bp.route("/me/organization/members/<int:user_id>/remove", methods=["POST"])
@access.route("orgs.member")
def remove_member(user_id: int):
    session = db.session()
    _view, member = orgs.own_organization(session, current_user)
    if EmptyForm().validate_on_submit():
        commit_or_flash(lambda: orgs.remove_member(session, current_user, member, user_id), _("Member removed."))
    return redirect(url_for("helpers.my_organization"))


@bp.route("/me/organization/members/<int:user_id>/vouch", methods=["POST"])
@access.route("orgs.member")
def vouch_member(user_id: int):
    """An administrator vouches for a member (or withdraws it): close contact with children."""
    session = db.session()
    _view, member = orgs.own_organization(session, current_user)
    if EmptyForm().validate_on_submit():
        vouch = request.form.get("vouch") == "1"
        commit_or_flash(lambda: vetting.set_vouched(session, current_user, member, user_id, vouch),
                        _("The organization now vouches for this member.") if vouch
                        else _("The organization no longer vouches for this member."))
    return redirect(url_for("helpers.my_organization"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
def accept_invite(token: str):
    session = db.session()
    try:
        _row, org = orgs.invitation(session, token)
    except NotAllowed:
        raise  # a refusal by role or region is a 403, not a form error
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("main.home"))
    form = JoinForm()
    signed_in = current_user.is_authenticated
    if request.method == "POST" and (EmptyForm().validate_on_submit() if signed_in else form.validate_on_submit()):
        try:
            if signed_in:
                user = orgs.accept(session, token, user=current_user)
            else:
                if honeypot_filled(form):
                    return redirect(url_for("main.home"))
                user = orgs.accept(session, token, account=_account_values(form))
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("Welcome to %(org)s.", org=org.name), "success")
            if not signed_in:
                auth.sign_in(user)
                return redirect(url_for("helpers.verify"))
            return redirect(url_for("helpers.my_organization"))
    status = 400 if request.method == "POST" else 200
    return render("helpers/invite.html", org=org, form=form, join_form=EmptyForm(), token=token), status


# --- staff: vetting -------------------------------------------------------------------------------


def vet_choices() -> list[tuple[str, str]]:
    return [("approve", _("Approve")), ("request_info", _("Ask for more information")), ("reject", _("Reject")),
            ("suspend", _("Suspend")), ("reinstate", _("Reinstate"))]


@bp.route("/orgs/")
@access.route("orgs.view")
def org_list():
    number, per_page = page_args()
    filters = orgs.OrgFilter(status=request.args.get("status", ""), q=request.args.get("q", ""),
                             category=request.args.get("category", ""))
    items, total = orgs.list_for_staff(db.session(), current_user, filters, number, per_page)
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("helpers/org_list.html", block="results", items=items, filters=filters,
                  page=Page(number, per_page, total), params=params, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS,
                  category_labels=NEED_CATEGORY_LABELS)


@bp.route("/orgs/<int:org_id>")
@access.route("orgs.view")
def org_detail(org_id: int, form: VetForm | None = None):
    session = db.session()
    view = orgs.load_for_staff(session, current_user, org_id)
    record_read(current_user, "organization", org_id, region_code=current_user.region_code)
    if form is None:
        form = VetForm()
    allowed = [(a, label) for a, label in vet_choices() if view.org.status in orgs.VETTING[a][0]]
    form.action.choices = allowed
    return render("helpers/org_detail.html", org=view.org, areas=region_names(session, view.region_codes),
                  history=orgs.history(session, org_id), members=orgs.members_of(session, org_id),
                  form=form, may_vet=access.allowed(current_user, "orgs.vet", view) and allowed,
                  status_labels=STATUS_LABELS, action_labels=ACTION_LABELS, category_labels=NEED_CATEGORY_LABELS,
                  skill_labels=SKILL_LABELS)


@bp.route("/orgs/<int:org_id>/vet", methods=["POST"])
@access.route("orgs.vet")
def org_vet(org_id: int):
    session = db.session()
    view = orgs.load_for_staff(session, current_user, org_id)
    access.require(current_user, "orgs.vet", view)
    form = VetForm()
    form.action.choices = vet_choices()
    if form.validate_on_submit():
        try:
            orgs.vet(session, current_user, view, form.action.data, form.reason.data)
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            flash(_("%(org)s: %(status)s. The organization has been told.", org=view.org.name,
                    status=STATUS_LABELS[view.org.status]), "success")
            return redirect(url_for("helpers.org_detail", org_id=org_id))
    return org_detail(org_id, form=form), 400
