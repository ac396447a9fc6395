"""Staff pages of needs: reporting from a child's file, the queue, a need's page and its actions.
Thin: ``portal.needs.rules`` and ``portal.needs.claims`` decide."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.audit.rules import record_reads
from portal.children.models import Child
from portal.children.rules import list_children, read_file
from portal.errors import DomainError, NotAllowed, NotFound
from portal.matching import rules as matching
from portal.matching.forms import InviteForm
from portal.matching.labels import HELPER_KIND_LABELS
from portal.needs import bp, claims, rules
from portal.needs.forms import NeedForm, NoteForm, PublishForm, ReasonForm
from portal.needs.labels import LABELS
from portal.needs.models import Delivery, DeliveryPhoto, Need, NeedStatus
from portal.needs.pii import highlight
from portal.visits.photos import send_private, thumbnail_of
from portal.web import Page, commit_or_flash, page_args, render, show_error


def _fen(yuan: Decimal | None) -> int:
    return int((yuan or Decimal(0)) * 100)


@bp.route("/needs/new", methods=["GET", "POST"])
@access.route("needs.report")
def report():
    session = db.session()
    child = read_file(session, current_user, int(request.args.get("child", 0) or 0), rule="children.edit") \
        if request.args.get("child") else None
    form = NeedForm()
    # An activity lists the children of the village to choose from (the reporter's own region).
    region = child.region_code if child else current_user.region_code
    village_children, _total = list_children(session, current_user, _village_filter(region), 1, 200)
    form.children.choices = [(c.id, c.name) for c in village_children]
    if form.validate_on_submit():
        values = rules.NeedValues(
            category=form.category.data, kind=form.kind.data, description=form.description.data or "",
            # A field of another kind (hidden by the form, perhaps typed before the kind changed) is ignored.
            urgency=int(form.urgency.data), slots=form.slots.data or 1,
            target_fen=_fen(form.target_yuan.data) if form.kind.data == "money" else 0,
            pairing_months=(form.pairing_months.data or 0) if form.kind.data == "pairing" else 0,
            deadline=form.deadline.data,
            child_ids=form.children.data or [],
        )
        try:
            need = rules.report_need(session, current_user, child, values, region_code=region)
        except NotAllowed:
            raise
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            session.commit()
            places = rules.place_names(session, [need])
            flash(_("Need no. %(need)s reported. It waits at %(village)s; if nobody acts it rises to %(town)s.",
                    need=need.id, village=places.get(need.region_code, need.region_code),
                    town=places.get(need.town_code, need.town_code)), "success")
            return redirect(url_for("needs.detail", need_id=need.id))
    status = 400 if request.method == "POST" else 200
    return render("needs/form.html", form=form, child=child, **LABELS), status


def _village_filter(region_code):
    from portal.children.rules import ChildFilter

    return ChildFilter(region_code=region_code) if region_code else ChildFilter()


@bp.route("/needs/")
@access.route("needs.list")
def index():
    session = db.session()
    number, per_page = page_args()
    filters = rules.StaffFilter(status=request.args.get("status", ""), category=request.args.get("category", ""),
                                overdue=request.args.get("overdue") == "1",
                                to_verify=request.args.get("to_verify") == "1")
    needs, total = rules.list_for_staff(session, current_user, filters, number, per_page)
    queue = rules.queue_for(session, current_user) if number == 1 else []
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("needs/list.html", block="results", needs=needs, queue=queue, filters=filters,
                  page=Page(number, per_page, total), params=params,
                  places=rules.place_names(session, [*needs, *queue]),
                  child_names=rules.child_names(session, current_user, [*needs, *queue]), **LABELS)


@bp.route("/needs/<int:need_id>")
@access.route("needs.list")
def detail(need_id: int, publish_form: PublishForm | None = None, hits=None):
    session = db.session()
    need = rules.load_need(session, current_user, need_id)
    # The page shows the internal description and the children: a read of their files, written
    # before anything is shown (in the request's transaction when it writes: commit it then).
    children = rules.children_of(session, need)
    record_reads(current_user, "child", [(c.id, c.region_code) for c in children])
    deliveries = claims.deliveries_of(session, need.id)
    may_cancel = need.status in (*rules.OPEN_STATUSES, NeedStatus.published) and not need.slots_taken and access.allowed(
        current_user, "needs.publish" if need.status == NeedStatus.published else "needs.act", need)
    return render(
        "needs/detail.html", need=need, children=children, may_cancel=may_cancel,
        history=rules.history(session, need.id), claims=claims.claims_on(session, need.id),
        deliveries=deliveries, photos=claims.photos_of(session, [d.id for d in deliveries]),
        hours=claims.hours_of(session, [d.id for d in deliveries]),
        places=rules.place_names(session, [need]), due=rules.due_at(session, need),
        may_act=access.allowed(current_user, "needs.act", need),
        may_publish=access.allowed(current_user, "needs.publish", need) and need.status in rules.OPEN_STATUSES,
        may_verify=access.allowed(current_user, "needs.verify", need),
        publish_form=publish_form or PublishForm(summary=need.public_summary), note_form=NoteForm(),
        reason_form=ReasonForm(), highlighted=highlight(publish_form.summary.data, hits) if hits else None,
        may_invite=matching.may_invite(current_user, need), suggested=matching.staff_section(session, current_user, need),
        invite_form=InviteForm(), helper_kind_labels=HELPER_KIND_LABELS, **LABELS,
    )


def _act(need_id: int, action, done) -> object:
    """Run ``action`` on the need and say what happened: ``done(need, places)`` once it committed
    (the need as it is now, the names of its village, town and county)."""
    session = db.session()
    need = rules.load_need(session, current_user, need_id)
    form = NoteForm()
    # A reason missing, or the need moved meanwhile: said on its page.
    if form.validate_on_submit() and commit_or_flash(lambda: action(session, need, form.note.data or ""),
                                                     reraise=(NotFound,)):
        flash(done(need, rules.place_names(session, [need])), "success")
    return redirect(url_for("needs.detail", need_id=need_id))


def _where(need, places) -> str:
    """The name of the level ``need`` now waits at."""
    code = need.county_code if need.status == NeedStatus.at_county else need.town_code
    return places.get(code, code)


@bp.route("/needs/<int:need_id>/escalate", methods=["POST"])
@access.route("needs.list")
def escalate(need_id: int):
    return _act(need_id, lambda s, need, note: rules.escalate(s, current_user, need, note),
                lambda need, places: _("Need no. %(need)s escalated to %(place)s.", need=need.id,
                                       place=_where(need, places)))


@bp.route("/needs/<int:need_id>/resolve", methods=["POST"])
@access.route("needs.list")
def resolve(need_id: int):
    return _act(need_id, lambda s, need, note: rules.resolve(s, current_user, need, note),
                lambda need, places: _("Need no. %(need)s resolved and closed; whoever reported it has been told.",
                                       need=need.id))


@bp.route("/needs/<int:need_id>/reject", methods=["POST"])
@access.route("needs.list")
def reject(need_id: int):
    return _act(need_id, lambda s, need, note: rules.reject(s, current_user, need, note),
                lambda need, places: _("Need no. %(need)s rejected; whoever reported it has been told why.",
                                       need=need.id))


@bp.route("/needs/<int:need_id>/cancel", methods=["POST"])
@access.route("needs.list")
def cancel(need_id: int):
    return _act(need_id, lambda s, need, note: rules.cancel(s, current_user, need, note),
                lambda need, places: _("Need no. %(need)s cancelled.", need=need.id))


@bp.route("/needs/<int:need_id>/publish", methods=["POST"])
@access.route("needs.list")
def publish(need_id: int):
    session = db.session()
    need = rules.load_need(session, current_user, need_id)
    access.require(current_user, "needs.publish", need)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            rules.publish(session, current_user, need, form.summary.data)
        except rules.SummaryRevealsIdentity as refused:
            session.rollback()
            show_error(form, refused)
            return _shown_again(detail(need_id, publish_form=form, hits=refused.hits))
        except NotAllowed:
            raise
        except DomainError as error:
            session.rollback()
            show_error(form, error)
            return _shown_again(detail(need_id, publish_form=form))
        session.commit()
        flash(_("Need no. %(need)s published: it is on the public board for %(county)s.", need=need.id,
                county=rules.place_names(session, [need]).get(need.county_code, need.county_code)), "success")
        return redirect(url_for("needs.detail", need_id=need_id))
    return _shown_again(detail(need_id, publish_form=form))


def _shown_again(page):
    """The need page shown again after a refused publish: its reads of the children's files were
    audited in this request's transaction, which must commit although nothing else changed."""
    db.session().commit()
    return page, 400


