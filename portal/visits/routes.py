"""Recording visits, the QR check-in, and the overdue list."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.children import rules as child_rules
from portal.children.grading import LEVEL_LABELS
from portal.errors import DomainError
from portal.visits import bp, rules
from portal.visits.forms import MODE_LABELS, VisitForm
from portal.web import Page, page_args, render


@bp.route("/q/<token>")
@access.route("signed_in")
def check_in(token: str):
    """Where a child's QR card leads: after sign-in, the visit form for that child."""
    child = child_rules.child_for_qr(db.session(), current_user, token)
    return redirect(url_for("visits.create", child_id=child.id, via="qr"))


@bp.route("/children/<int:child_id>/visits/new", methods=["GET", "POST"])
@access.route("children.edit")
def create(child_id: int):
    session = db.session()
    child = child_rules.load_child(session, current_user, child_id, "children.edit")
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = date.today()
        form.via.data = request.args.get("via", "")
    if form.validate_on_submit():
        try:
            rules.record_visit(
                session, current_user, child, visited_on=form.visited_on.data, mode=form.mode.data,
                seen=form.seen.data or "", findings=form.findings.data or "", follow_up=form.follow_up.data or "",
                via_qr=form.via.data == "qr",
            )
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            session.commit()
            flash(_("Visit recorded. Next visit due by %(day)s.", day=child.next_visit_due.isoformat()), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    status = 400 if request.method == "POST" else 200
    return render("visits/form.html", form=form, child=child, modes=MODE_LABELS), status


@bp.route("/visits/overdue")
@access.route("children.list")
def overdue():
    number, per_page = page_args()
    filters = child_rules.ChildFilter(overdue=True, region_code=request.args.get("region", ""))
    children, total = child_rules.list_children(db.session(), current_user, filters, number, per_page)
    return render(
        "visits/overdue.html", block="results", children=children, page=Page(number, per_page, total),
        today=date.today(), days_overdue=rules.days_overdue, level_labels=LEVEL_LABELS,
    )
