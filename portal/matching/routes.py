"""Staff invite a suggested helper to a need on the board, and helpers say "not interested" in a
recommended need. Thin: ``portal.matching.rules`` decides.

The suggestions themselves are shown on the need's staff page (``portal.needs.routes.detail``) and
"recommended for you" on the board (``portal.needs.board_routes``), both from the same rules.
"""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.errors import NotFound
from portal.matching import bp, rules
from portal.matching.forms import DismissForm, InviteForm
from portal.needs.rules import load_need
from portal.web import commit_or_flash


@bp.route("/needs/<int:need_id>/invite/<helper_key>", methods=["POST"])
@access.route("needs.list")
def invite(need_id: int, helper_key: str):
    session = db.session()
    need = load_need(session, current_user, need_id)  # outside the staff member's region: 404
    access.require(current_user, "needs.publish", need)  # staff who do not publish: 403
    if InviteForm().validate_on_submit():
        commit_or_flash(lambda: rules.invite(session, current_user, need, helper_key),
                        _("Invitation sent: the helper has been told."), reraise=(NotFound,))
    return redirect(url_for("needs.detail", need_id=need_id) + "#suggested")


@bp.route("/board/<int:need_id>/not-interested", methods=["POST"])
@access.route("helpers.self")
def dismiss(need_id: int):
    """A helper hides a recommended need: "not interested"."""
    if DismissForm().validate_on_submit():
        commit_or_flash(lambda: rules.dismiss(db.session(), current_user, need_id),
                        _("We will not recommend this need to you again."))
    return redirect(url_for("needs.board_page") + "#for-you")