def _after_decision(row, need):
    """Back to the page the button was on: the claim page (``back=claim``) or the need's."""
    if request.form.get("back") == "claim":
        return redirect(url_for("needs.claim_detail", claim_id=row.id))
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.route("/deliveries/<int:delivery_id>/verify", methods=["POST"])
@access.route("needs.verify")
def verify_delivery(delivery_id: int):
    session = db.session()
    _delivery, row, need = claims.load_delivery(session, current_user, delivery_id)
    if ReasonForm().validate_on_submit():
        commit_or_flash(lambda: claims.verify_delivery(session, current_user, delivery_id),
                        _("Delivery for need no. %(need)s verified; the volunteers' hours are approved.", need=need.id))
    return _after_decision(row, need)


@bp.route("/deliveries/<int:delivery_id>/dispute", methods=["POST"])
@access.route("needs.verify")
def dispute_delivery(delivery_id: int):
    session = db.session()
    _delivery, row, need = claims.load_delivery(session, current_user, delivery_id)
    form = ReasonForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: claims.dispute_delivery(session, current_user, delivery_id, form.reason.data),
                        _("Delivery for need no. %(need)s disputed; the claimer has been told.", need=need.id))
    return _after_decision(row, need)


def _delivery_photo(photo_id: int) -> DeliveryPhoto:
    """A delivery photo or receipt, for the claimer, fellow members of their organization and staff
    over the need (checked by the claim); 404 for anyone else."""
    session = db.session()
    photo = session.get(DeliveryPhoto, photo_id)
    if photo is None:
        raise NotFound(_("This photo does not exist or is outside your region."))
    claims.load_claim(session, current_user, session.get(Delivery, photo.delivery_id).claim_id)
    return photo


