"""The public board, a need's public page, claiming, and the claimer's own pages. Nothing here
shows a child: only ``portal.needs.board``'s public form of a need."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from sqlalchemy import select

from portal import access, db
from portal.categories import NEED_CATEGORY_LABELS
from portal.errors import DomainError, NotAllowed, NotFound
from portal.helpers import vetting
from portal.matching import rules as matching
from portal.needs import board, board_cache, bp, claims
from portal.needs.forms import BoardFilterForm, DeliveryForm, MessageForm, ReasonForm
from portal.needs.labels import KIND_LABELS, LABELS, URGENCY_LABELS
from portal.needs.models import Claim, ClaimStatus, Need
from portal.visits.photos import MAX_PHOTOS, PhotoRefused, Upload, clean_photos, photo_store
from portal.web import Page, commit_or_flash, page_args, render, show_error, wants_fragment

DELIVERY_FOLDER = "delivery-photos"


def _board_filters() -> tuple[BoardFilterForm, board.BoardFilter]:
    form = BoardFilterForm(request.args)
    everything = [("", _("All"))]
    form.category.choices = everything + [(k.value, str(v)) for k, v in NEED_CATEGORY_LABELS.items()]
    form.kind.choices = everything + [(k.value, str(v)) for k, v in KIND_LABELS.items()]
    session = db.session()
    form.county.choices = everything + board_cache.kept(
        session, ("counties",), lambda: board.counties_with_needs(session))
    # A town is chosen inside a county (the county of a ?town= link when none is chosen).
    county = form.county.data or (form.town.data[:6] + "000000" if form.town.data else "")
    form.town.choices = everything + board_cache.kept(
        session, ("towns", county), lambda: board.towns_with_needs(session, county))
    form.urgency.choices = everything + [("2", _("Medium or high")), ("3", str(URGENCY_LABELS[3]))]
    form.validate()
    town = form.town.data or ""
    if form.county.data and not town.startswith(form.county.data[:6]):
        town = ""  # a town left chosen from another county
    filters = board.BoardFilter(category=form.category.data or "", kind=form.kind.data or "",
                                county=form.county.data or "", town=town,
                                urgency=int(form.urgency.data or 0) if (form.urgency.data or "").isdigit() else 0,
                                before=form.before.data if not form.before.errors else None)
    return form, filters


@bp.route("/board")
@access.route(access.PUBLIC)
def board_page():
    if current_user.is_authenticated:
        # Their own recommendations are theirs; the filters and results are everyone's but for the
        # vetting notes: rendered once per filter, language and vetting (the selects are long).
        context = _board_context(listed=False)
        args = (str(get_locale()), wants_fragment(), tuple(sorted(request.args.items(multi=True))))
        session = db.session()
        context["results_html"] = Markup(board_cache.kept(
            session, ("results", context["vetted"], context["vetting_url"], *args),
            lambda: str(render_block("needs/board.html", "results", **_listed(context)))))
        if not wants_fragment():
            context["filters_html"] = Markup(board_cache.kept(
                session, ("filters", *args), lambda: str(render_block("needs/board.html", "filters", **context))))
        return render("needs/board.html", block="results", **context)
    # Anonymous readers all see the same board for the same filter: its content (filters and
    # results) is rendered once per board version and language. The page around it is rendered for
    # each reader: it carries their own form token.
    key = (str(get_locale()), wants_fragment(), tuple(sorted(request.args.items(multi=True))))
    current = board_cache.version(db.session())
    found = board_cache.cache().get(key, current)
    if found is None:
        context = _board_context()
        block = "results" if wants_fragment() else "content"
        found = str(render_block("needs/board.html", block, **context))
        board_cache.cache().put(key, current, found)
    if wants_fragment():
        return found
    return render("needs/board_kept.html", content_html=Markup(found))


def _board_context(listed: bool = True) -> dict:
    """What the board page shows; with ``listed`` false, without the needs of the results (asked for
    by ``_listed`` only when they are not kept)."""
    form, filters = _board_filters()
    number, per_page = page_args()
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    # "Recommended for you": helpers only, above the first page (not in the list's htmx swaps).
    for_you = matching.board_section(db.session(), current_user) if number == 1 and not wants_fragment() else []
    context = dict(form=form, filters=filters, params=params, count_limit=board.COUNT_LIMIT, for_you=for_you,
                   swap_town=wants_fragment(), page=Page(number, min(per_page, 50), 0), needs=[],
                   **_vetting(), **LABELS)
    return _listed(context) if listed else context


def _listed(context: dict) -> dict:
    page = context["page"]
    needs, total = board.board(db.session(), context["filters"], page.number, page.per_page)
    return {**context, "needs": needs, "page": Page(page.number, page.per_page, total)}


def _vetting() -> dict:
    """Whether the reader may take needs that put an adult alone with a child, and where to go
    to get there (a volunteer's certificates, an organization member's organization)."""
    if getattr(current_user, "role", None) == "org_member":
        url = url_for("helpers.my_organization")
    else:
        url = url_for("helpers.certificates") + "#record-check"
    return {"vetted": vetting.is_vetted(db.session(), current_user), "vetting_url": url}


@bp.route("/board/<int:need_id>")
@access.route(access.PUBLIC)
def public_detail(need_id: int):
    session = db.session()
    need = board.public_need(session, need_id)
    if need is None:
        abort(404)
    problem = None
    own = None
    if current_user.is_authenticated:
        matching.record_view_after_request(current_user, need)  # a helper's view, once a day, for the recommender
        own = session.scalar(select(Claim).where(Claim.need_id == need_id, Claim.helper_id == current_user.id))
        if own is None and access.allowed(current_user, "needs.claim"):
            problem = claims.claim_problem(session, current_user, session.get(Need, need_id))
    return render("needs/public.html", need=need, problem=problem, own=own, form=ReasonForm(), **_vetting(), **LABELS)


@bp.route("/board/<int:need_id>/claim", methods=["POST"])
@access.route("needs.claim")
def claim(need_id: int):
    session = db.session()
    if not ReasonForm().validate_on_submit():
        abort(400)
    try:
        row = claims.claim(session, current_user, need_id)
    except DomainError as error:  # outside the area, the last slot just taken, …: said on the need's page
        session.rollback()
        flash(str(error.message), "error")
        return public_detail(need_id), error.status
    session.commit()
    flash(_("Thank you! You have claimed need no. %(need)s. The child director has been told and will contact you "
            "through the portal.", need=need_id), "success")
    return redirect(url_for("needs.claim_detail", claim_id=row.id))


# --- the claimer's pages -----------------------------------------------------------------------------


@bp.route("/claims/")
@access.route("needs.claim")
def my_claims():
    rows = claims.claims_of(db.session(), current_user)
    status = request.args.get("status", "")
    if status in ClaimStatus.__members__:  # the home page's "waiting for your delivery report"
        rows = [row for row in rows if row[0].status == status]
    return render("needs/my_claims.html", rows=rows, **LABELS)


@bp.route("/claims/<int:claim_id>")
@access.route("signed_in")
def claim_detail(claim_id: int, delivery_form: DeliveryForm | None = None):
    session = db.session()
    row, need = claims.load_claim(session, current_user, claim_id)
    public = board.public_need(session, need.id)
    deliveries = [d for d in claims.deliveries_of(session, need.id) if d.claim_id == row.id]
    return render("needs/claim.html", claim=row, need=public, deliveries=deliveries,
                  photos=claims.photos_of(session, [d.id for d in deliveries]),
                  hours=claims.hours_of(session, [d.id for d in deliveries]),
                  messages=claims.messages_of(session, row.id), mine=row.helper_id == current_user.id,
                  may_verify=access.allowed(current_user, "needs.verify", need),
                  delivery_form=delivery_form or DeliveryForm(), message_form=MessageForm(), reason_form=ReasonForm(),
                  max_photos=MAX_PHOTOS, **LABELS)


def _claim_action(claim_id: int, action, done: str):
    session = db.session()
    form = ReasonForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: action(session, form.reason.data or ""), done, reraise=(NotFound,))
    return redirect(url_for("needs.claim_detail", claim_id=claim_id))


@bp.route("/claims/<int:claim_id>/withdraw", methods=["POST"])
@access.route("needs.claim")
def withdraw(claim_id: int):
    return _claim_action(claim_id, lambda s, reason: claims.withdraw(s, current_user, claim_id, reason),
                         _("You have withdrawn; the need is back on the board."))


@bp.route("/claims/<int:claim_id>/report", methods=["POST"])
@access.route("needs.claim")
def pairing_report(claim_id: int):
    return _claim_action(claim_id, lambda s, text: claims.file_pairing_report(s, current_user, claim_id, text),
                         _("Report filed."))


@bp.route("/claims/<int:claim_id>/end", methods=["POST"])
@access.route("signed_in")
def end_pairing(claim_id: int):
    return _claim_action(claim_id, lambda s, text: claims.end_pairing(s, current_user, claim_id, text),
                         _("The pairing has ended. Thank you."))


@bp.route("/claims/<int:claim_id>/message", methods=["POST"])
@access.route("signed_in")
def message(claim_id: int):
    session = db.session()
    form = MessageForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: claims.send_message(session, current_user, claim_id, form.text.data))
    return redirect(url_for("needs.claim_detail", claim_id=claim_id) + "#messages")


@bp.route("/claims/<int:claim_id>/deliver", methods=["POST"])
@access.route("needs.claim")
def deliver(claim_id: int):
    session = db.session()
    form = DeliveryForm()
    if form.validate_on_submit():
        photos = [f for f in request.files.getlist("photos") if f and f.filename]
        receipts = [f for f in request.files.getlist("receipts") if f and f.filename]
        try:
            if len(photos) + len(receipts) > MAX_PHOTOS:
                raise PhotoRefused(_("Attach at most %(n)d photos and receipts in all.", n=MAX_PHOTOS))
            clean = clean_photos([Upload(f.filename, f.stream) for f in photos])
            clean_receipts = clean_photos([Upload(f.filename, f.stream) for f in receipts])
            minutes = int((form.hours.data or Decimal(0)) * 60)
            # Volunteers and organization members alike record the hours they served.
            lines = [claims.HoursLine(current_user.id, minutes)] if minutes else []
            with photo_store(current_app.config["UPLOAD_FOLDER"], DELIVERY_FOLDER) as store:
                claims.report_delivery(session, current_user, claim_id, form.report.data,
                                       [store.write(p) for p in clean], [store.write(p) for p in clean_receipts],
                                       lines, form.service_date.data)
                session.commit()
        except NotAllowed:
            raise
        except DomainError as error:
            session.rollback()
            if error.details.get("field") == "photos":
                error.details["field"] = "report"
            show_error(form, error)
            return claim_detail(claim_id, delivery_form=form), 400
        flash(_("Thank you. Your delivery for need no. %(need)s is reported; the child director will verify it.",
                need=session.get(Claim, claim_id).need_id), "success")
        return redirect(url_for("needs.claim_detail", claim_id=claim_id))
    return claim_detail(claim_id, delivery_form=form), 400
