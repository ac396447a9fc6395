"""Password resets started by someone else: confirming them, and using the one-time code."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.accounts import bp, resets
from portal.accounts.forms import EmptyForm, ResetWithCodeForm
from portal.accounts.models import User
from portal.accounts.roles import ROLE_LABELS
from portal.errors import DomainError
from portal.extensions import limiter
from portal.regions.names import paths_of
from portal.web import render, show_error


@bp.route("/password/code", methods=["GET", "POST"])
@bp.route("/password/code/<code>", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def reset_with_code(code: str = ""):
    """Set a new password with a one-time code: the holder's user name, the code, the password.
    It signs nobody in."""
    form = ResetWithCodeForm()
    if not form.is_submitted() and code:
        form.code.data = code
    if form.validate_on_submit():
        try:
            resets.complete_reset(db.session(), form.username.data, form.code.data, form.password.data,
                                  form.confirm.data)
        except DomainError as error:
            db.session().rollback()
            show_error(form, error)
        else:
            db.session().commit()
            flash(_("Your password has been set. Sign in with it."), "success")
            return redirect(url_for("accounts.login"))
        return render("accounts/reset_code.html", form=form), 400
    return render("accounts/reset_code.html", form=form)


@bp.route("/accounts/resets")
@access.route("accounts.confirm_reset")
def resets_to_confirm():
    waiting = resets.pending_confirmations(db.session(), current_user)
    return render("accounts/resets.html", waiting=waiting, form=EmptyForm(), role_labels=ROLE_LABELS,
                  regions=paths_of(db.session(), [target.region_code for _reset, target in waiting]))


@bp.route("/accounts/resets/<int:reset_id>/confirm", methods=["POST"])
@access.route("accounts.confirm_reset")
def confirm_reset(reset_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.resets_to_confirm"))
    reset = resets.load_reset(db.session(), current_user, reset_id)
    try:
        code = resets.confirm_reset(db.session(), current_user, reset, hours=current_app.config["PASSWORD_RESET_HOURS"])
    except DomainError as error:
        db.session().rollback()
        flash(str(error.message), "error")
        return redirect(url_for("accounts.resets_to_confirm"))
    db.session().commit()
    target = db.session().get(User, reset.user_id)
    # Shown this once; only its hash is kept.
    return render("accounts/reset_confirmed.html", target=target, code=resets.display_code(code),
                  hours=current_app.config["PASSWORD_RESET_HOURS"])
