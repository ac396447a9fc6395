"""Giving online: the give form, the Checkout Session it opens, the success and cancel pages. Thin:
``online`` decides, ``stripe_gateway`` talks to Stripe."""

from __future__ import annotations

import stripe
from flask import flash, jsonify, make_response, redirect, request, url_for
from flask import session as browser
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from portal import access, db
from portal.donations import bp, online, receipts, rules, stripe_gateway, webhooks
from portal.donations.forms import FUND_CHOICES, GiveForm
from portal.donations.models import Donation, DonationStatus
from portal.errors import DomainError, NotFound
from portal.extensions import csrf, limiter
from portal.needs.models import Need
from portal.security import allow_form_action
from portal.web import commit_or_flash, public_url, render, show_error

# The gifts this browser opened a checkout for: only they show a receipt link on the thanks page.
BROWSER_GIFTS = "online_gifts"


def _target():
    """The need (``?need=``) or fund (``?fund=``) a gift is for; refuses anything else as not found."""
    need_arg, fund = request.args.get("need", ""), request.args.get("fund", "") or None
    if need_arg:
        need = db.session().get(Need, int(need_arg)) if need_arg.isascii() and need_arg.isdigit() else None
        if need is None or not rules.open_for_donations(need):
            raise NotFound(_l("This need is not open for donations."))
        return need, None
    fund = fund or "general"
    if fund not in online.MONTHLY_FUNDS:
        raise NotFound(_l("There is no fund of that name."))
    return None, fund


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


@bp.route("/donate", methods=["GET", "POST"])
@access.route(access.PUBLIC)
@limiter.limit("20 per hour", methods=["POST"])  # each POST opens a Checkout Session: no flooding Stripe
def give():
    need, fund = _target()
    session = db.session()
    form = GiveForm()
    # ``?monthly=1``: the page of a monthly gift to a fund (its own suggested amounts, the box ticked),
    # for the signed-in, who alone may give monthly; a guest sees the single-gift amounts.
    monthly_page = need is None and request.args.get("monthly") == "1" and current_user.is_authenticated
    if request.method == "GET" and online.prefers_anonymity(session, current_user):
        form.anonymous.data = True  # as their profile promises; the rule holds to it either way
    if request.method == "GET" and monthly_page:
        form.monthly.data = True
    amounts = online.suggested_fen(need, fund, monthly=monthly_page)
    form.suggested.choices = [(str(a), f"{a // 100:,}") for a in amounts]
    fund_name = dict(FUND_CHOICES).get(fund) if fund else None
    if not stripe_gateway.available():
        return render("donations/give.html", form=form, need=need, fund=fund, fund_name=fund_name,
                      monthly_page=monthly_page, unavailable=True), 503 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            typed = (form.amount.data or "").strip()
            if typed:
                amount = rules.parse_yuan(typed)
            elif (form.suggested.data or "").isdigit() and int(form.suggested.data) in amounts:
                amount = int(form.suggested.data)
            else:
                raise DomainError(_l("Choose or enter an amount."), field="amount")
            donation = online.start_online_gift(session, current_user, online.OnlineGift(
                amount_fen=amount, need_id=need.id if need else None, fund_code=fund, name=form.name.data or "",
                email=form.email.data or "", anonymous=bool(form.anonymous.data), message=form.message.data or "",
                monthly=bool(form.monthly.data)))
            session.commit()  # the gift exists before Stripe is asked: its id keys the session
        except DomainError as error:
            session.rollback()
            show_error(form, error)
        else:
            return _open_checkout(donation, monthly=bool(form.monthly.data))
    status = 400 if request.method == "POST" else 200
    page = make_response(render("donations/give.html", form=form, need=need, fund=fund, fund_name=fund_name,
                                monthly_page=monthly_page, unavailable=False), status)
    return allow_form_action(page, stripe_gateway.checkout_origin())  # the POST's answer redirects there


def _open_checkout(donation: Donation, monthly: bool):
    session = db.session()
    try:
        checkout = stripe_gateway.create_checkout_session(
            donation_id=donation.id, amount_fen=donation.amount_fen, name=online.product_name(session, donation, _lang()),
            email=donation.email, locale=_lang(), monthly=monthly,
            success_url=public_url("donations.thanks") + "?session={CHECKOUT_SESSION_ID}",
            cancel_url=public_url("donations.cancelled", donation=donation.id))
    except stripe_gateway.GatewayError:
        online.checkout_not_opened(session, donation.id)
        session.commit()
        flash(_("The payment service could not be reached. Nothing was charged; please try again later."), "error")
        return redirect(request.full_path)
    online.attach_checkout(session, donation.id, checkout.id)
    session.commit()
    browser[BROWSER_GIFTS] = ([*browser.get(BROWSER_GIFTS, []), donation.id])[-20:]
    return redirect(checkout.url, code=303)


@bp.route("/donate/thanks")
@access.route(access.PUBLIC)
def thanks():
    """Where Stripe sends the donor after paying: "received, confirming" until the webhook lands."""
    session = db.session()
    found = online.by_checkout_session(session, request.args.get("session", "")[:255])
    if found is None or found.id not in browser.get(BROWSER_GIFTS, []):
        raise NotFound(_l("This gift does not exist or is outside your region."))
    link = None
    if found.status != DonationStatus.pending and rules.receipt_of(session, found.id) is not None:
        from flask import current_app

        token = receipts.guest_link_token(current_app.config["SECRET_KEY"], found.id) if found.donor_id is None else None
        link = url_for("donations.receipt", donation_id=found.id, token=token)
    return render("donations/thanks.html", d=found, receipt_link=link)


@bp.route("/donate/cancelled")
@access.route(access.PUBLIC)
def cancelled():
    return render("donations/cancelled.html")


@bp.route("/stripe/webhook", methods=["POST"])
@access.route(access.PUBLIC)  # Stripe itself: the signature, checked first, is the authentication
@csrf.exempt
def stripe_webhook():
    """Stripe's events: 400 for a bad or stale signature (nothing stored), 200 once applied or seen."""
    if not stripe_gateway.available():
        return jsonify(error="online giving is not configured"), 404
    try:
        event = stripe_gateway.verified_event(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError):
        return jsonify(error="invalid signature"), 400
    session = db.session()
    try:
        outcome = webhooks.apply_event(session, event)
        session.commit()
    except IntegrityError:
        session.rollback()  # the same event applied by a delivery racing this one
        if not webhooks.already_applied(session, event["id"]):
            raise
        outcome = "duplicate"
    return jsonify(outcome=outcome), 200


@bp.route("/donations/monthly/<int:donation_id>/cancel", methods=["POST"])
@access.route("donations.mine")
def cancel_monthly(donation_id: int):
    session = db.session()
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: online.cancel_monthly(session, current_user, donation_id),
                        _("Your monthly gift is cancelled: no further month will be charged."), reraise=(NotFound,))
    return redirect(url_for("donations.my_gifts"))