@bp.route("/deliveries/photos/<int:photo_id>")
@access.route("signed_in")
def delivery_photo(photo_id: int):
    return send_private(current_app.config["UPLOAD_FOLDER"], _delivery_photo(photo_id).path)


@bp.route("/deliveries/photos/<int:photo_id>/thumbnail")
@access.route("signed_in")
def delivery_thumbnail(photo_id: int):
    """The photo's thumbnail, for exactly those who may see the photo."""
    folder = current_app.config["UPLOAD_FOLDER"]
    return send_private(folder, thumbnail_of(folder, _delivery_photo(photo_id).path))


@bp.route("/needs/policy", methods=["GET", "POST"])
@access.route("visits.policy")
def policy():
    """How long a need waits at each level of a county before it rises by itself (county staff)."""
    session = db.session()
    county = request.values.get("county") or rules.county_of(current_user.region_code)
    access.require(current_user, "visits.policy", county)
    days, status = rules.policy_days(session, county), 200
    if request.method == "POST":
        try:
            submitted = {level: int(request.form.get(f"{level}_days", "0") or 0) for level in rules.DEFAULT_DAYS}
        except ValueError:
            submitted = {level: 0 for level in rules.DEFAULT_DAYS}
        try:
            rules.set_policy(session, current_user, county, submitted)
        except NotAllowed:
            raise
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
            days, status = submitted, 400
        else:
            session.commit()
            flash(_("Waiting times saved."), "success")
            return redirect(url_for("needs.policy", county=county))
    return render("needs/policy.html", county=county, days=days), status


def child_of(need: Need, session) -> Child | None:
    return session.get(Child, need.child_id) if need.child_id else None


from portal.needs import board_routes, overview_routes, share_routes  # noqa: E402,F401  (board, claims, overview, sharing)
