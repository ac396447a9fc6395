from flask import current_app, g, jsonify, redirect, request, session
from flask_login import current_user

from portal import access, db, migrate
from portal.accounts import resets
from portal.accounts import rules as account_rules
from portal.accounts.roles import ROLE_LABELS
from portal.main import bp
from portal.main.rules import health, navigation_for
from portal.main.todo import todos_for
from portal.regions.models import Region
from portal.web import render, safe_next


class _Navigation:
    """The signed-in user's menu, worked out only when a template walks it (a fragment that swaps
    part of a page never does) and then once per request, on the user itself rather than through
    Flask-Login's proxy (it asks each of some thirty rules)."""

    def __iter__(self):
        if "navigation" not in g:
            g.navigation = navigation_for(current_user._get_current_object())
        return iter(g.navigation)


@bp.app_context_processor
def navigation_context():
    return {"navigation": _Navigation(), "role_labels": ROLE_LABELS}


@bp.route("/")
@access.route(access.PUBLIC)
def home():
    region = None
    unread = pending_resets = 0
    todos = []
    if current_user.is_authenticated:
        todos = todos_for(db.session(), current_user)
        from portal.notifications.rules import unread_count

        unread = unread_count(db.session(), current_user)
        if current_user.region_code:
            region = db.session().get(Region, current_user.region_code)
        if access.allowed(current_user, "accounts.confirm_reset"):
            pending_resets = len(resets.pending_confirmations(db.session(), current_user))
    return render("main/home.html", region=region, unread=unread, pending_resets=pending_resets, todos=todos)


@bp.route("/healthz")
@access.route(access.PUBLIC)
def healthz():
    report, ok = health(db.session(), migrate.schema_problem(db.engine()))
    return jsonify(report), 200 if ok else 503


@bp.route("/language", methods=["POST"])
@access.route(access.PUBLIC)
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            account_rules.set_locale(db.session(), current_user, lang)
            db.session().commit()
    return redirect(safe_next(request.form.get("next"), "/"))
