"""Pages of donations: the public transparency pages of a fund and of a money need, a donor's own
gifts, and the staff list of gifts in their region. Thin: ``portal.donations.rules`` decides."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import access, db
from portal.donations import bp, checks, rules  # noqa: F401  (checks register with ledger-check)
from portal.donations.models import Channel, DonationStatus
from portal.errors import NotFound
from portal.ledger import rules as ledger
from portal.ledger.routes import CHECK_LABELS
from portal.needs.models import Need, NeedKind, NeedStatus
from portal.web import render

CHECK_LABELS.update({
    "paid_donations_posted_once": _l("Every paid donation is booked exactly once"),
    "donations_match_ledger": _l("Donations, refunds, receipts and raised amounts match the ledger"),
})
STATUS_LABELS = {
    DonationStatus.pending: _l("Pending"), DonationStatus.awaiting_confirmation: _l("Waiting for a second person"),
    DonationStatus.paid: _l("Paid"), DonationStatus.failed: _l("Failed"), DonationStatus.refunded: _l("Refunded"),
    DonationStatus.partially_refunded: _l("Partly refunded"), DonationStatus.disputed: _l("Disputed"),
}
CHANNEL_LABELS = {Channel.online: _l("Online"), Channel.bank: _l("Bank transfer"), Channel.cash: _l("Cash")}
# A money need is public once published; its page stays for the record afterwards.
PUBLIC_NEED_STATUSES = (NeedStatus.published, NeedStatus.claimed, NeedStatus.delivered, NeedStatus.verified)


@bp.route("/funds/<code>")
@access.route(access.PUBLIC)
def fund_page(code: str):
    session = db.session()
    fund = rules.fund_of_code(session, code)
    gifts, givers = rules.public_gifts(session, fund_id=fund.id)
    return render("donations/transparency.html", fund=fund, need=None, figures=ledger.fund_figures(session, fund),
                  gifts=gifts, givers=givers)


@bp.route("/needs/<int:need_id>/money")
@access.route(access.PUBLIC)
def need_page(need_id: int):
    session = db.session()
    need = session.get(Need, need_id)
    if need is None or need.kind != NeedKind.money or need.status not in PUBLIC_NEED_STATUSES:
        raise NotFound(_l("This need is not on the board."))
    fund = ledger.fund_for_need(session, need)
    gifts, givers = rules.public_gifts(session, need_id=need.id)
    return render("donations/transparency.html", fund=fund, need=need, figures=ledger.fund_figures(session, fund),
                  gifts=gifts, givers=givers)


@bp.route("/donations/mine")
@access.route("donations.mine")
def my_gifts():
    gifts = rules.gifts_of(db.session(), current_user)
    return render("donations/mine.html", gifts=gifts, status_labels=STATUS_LABELS)


@bp.route("/donations")
@access.route("donations.manage")
def staff_list():
    status = request.args.get("status") if request.args.get("status") in DonationStatus.__members__ else None
    channel = request.args.get("channel") if request.args.get("channel") in Channel.__members__ else None
    gifts = rules.gifts_in_region(db.session(), current_user, status=status, channel=channel)
    return render("donations/list.html", gifts=gifts, status=status, channel=channel, status_labels=STATUS_LABELS,
                  channel_labels=CHANNEL_LABELS)
