"""Volunteers' and donors' registration, profiles and certificates; staff lists of helpers.
Thin: the rules in ``portal.helpers.rules`` decide."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.accounts import auth
from portal.accounts.forms import EmptyForm
from portal.accounts.roles import LEVEL_LABELS, ROLE_LABELS, Role
from portal.audit.rules import record_read
from portal.categories import CERTIFIED_SKILLS, NEED_CATEGORY_LABELS, SKILL_LABELS, Skill
from portal.errors import DomainError, NotAllowed
from portal.extensions import limiter
from portal.helpers import bp, rules, vetting
from portal.helpers.forms import (
    CertificateForm,
    HelperFilterForm,
    ProfileForm,
    ReasonForm,
    RecordCheckForm,
    RegisterForm,
    VerifyForm,
    area_codes,
    fill_areas,
    honeypot_filled,
)
from portal.helpers.models import HelperProfile
from portal.regions.names import paths_of
from portal.regions.rules import search_below
from portal.visits.photos import Upload, clean_photo, photo_store, send_private
from portal.web import Page, commit_or_flash, page_args, render, show_error

CERTIFICATE_FOLDER = "certificates"


# --- registration ---------------------------------------------------------------------------------


@bp.route("/join")
@access.route(access.PUBLIC)
def join():
    return render("helpers/join.html")


@bp.route("/join/regions")
@access.route(access.PUBLIC)
@limiter.limit("120 per minute")
def region_options():
    """Region suggestions for the service-area fields of the public forms (names are public)."""
    text = request.args.get("q") or next((v for v in request.args.values() if v), "")
    words = text[:30].split()  # a name path already filled in ("兰山区 义堂镇"): search by its last name
    found = search_below(db.session(), None, words[-1] if words else "")
    return render("regions/_options.html", regions=found, level_labels=LEVEL_LABELS,
                  paths=paths_of(db.session(), [r.code for r in found]))


@bp.route("/join/<any(volunteer, donor):kind>", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
def register(kind: str):
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        if honeypot_filled(form):
            flash(_("Thank you. Check your messages for the verification code."), "info")
            return redirect(url_for("main.home"))
        values = rules.Registration(
            role=Role(kind), username=form.username.data, display_name=form.display_name.data,
            password=form.password.data, confirm=form.confirm.data, phone=form.phone.data or "",
            email=form.email.data or "", id_number=form.id_number.data or "", region_codes=area_codes(form),
            anonymous=form.anonymous.data,
        )
        try:
            user, channel = rules.register_helper(db.session(), values)
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            db.session().rollback()
            show_error(form, error)
        else:
            db.session().commit()
            auth.sign_in(user)
            flash(_("Your account is ready. We sent a code to your e-mail.") if channel == "email"
                  else _("Your account is ready. We sent a code to your mobile."), "success")
            return redirect(url_for("helpers.verify"))
    status = 400 if request.method == "POST" else 200
    return render("helpers/register.html", form=form, kind=kind), status


@bp.route("/join/verify", methods=["GET", "POST"])
@access.route("helpers.self")
def verify():
    done = url_for("helpers.my_organization" if current_user.role == Role.org_member else "helpers.profile")
    pending = rules.unconfirmed(current_user, rules.profile_of(db.session(), current_user))
    if pending is None:
        return redirect(done)
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            rules.verify_contact(db.session(), current_user, form.code.data)
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            db.session().commit()  # the failed try counts
            show_error(form, error)
        else:
            db.session().commit()
            flash(_("Thank you: your contact is confirmed."), "success")
            return redirect(done)
    status = 400 if request.method == "POST" else 200
    return render("helpers/verify.html", form=form, resend=EmptyForm(), channel=pending[0]), status


@bp.route("/join/verify/resend", methods=["POST"])
@access.route("helpers.self")
@limiter.limit("3 per 10 minutes")
def resend_code():
    if EmptyForm().validate_on_submit():
        try:
            rules.start_verification(db.session(), current_user)
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            db.session().rollback()
            flash(str(error.message), "error")
        else:
            db.session().commit()
            flash(_("A new code has been sent."), "info")
    return redirect(url_for("helpers.verify"))


# --- one's own profile ----------------------------------------------------------------------------


def _profile_form(profile: HelperProfile) -> ProfileForm:
    session = db.session()
    form = ProfileForm()
    if request.method == "GET":
        skills = rules.skills_of(session, current_user.id)
        form.display_name.data = current_user.display_name
        form.phone.data, form.email.data = profile.phone, current_user.email
        fill_areas(form, rules.areas_of(session, current_user.id))
        form.categories.data = list(profile.categories)
        form.skills.data = [s.skill.value for s in skills]
        form.subjects.data = next((s.subjects for s in skills if s.skill == Skill.tutoring), [])
        form.weekdays.data, form.weekends.data = profile.weekdays, profile.weekends
        form.hours_per_month.data, form.capacity.data = profile.hours_per_month, profile.capacity
        form.languages.data = "，".join(profile.languages)
        form.bio.data, form.anonymous.data = profile.bio, profile.anonymous
    return form


@bp.route("/me/profile", methods=["GET", "POST"])
@access.route("helpers.self")
@limiter.limit("20 per hour", methods=["POST"])
def profile():
    session = db.session()
    profile = rules.profile_of(session, current_user)
    form = _profile_form(profile)
    if form.validate_on_submit():
        subjects = form.subjects.data or []
        values = rules.ProfileValues(
            display_name=form.display_name.data, phone=form.phone.data or "", email=form.email.data or "",
            region_codes=area_codes(form), categories=form.categories.data or [],
            skills={s: (subjects if s == Skill.tutoring else []) for s in form.skills.data or []},
            weekdays=form.weekdays.data, weekends=form.weekends.data,
            hours_per_month=form.hours_per_month.data or 0, capacity=form.capacity.data or 1,
            languages=(form.languages.data or "").replace("，", ",").split(","),
            bio=form.bio.data or "", anonymous=form.anonymous.data,
        )
        try:
            contact_changed = rules.update_profile(session, current_user, values)
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            if contact_changed:
                flash(_("Profile saved. Confirm your new contact with the code we sent."), "success")
                return redirect(url_for("helpers.verify"))
            flash(_("Profile saved."), "success")
            return redirect(url_for("helpers.profile"))
    status = 400 if request.method == "POST" else 200
    return render("helpers/profile.html", form=form, profile=profile,
                  skills=rules.skills_of(session, current_user.id),
                  problem=rules.acting_problem(session, current_user), skill_labels=SKILL_LABELS,
                  unconfirmed=rules.unconfirmed(current_user, profile), resend=EmptyForm(),
                  certified=CERTIFIED_SKILLS, editable=rules.PROFILE_FIELDS.get(current_user.role, frozenset())), status


# --- certificates ---------------------------------------------------------------------------------


def _store_certificate(session, upload, record_it) -> None:
    """Check and clean the uploaded photo of a certificate, store it, record it (``record_it(path)``)
    and commit; the stored file is removed again if anything fails."""
    if upload is None or not upload.filename:
        raise DomainError(_("Attach a photo or scan of the certificate."), field="photo")
    photo = clean_photo(Upload(upload.filename, upload.stream))
    with photo_store(current_app.config["UPLOAD_FOLDER"], CERTIFICATE_FOLDER) as store:
        record_it(store.write(photo))
        session.commit()


@bp.route("/me/certificates", methods=["GET", "POST"])
@access.route("helpers.volunteer")
def certificates():
    session = db.session()
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            _store_certificate(session, request.files.get("photo"), lambda path: rules.add_certificate(
                session, current_user, form.skill.data, form.title.data, path))
        except NotAllowed:
            raise  # a refusal by role or region is a 403, not a form error
        except DomainError as error:
            session.rollback()
            if error.details.get("field") == "photos":
                error.details["field"] = "photo"
            show_error(form, error)
        else:
            flash(_("Certificate added. Staff will check it."), "success")
            return redirect(url_for("helpers.certificates"))
    status = 400 if request.method == "POST" else 200
    return _certificates_page(session, form, RecordCheckForm(formdata=None, prefix="record")), status


def _certificates_page(session, form, record_form):
    profile = session.get(HelperProfile, current_user.id)
    return render("helpers/certificates.html", form=form, record_form=record_form, skill_labels=SKILL_LABELS,
                  items=rules.certificates_of(session, current_user.id), vetted=vetting.is_vetted(session, current_user),
                  has_id_number=bool(profile and profile.id_number), valid_days=vetting.VALID_DAYS)


@bp.route("/me/certificates/record-check", methods=["POST"])
@access.route("helpers.volunteer")
def record_check():
    """Upload a no-criminal-record certificate (with the identity number if none is on file)."""
    session = db.session()
    form = RecordCheckForm(prefix="record")
    if form.validate_on_submit():
        try:
            _store_certificate(session, request.files.get("record-photo"), lambda path: vetting.add_record_check(
                session, current_user, title=form.title.data, issued_on=form.issued_on.data,
                id_number=form.id_number.data or "", file_path=path))
        except NotAllowed:
            raise
        except DomainError as error:
            session.rollback()
            if error.details.get("field") in ("photos", "display_name"):
                error.details["field"] = "photo" if error.details["field"] == "photos" else ""
            show_error(form, error)
        else:
            flash(_("Certificate uploaded. County staff will check it against your name and identity number."),
                  "success")
            return redirect(url_for("helpers.certificates"))
    return _certificates_page(session, CertificateForm(formdata=None), form), 400


@bp.route("/me/certificates/<int:certificate_id>/file")
@access.route("helpers.volunteer")
def own_certificate_file(certificate_id: int):
    certificate = rules.load_certificate(db.session(), current_user, certificate_id)
    return send_private(current_app.config["UPLOAD_FOLDER"], certificate.file_path)


# --- staff: helpers in their region ---------------------------------------------------------------


def _filter_form() -> HelperFilterForm:
    form = HelperFilterForm(request.args)
    any_ = [("", _("All"))]
    form.role.choices = any_ + [(r.value, str(ROLE_LABELS[r])) for r in rules.SELF_REGISTERING]
    form.skill.choices = any_ + [(k.value, str(v)) for k, v in SKILL_LABELS.items()]
    form.category.choices = any_ + [(k.value, str(v)) for k, v in NEED_CATEGORY_LABELS.items()]
    form.active.choices = any_ + [("1", _("Active")), ("0", _("Deactivated"))]
    return form


@bp.route("/helpers/")
@access.route("helpers.manage")
def staff_list():
    number, per_page = page_args()
    form = _filter_form()
    filters = rules.HelperFilter(role=form.role.data or "", skill=form.skill.data or "",
                                 verified_only=bool(form.verified_only.data), category=form.category.data or "",
                                 active=form.active.data or "", q=form.q.data or "")
    users, total = rules.list_helpers(db.session(), current_user, filters, number, per_page)
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("helpers/staff_list.html", block="results", users=users, form=form,
                  page=Page(number, per_page, total), params=params, role_labels=ROLE_LABELS)


@bp.route("/helpers/<int:user_id>")
@access.route("helpers.manage")
def staff_detail(user_id: int):
    session = db.session()
    helper = rules.load_helper(session, current_user, user_id)
    record_read(current_user, "helper", user_id, region_code=current_user.region_code)
    return render("helpers/staff_detail.html", helper=helper.user, profile=rules.profile_of(session, helper.user),
                  areas=rules.region_names(session, helper.region_codes), skills=rules.skills_of(session, user_id),
                  certificates=rules.certificates_of(session, user_id), form=ReasonForm(),
                  skill_labels=SKILL_LABELS, category_labels=NEED_CATEGORY_LABELS, role_labels=ROLE_LABELS)


@bp.route("/helpers/<int:user_id>/active", methods=["POST"])
@access.route("helpers.manage")
def staff_set_active(user_id: int):
    session = db.session()
    helper = rules.load_helper(session, current_user, user_id)
    form = ReasonForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        commit_or_flash(lambda: rules.set_helper_active(session, current_user, helper, active, form.reason.data),
                        _("Account reactivated.") if active else _("Account deactivated."))
    return redirect(url_for("helpers.staff_detail", user_id=user_id))


@bp.route("/helpers/certificates")
@access.route("helpers.manage")
def review_queue():
    session = db.session()
    items = rules.pending_certificates(session, current_user)
    # A no-criminal-record certificate is compared with the name and identity number on file.
    # The number is shown whole (a middle digit changed would pass a masked comparison) and the
    # read is audited, as every read of a helper's identity number.
    numbers = {}
    for certificate, user in items:
        if certificate.skill is None:
            profile = session.get(HelperProfile, user.id)
            numbers[user.id] = (profile.id_number if profile else "") or ""
            record_read(current_user, "helper", user.id, region_code=current_user.region_code)
    return render("helpers/review.html", items=items, numbers=numbers, form=ReasonForm(), skill_labels=SKILL_LABELS)


@bp.route("/helpers/certificates/<int:certificate_id>/file")
@access.route("helpers.manage")
def certificate_file(certificate_id: int):
    certificate = rules.load_certificate(db.session(), current_user, certificate_id)
    record_read(current_user, "certificate", certificate_id, region_code=current_user.region_code)
    return send_private(current_app.config["UPLOAD_FOLDER"], certificate.file_path)


@bp.route("/helpers/certificates/<int:certificate_id>/review", methods=["POST"])
@access.route("helpers.manage")
def review_certificate(certificate_id: int):
    session = db.session()
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    certificate = rules.load_certificate(session, current_user, certificate_id)
    verified = request.form.get("verified") == "1"
    commit_or_flash(lambda: rules.review_certificate(session, current_user, certificate, verified, form.reason.data),
                    _("Certificate “%(title)s” verified.", title=certificate.title) if verified
                    else _("Certificate “%(title)s” rejected; the volunteer has been told why.", title=certificate.title))
    return redirect(url_for("helpers.review_queue"))


from portal.helpers import hours_routes, org_routes  # noqa: E402,F401  (more views of this blueprint)
