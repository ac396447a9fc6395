"""A need's short link (``/n/<code>``), its share card and its QR poster. Thin: the rules in
``portal.needs.share`` decide; only the public form of a need is shown or drawn."""

from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.categories import NEED_CATEGORY_LABELS
from portal.errors import NotFound
from portal.needs import bp, share
from portal.needs.labels import LABELS
from portal.web import public_url, render


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _short_url(need_id: int) -> str:
    return public_url("needs.short_link", code=share.code_for(_secret(), need_id))


def _texts(need) -> dict[str, str]:
    return {"title": _("Children's needs · civil affairs"), "category": str(NEED_CATEGORY_LABELS[need.category]),
            "scan": _("Scan to read the need and take it on"),
            "age": _("age %(band)s", band=need.age_band) if need.age_band else ""}


def _shared(code: str):
    try:
        return share.shared_need(db.session(), _secret(), code)
    except NotFound:
        abort(404)


@bp.route("/n/<code>")
@access.route(access.PUBLIC)
def short_link(code: str):
    """The page a shared link opens: the need while it is open, its outcome once closed."""
    session = db.session()
    need = _shared(code)
    outcome = share.outcome_of(session, need)
    may_poster = current_user.is_authenticated and access.allowed(current_user, "needs.poster",
                                                                  share.poster_target(session, need.id))
    return render("needs/shared.html", need=need, outcome=outcome, code=code, link=_short_url(need.id),
                  card=public_url("needs.share_card", code=code), may_poster=may_poster, **LABELS)


@bp.route("/n/<code>/card.png")
@access.route(access.PUBLIC)
def share_card(code: str):
    need = _shared(code)
    png = share.card_png(need, current_app.config["SHARE_FONT"], _texts(need))
    return Response(png, mimetype="image/png", headers={"Cache-Control": "public, max-age=3600"})


@bp.route("/n/<code>/poster.png")
@access.route("needs.poster")
def share_poster(code: str):
    """The QR poster, A5 (to print) or phone size (to post in a chat): staff over the need's
    village and the helpers who claimed it."""
    session = db.session()
    need = _shared(code)
    share.require_poster(session, current_user, need.id)
    size = request.args.get("size", "a5")
    if size not in share.SIZES:
        abort(400)
    png, version = share.kept_poster(current_app.config["POSTER_FOLDER"], need, _short_url(need.id), size,
                                     current_app.config["SHARE_FONT"], _texts(need))
    filename = f"need-{need.id}-{size}.png"
    # Kept by the browser but asked for again each time (the need may change): the ETag answers
    # 304 while it has not. Access is checked above, before any answer.
    response = Response(png, mimetype="image/png", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-cache"})
    response.set_etag(version)
    return response.make_conditional(request)


@bp.app_template_global("share_path")
def share_path(need_id: int) -> str:
    """The short link's path of a need, for the pages that offer to share it."""
    from flask import url_for

    return url_for("needs.short_link", code=share.code_for(_secret(), need_id))
