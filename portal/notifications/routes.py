from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from portal import access, db
from portal.accounts.forms import EmptyForm
from portal.notifications import bp, rules
from portal.web import Page, page_args, render

BADGE = "notifications.badge"


@bp.app_context_processor
def notice_badge():
    """``unread_notices()`` for the header: one COUNT, only when a page shows the header of a
    signed-in user (htmx fragments and signed-out pages run no query)."""
    return {"unread_notices": _unread_for_header}


def _unread_for_header() -> int | None:
    if not current_user.is_authenticated:
        return None
    if "unread_notices" not in g:
        try:
            g.unread_notices = rules.unread_count(db.session(), current_user)
        except SQLAlchemyError:  # an error page after a failed transaction still gets its header
            g.unread_notices = None
    return g.unread_notices


@bp.route("/")
@access.route("signed_in")
def index():
    number, per_page = page_args()
    s = db.session()
    notices = rules.notices_for(s, current_user, limit=per_page, offset=(number - 1) * per_page)
    return render("notifications/index.html", notices=notices, text_of=rules.text_of, form=EmptyForm(),
                  page=Page(number, per_page, rules.notice_count(s, current_user)))


@bp.route("/read", methods=["POST"])
@access.route("signed_in")
def mark_read():
    if EmptyForm().validate_on_submit():
        rules.mark_all_read(db.session(), current_user)
        db.session().commit()
    return redirect(url_for("notifications.index"))


@bp.route("/badge")
@access.route("signed_in")
def badge():
    """The header's notice link with the unread count; the header polls it with htmx."""
    # Polling is not activity: ``security.NOT_ACTIVITY`` keeps the staff idle clock where it was.
    return render_template("notifications/_badge.html", count=rules.unread_count(db.session(), current_user))


@bp.after_request
def _badge_reloads_page_when_signed_out(response):
    """A poll that is answered with a redirect (the session ended, a password must be changed)
    reloads the whole page instead of swapping the sign-in page into the header."""
    if request.endpoint == BADGE and request.headers.get("HX-Request") and 300 <= response.status_code < 400:
        response = make_response("", 200)
        response.headers["HX-Refresh"] = "true"
    return response


@bp.route("/preferences", methods=["GET", "POST"])
@access.route("signed_in")
def preferences():
    s = db.session()
    form = EmptyForm()
    if form.validate_on_submit():
        chosen = {kind for value in request.form.getlist("email") for kind in value.split(",")}
        rules.set_preferences(s, current_user, chosen)
        s.commit()
        flash(_("Your notice settings have been saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render("notifications/preferences.html", preferences=rules.preferences_for(s, current_user), form=form)
