"""Error pages (400/403/404/429/500) in the user's language, and domain errors turned into pages."""

from __future__ import annotations

from flask import Flask, flash, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from portal.errors import DomainError


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(_e):
        return _page(400, _("Bad request"), _("The request could not be understood. Go back and try again."))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _page(
            400,
            _("The form has expired"),
            _("For your security the form could not be accepted (its security token is missing or expired). "
              "Reload the page and submit it again."),
        )

    @app.errorhandler(403)
    def forbidden(_e):
        return _page(403, _("Not allowed"), _("You do not have permission to see this page."))

    @app.errorhandler(404)
    def not_found(_e):
        return _page(404, _("Not found"), _("This page does not exist or has been moved."))

    @app.errorhandler(405)
    def method_not_allowed(_e):
        return _page(405, _("Not allowed"), _("This action is not available here."))

    @app.errorhandler(413)
    def too_large(_e):
        return _page(413, _("Upload too large"), _("The file is too large. Nothing was saved."))

    @app.errorhandler(429)
    def too_many(_e):
        message = _("Too many attempts. Wait a few minutes and try again.")
        if request.endpoint == "accounts.login":
            # Keep the sign-in form (and the typed user name) on the page, with the reason above it.
            from portal.accounts.forms import LoginForm

            flash(message, "error")
            form = LoginForm(formdata=None, username=request.form.get("username", ""), next=request.form.get("next", ""))
            return render_template("accounts/login.html", form=form), 429
        return _page(429, _("Too many attempts"), message)

    @app.errorhandler(500)
    def server_error(_e):
        return _page(500, _("Something went wrong"), _("An error occurred on our side. It has been logged; try again later."))

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError):
        titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Conflict")}
        app.logger.info("refused %s %s: %s", request.method, request.path, e)
        return _page(e.status, titles.get(e.status, _("Cannot do this")), str(e.message))
