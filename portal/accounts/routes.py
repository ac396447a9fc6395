"""Sign-in, one's own account, and the accounts a staff member manages. Thin: rules decide."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal import access, db
from portal.accounts import auth, bp, resets, rules, sessions, throttle
from portal.accounts.forms import (
    AccountForm,
    ChangePasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
)
from portal.accounts.models import ResetRoute, User
from portal.accounts.roles import LEVEL_LABELS, ROLE_LABELS, Role
from portal.errors import DomainError, NotFound
from portal.extensions import limiter
from portal.mail import send_mail
from portal.regions.models import Region
from portal.regions.names import paths_of
from portal.web import Page, commit_or_flash, page_args, public_url, render, safe_next, show_error

RESET_STARTED = {
    ResetRoute.email: _l("A one-time link has been sent to the account's confirmed e-mail address."),
    ResetRoute.sms: _l("A one-time link has been sent to the account's confirmed mobile."),
    ResetRoute.supervisor: _l("The supervisor above the account must confirm the reset; they will hand the holder "
                              "a one-time code in person."),
    ResetRoute.second_admin: _l("A second administrator must confirm the reset and hand the holder a one-time code."),
}


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_login_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        identifier = rules.normalise_username(form.username.data)
        with db.new_session() as reading:  # no write lock while argon2 works
            # One count per account, whether it is named by user name, mobile or e-mail.
            key = rules.throttle_key(reading, identifier)
            if not throttle.attempt_allowed(key):
                g.login_failed = True
                abort(429)
            try:
                user_id = rules.verify_credentials(reading, identifier, form.password.data).id
            except DomainError as error:
                g.login_failed = True
                flash(str(error.message), "error")
                return render("accounts/login.html", form=form), 200
        throttle.clear(key)
        user = db.session().get(User, user_id)
        rules.record_login(db.session(), user, form.password.data)
        db.session().commit()
        auth.sign_in(user)
        return redirect(safe_next(form.next.data, url_for("main.home")))
    return render("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access.route(access.PUBLIC)
def logout():
    if EmptyForm().validate_on_submit():
        ending = auth.current_session_id()
        if ending is not None:
            sessions.end(db.session(), ending, "logout")
            db.session().commit()
        language = current_user.locale if current_user.is_authenticated else session.get("lang")
        logout_user()
        session.clear()
        if language in current_app.config["LANGUAGES"]:
            session["lang"] = language  # the sign-in page stays in the language the user reads
        flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET"])
@access.route("signed_in")
def me():
    return _me_page(ChangePasswordForm())


def _me_page(form, status: int = 200):
    config = current_app.config
    open_sessions = sessions.open_sessions(db.session(), current_user, config["STAFF_IDLE_MINUTES"],
                                           config["PERMANENT_SESSION_LIFETIME"])
    from portal.training.rules import record_of

    training = record_of(db.session(), current_user) if access.allowed(current_user, "training.mine") else None
    return render("accounts/me.html", form=form, region=_region_of(current_user), sessions=open_sessions,
                  current_session_id=auth.current_session_id(), session_form=EmptyForm(),
                  training_lines=training), status


@bp.route("/account/email", methods=["POST"])
@access.route("signed_in")
@limiter.limit("5 per hour", methods=["POST"])
def send_email_confirmation():
    """Mail a link to one's own address; opening it while signed in confirms the address."""
    if EmptyForm().validate_on_submit():
        try:
            token = rules.email_confirmation_token(current_user, current_app.config["SECRET_KEY"])
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            send_mail(current_user.email, _("Tongxin: confirm your e-mail address"), _(
                "Open this link within %(hours)d hours, signed in as %(name)s, to confirm that this address is "
                "yours:\n\n%(link)s\n\nIf you did not ask for this, ignore this message.",
                hours=current_app.config["PASSWORD_RESET_HOURS"], name=current_user.username,
                link=public_url("accounts.confirm_email", token=token)))
            flash(_("A confirmation link has been sent to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.me"))


