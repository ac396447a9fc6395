"""Pages of donations: the public transparency pages of a fund and of a money need, a donor's own
gifts, and the staff list of gifts in their region. Thin: ``portal.donations.rules`` decides."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import access, db
from portal.disbursements import reports
from portal.donations import bp, checks, give_routes, online, queries, receipts, refunds, rules  # noqa: F401  (checks register with ledger-check; give_routes attach their views)
from portal.donations.excess import excess_gifts
from portal.donations.forms import NoteForm, OfflineGiftForm, ReasonForm, RefundForm
from portal.donations.models import Channel, DonationStatus
from portal.errors import DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import FundKind
from portal.ledger.routes import CHECK_LABELS
from portal.needs.models import Need, NeedKind, NeedStatus
from portal.visits import photos
from portal.visits.photos import send_private
from portal.web import commit_or_flash, render, show_error, verification_page

RECEIPT_FOLDER = "receipts"

CHECK_LABELS.update({
    "paid_donations_posted_once": _l("Every paid donation is booked exactly once"),
    "donations_match_ledger": _l("Donations, refunds, receipts and raised amounts match the ledger"),
})
STATUS_LABELS = {
    DonationStatus.pending: _l("Pending"), DonationStatus.awaiting_confirmation: _l("Waiting for a second person"),
    DonationStatus.paid: _l("Paid"), DonationStatus.failed: _l("Failed"), DonationStatus.refunded: _l("Refunded"),
    DonationStatus.partially_refunded: _l("Partly refunded"), DonationStatus.disputed: _l("Disputed"),
}
# The kinds of ``DonationAnomaly`` (written by the webhooks), as staff read them.
ANOMALY_LABELS = {
    "amount_mismatch": _l("Amount does not match the gift"), "currency_mismatch": _l("Currency is not yuan"),
    "dispute": _l("Payment disputed by the donor's bank"), "unknown_gift": _l("Payment for no known gift"),
    "refund_mismatch": _l("Refund does not match the gift"),
    "refund_not_bookable": _l("Refund could not be booked (the fund is short)"),
    "given_back_twice": _l("Money given back twice (a refund and a lost dispute)"),
}
CHANNEL_LABELS = {Channel.online: _l("Online"), Channel.bank: _l("Bank transfer"), Channel.cash: _l("Cash")}
# A money need is public once published; its page stays for the record afterwards.
PUBLIC_NEED_STATUSES = (NeedStatus.published, NeedStatus.claimed, NeedStatus.delivered, NeedStatus.verified)


@bp.route("/funds/<code>")
@access.route(access.PUBLIC)
def fund_page(code: str):
    session = db.session()
    fund = queries.fund_of_code(session, code)
    gifts, givers = queries.public_gifts(session, fund_id=fund.id)
    # The general fund also received what need gifts gave above their target: listed apart.
    excess, excess_total = excess_gifts(session) if fund.kind == FundKind.general else (None, 0)
    return render("donations/transparency.html", block="live", fund=fund, need=None,
                  figures=ledger.fund_figures(session, fund), gifts=gifts, givers=givers, excess=excess,
                  excess_total=excess_total)


@bp.route("/needs/<int:need_id>/money")
@access.route(access.PUBLIC)
def need_page(need_id: int):
    session = db.session()
    need = session.get(Need, need_id)
    if need is None or need.kind != NeedKind.money or need.status not in PUBLIC_NEED_STATUSES:
        raise NotFound(_l("This need is not on the board."))
    fund = ledger.fund_for_need(session, need)
    gifts, givers = queries.public_gifts(session, need_id=need.id)
    lacking = max(0, need.target_fen - need.raised_fen) if rules.open_for_donations(need) else 0
    return render("donations/transparency.html", block="live", fund=fund, need=need,
                  figures=ledger.fund_figures(session, fund), gifts=gifts, givers=givers, lacking=lacking)


@bp.route("/donations/mine")
@access.route("donations.mine")
def my_gifts():
    session = db.session()
    gifts = queries.gifts_of(session, current_user)
    helped = reports.helped_for_donor(session, current_user, date.today().year)
    return render("donations/mine.html", gifts=gifts, status_labels=STATUS_LABELS, helped=helped,
                  monthly=online.monthly_gifts_of(session, current_user), cancel_form=FlaskForm())


@bp.route("/donations")
@access.route("donations.manage")
def staff_list():
    status = request.args.get("status") if request.args.get("status") in DonationStatus.__members__ else None
    channel = request.args.get("channel") if request.args.get("channel") in Channel.__members__ else None
    gifts = queries.gifts_in_region(db.session(), current_user, status=status, channel=channel)
    return render("donations/list.html", gifts=gifts, status=status, channel=channel, status_labels=STATUS_LABELS,
                  channel_labels=CHANNEL_LABELS)


@bp.route("/donations/anomalies")
@access.route("donations.manage")
def anomalies():
    """What Stripe reported that does not match the books (amounts, currencies, disputes, unknown gifts)."""
    return render("donations/anomalies.html", anomalies=queries.anomalies_in_region(db.session(), current_user),
                  anomaly_labels=ANOMALY_LABELS, form=NoteForm())


@bp.route("/donations/anomalies/<int:anomaly_id>/resolve", methods=["POST"])
@access.route("donations.manage")
def resolve_anomaly(anomaly_id: int):
    """Staff mark an anomaly resolved with a note of what they found (audited)."""
    form = NoteForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: rules.resolve_anomaly(db.session(), current_user, anomaly_id, form.note.data),
                        _("Marked resolved."), reraise=(NotFound,))
    else:
        flash(_("Say what was found and done."), "error")
    return redirect(url_for("donations.anomalies"))


# --- staff: recording, confirming, refunding ------------------------------------------------------


@bp.route("/donations/new", methods=["GET", "POST"])
@access.route("donations.record")
def record():
    session = db.session()
    need = None
    need_arg = request.args.get("need", "")
    if need_arg:
        need = session.get(Need, int(need_arg)) if need_arg.isascii() and need_arg.isdigit() else None
        if need is None or not access.allowed(current_user, "donations.record", need):
            raise NotFound(_l("This need does not exist or is outside your region."))
    form = OfflineGiftForm()
    if form.validate_on_submit():
        try:
            values = rules.OfflineGift(
                amount_fen=rules.parse_yuan(form.amount.data), channel=form.channel.data, payer=form.payer.data,
                paid_on=form.paid_on.data, reference=form.reference.data or "", need_id=need.id if need else None,
                fund_code=None if need else form.fund.data or "general", anonymous=bool(form.anonymous.data),
                message=form.message.data or "")
            scan = form.receipt_scan.data
            cleaned = photos.clean_photo(photos.Upload(scan.filename or "", scan.stream)) if scan else None
            with photos.photo_store(current_app.config["UPLOAD_FOLDER"], RECEIPT_FOLDER) as store:
                values.receipt_scan_path = store.write(cleaned) if cleaned else None
                donation = rules.record_offline_gift(session, current_user, values)
                session.commit()  # last in the block: if it fails, the scan written goes again
        except NotAllowed:
            raise
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            flash(_("Gift recorded and booked.") if donation.status == DonationStatus.paid
                  else _("Gift recorded. It is booked once a second staff member confirms it."), "success")
            return redirect(url_for("donations.detail", donation_id=donation.id))
    status = 400 if request.method == "POST" else 200
    split = None
    if need is not None and form.amount.data:
        try:
            split = rules.split_for(need, rules.parse_yuan(form.amount.data))
        except DomainError:
            split = None
    return render("donations/record.html", form=form, need=need, split=split), status


@bp.route("/donations/<int:donation_id>")
@access.route("donations.manage")
def detail(donation_id: int):
    session = db.session()
    donation = rules.load_donation(session, current_user, donation_id)
    receipt = rules.receipt_of(session, donation.id)
    waiting = refunds.waiting_refunds(session, [donation.id]).get(donation.id)
    return render("donations/detail.html", d=donation, receipt=receipt, waiting=waiting,
                  anomalies=queries.anomalies_of(session, donation.id), anomaly_labels=ANOMALY_LABELS,
                  refunds=refunds.refunds_of(session, donation.id), status_labels=STATUS_LABELS,
                  channel_labels=CHANNEL_LABELS, reason_form=ReasonForm(), refund_form=RefundForm(),
                  may_confirm=donation.status == DonationStatus.awaiting_confirmation
                  and donation.recorded_by_id != current_user.id,
                  may_confirm_refund=waiting is not None and waiting.requested_by_id != current_user.id)


@bp.route("/donations/<int:donation_id>/scan")
@access.route("donations.manage")
def scan(donation_id: int):
    donation = rules.load_donation(db.session(), current_user, donation_id)
    return send_private(current_app.config["UPLOAD_FOLDER"], donation.receipt_scan_path)


@bp.route("/donations/<int:donation_id>/confirm", methods=["POST"])
@access.route("donations.manage")
def confirm(donation_id: int):
    session = db.session()
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: rules.confirm_offline_gift(session, current_user, donation_id),
                        _("Confirmed: the gift is booked and its receipt numbered."), reraise=(NotFound,))
    return redirect(url_for("donations.detail", donation_id=donation_id))


@bp.route("/donations/<int:donation_id>/cancel", methods=["POST"])
@access.route("donations.manage")
def cancel(donation_id: int):
    session = db.session()
    form = ReasonForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: rules.cancel_offline_gift(session, current_user, donation_id, form.reason.data),
                        _("The gift is marked as not received."), reraise=(NotFound,))
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("donations.detail", donation_id=donation_id))


@bp.route("/donations/<int:donation_id>/refund", methods=["POST"])
@access.route("donations.manage")
def refund(donation_id: int):
    session = db.session()
    form = RefundForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: refunds.refund(session, current_user, donation_id, rules.parse_yuan(form.amount.data),
                                             form.reason.data), _("Refund recorded."), reraise=(NotFound,))
    else:
        flash(_("Give the amount and a reason."), "error")
    return redirect(url_for("donations.detail", donation_id=donation_id))


@bp.route("/donations/refunds/<int:refund_id>/confirm", methods=["POST"])
@access.route("donations.manage")
def confirm_refund(refund_id: int):
    session = db.session()
    donation_id = refunds.refund_donation_id(session, refund_id)
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: refunds.confirm_refund(session, current_user, refund_id),
                        _("Refund confirmed and booked."), reraise=(NotFound,))
    return redirect(url_for("donations.detail", donation_id=donation_id))


# --- receipts ------------------------------------------------------------------------------------


@bp.route("/donations/<int:donation_id>/receipt.pdf")
@access.route(access.PUBLIC)  # the donor, staff over the gift, or a guest's signed link: receipts.receipt_for
def receipt(donation_id: int):
    session = db.session()
    lang = "en" if str(get_locale()) == "en" else "zh"
    found, pdf = receipts.receipt_for(session, current_user, donation_id, current_app.config["SECRET_KEY"], lang,
                                      guest_token=request.args.get("token", ""))
    session.commit()  # the audit entry of the download
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="receipt-{found.code}.pdf"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/donations/receipts/verify")
@access.route(access.PUBLIC)
def verify_receipt():
    """Anyone holding a printed receipt checks it here: is it genuine, its number and amount, and
    whether a refund was made since it was printed (never the donor)."""
    code = request.args.get("code", "").strip()
    found = receipts.verify_receipt(db.session(), code, current_app.config["SECRET_KEY"]) if code else None
    return verification_page("donations/receipt_verify.html", code, receipt=found)