@bp.route("/account/email/<token>")
@access.route("signed_in")
def confirm_email(token: str):
    try:
        with db.write_session() as writing:  # a GET that writes: its own transaction, lock taken first
            rules.confirm_email(writing, writing.get(User, current_user.id), token,
                                current_app.config["SECRET_KEY"], current_app.config["PASSWORD_RESET_HOURS"] * 3600)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.me"))
    flash(_("Your e-mail address is confirmed. Password reset links can now be sent to it."), "success")
    return redirect(url_for("accounts.me"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@access.route("signed_in")
def end_session(session_id: int):
    if EmptyForm().validate_on_submit():
        sessions.end_own(db.session(), current_user, session_id)
        db.session().commit()
        if session_id == auth.current_session_id():
            logout_user()
            session.clear()
            flash(_("You have signed out."), "info")
            return redirect(url_for("accounts.login"))
        flash(_("That session has been ended."), "success")
    return redirect(url_for("accounts.me"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@access.route("signed_in")
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        ended = sessions.end_others(db.session(), current_user, keep=auth.current_session_id())
        db.session().commit()
        flash(_("Signed out everywhere else: %(n)d sessions ended.", n=ended), "success")
    return redirect(url_for("accounts.me"))


@bp.route("/account/password", methods=["POST"])
@access.route("signed_in")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            rules.change_password(db.session(), current_user, form.current.data, form.password.data, form.confirm.data)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session().commit()
            # Every session (this one too) has ended; this client continues on a new one.
            auth.sign_in(current_user._get_current_object())
            flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
            return redirect(url_for("accounts.me"))
    return _me_page(form, 400)


def _region_of(user: User) -> Region | None:
    return db.session().get(Region, user.region_code) if user.region_code else None


# --- password reset by mail ---------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        for user in rules.users_for_reset_request(db.session(), form.identifier.data):
            token = rules.reset_token(user, current_app.config["SECRET_KEY"])
            link = public_url("accounts.reset_password_with_token", token=token)
            send_mail(
                user.email,
                _("Tongxin: reset your password"),
                _(
                    "Someone asked to reset the password of %(name)s. If it was you, open this link within "
                    "%(hours)d hours:\n\n%(link)s\n\nIf it was not you, ignore this message.",
                    name=user.username,
                    hours=current_app.config["PASSWORD_RESET_HOURS"],
                    link=link,
                ),
            )
        # The same answer whether or not the account exists.
        flash(_("If an account with an e-mail address matches, a reset link has been sent to it."), "info")
        return redirect(url_for("accounts.login"))
    return render("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@access.route(access.PUBLIC)
def reset_password_with_token(token: str):
    max_age = current_app.config["PASSWORD_RESET_HOURS"] * 3600
    try:
        user = rules.user_for_reset_token(db.session(), token, current_app.config["SECRET_KEY"], max_age)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            rules.reset_with_token(db.session(), user, form.password.data, form.confirm.data)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session().commit()
            flash(_("Your password has been set. Sign in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render("accounts/reset.html", form=form)


# --- accounts managed by staff ------------------------------------------------------------------


@bp.route("/accounts/")
@access.route("accounts.manage")
def index():
    number, per_page = page_args()
    query = request.args.get("q", "")
    users, total = rules.manageable_accounts(db.session(), current_user, query=query, page=number, per_page=per_page)
    return render(
        "accounts/list.html",
        block="results",
        users=users,
        page=Page(number, per_page, total),
        q=query,
        role_labels=ROLE_LABELS,
        regions=paths_of(db.session(), [u.region_code for u in users]),
    )


def _role_choices(user: User) -> list[tuple[str, str]]:
    if user.role == Role.admin:
        roles = list(Role)
    else:
        roles = [Role.child_director, Role.child_supervisor, Role.civil_affairs]
    return [(r.value, str(ROLE_LABELS[r])) for r in roles]


# What happens next, once an administrator has created an account (it has no password yet).
FIRST_PASSWORD_NEXT = {
    ResetRoute.email: _l("Account %(name)s created without a password. A one-time link to choose one has been "
                         "sent to its confirmed e-mail address."),
    ResetRoute.sms: _l("Account %(name)s created without a password. A one-time link to choose one has been "
                       "sent to its confirmed mobile."),
    ResetRoute.supervisor: _l("Account %(name)s created without a password. The supervisor above it confirms its "
                              "first password and hands the holder a one-time code in person; you never see it."),
    ResetRoute.second_admin: _l("Account %(name)s created without a password. A second administrator confirms its "
                                "first password and hands the holder a one-time code in person; you never see it."),
}


@bp.route("/accounts/new", methods=["GET", "POST"])
@access.route("accounts.manage")
def create():
    """Staff give a temporary password; an administrator gives none (the form has no such field
    and a posted one is ignored by the rules)."""
    form = AccountForm()
    form.role.choices = _role_choices(current_user)
    temporary = rules.gives_temporary_password(current_user)
    if not temporary:
        del form.password
    if form.validate_on_submit():
        try:
            user = rules.create_account(
                db.session(),
                current_user,
                username=form.username.data,
                display_name=form.display_name.data,
                role=form.role.data,
                region_code=form.region_code.data,
                password=form.password.data if temporary else None,
                email=form.email.data,
                in_post_since=form.in_post_since.data,
                hours=current_app.config["PASSWORD_RESET_HOURS"],
            )
        except DomainError as error:
            db.session().rollback()
            show_error(form, error)
        else:
            first = None if temporary else resets.open_reset(db.session(), user)
            db.session().commit()
            if first is None:
                flash(_("Account %(name)s created. Give them the temporary password in person; they must change "
                        "it at first sign-in.", name=user.username), "success")
            else:
                flash(str(FIRST_PASSWORD_NEXT[first.route]) % {"name": user.username}, "success")
            return redirect(url_for("accounts.detail", user_id=user.id))
    status = 400 if request.method == "POST" else 200
    return render("accounts/form.html", form=form, level_labels=LEVEL_LABELS, temporary=temporary), status


def _managed_user(user_id: int) -> User:
    target = db.session().get(User, user_id)
    if target is None:
        raise NotFound(_("This account does not exist."))
    access.require(current_user, "accounts.manage", target)
    return target


@bp.route("/accounts/<int:user_id>")
@access.route("accounts.manage")
def detail(user_id: int):
    target = _managed_user(user_id)
    return render(
        "accounts/detail.html",
        target=target,
        region=_region_of(target),
        reset_form=EmptyForm(),
        open_reset=resets.open_reset(db.session(), target),
        toggle_form=EmptyForm(),
        role_labels=ROLE_LABELS,
    )


@bp.route("/accounts/<int:user_id>/password", methods=["POST"])
@access.route("accounts.manage")
def reset_password(user_id: int):
    """Start a reset. Whatever the form carries (a password typed in, say) is ignored: the one who
    starts a reset never chooses or sees the new credential."""
    target = _managed_user(user_id)
    if EmptyForm().validate_on_submit():
        try:
            reset = resets.start_reset(db.session(), current_user, target,
                                       hours=current_app.config["PASSWORD_RESET_HOURS"])
        except DomainError as error:
            db.session().rollback()
            flash(str(error.message), "error")
        else:
            db.session().commit()
            flash(RESET_STARTED[reset.route], "success")
    return redirect(url_for("accounts.detail", user_id=target.id))


@bp.route("/accounts/<int:user_id>/active", methods=["POST"])
@access.route("accounts.manage")
def set_active(user_id: int):
    target = _managed_user(user_id)
    if EmptyForm().validate_on_submit():
        active = request.form.get("active") == "1"
        commit_or_flash(lambda: rules.set_active(db.session(), current_user, target, active),
                        _("Account reactivated.") if active else _("Account deactivated."))
    return redirect(url_for("accounts.detail", user_id=target.id))


@bp.route("/accounts/<int:user_id>/head", methods=["POST"])
@access.route("accounts.manage")
def set_head(user_id: int):
    target = _managed_user(user_id)
    if EmptyForm().validate_on_submit():
        is_head = request.form.get("head") == "1"
        commit_or_flash(lambda: rules.set_head(db.session(), current_user, target, is_head),
                        _("Named head of this level.") if is_head else _("No longer head of this level."))
    return redirect(url_for("accounts.detail", user_id=target.id))


from portal.accounts import reset_routes  # noqa: E402,F401  (more views of this blueprint)
