"""What the portal can rely on from localstripe, driven through the official stripe library and the
stand-in (one api_base), as the portal will drive it."""

from __future__ import annotations

import pytest
import stripe

from .localstripe_process import LocalStripe, LocalStripeError


def _paid_intent(client: stripe.StripeClient, amount: int, **params) -> stripe.PaymentIntent:
    intent = client.v1.payment_intents.create(
        params={"amount": amount, "currency": "cny", "payment_method_types": ["card"], **params})
    client.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    return client.v1.payment_intents.confirm(intent.id)


def test_customer_is_created_and_read_back(stripe_client):
    customer = stripe_client.v1.customers.create(
        params={"name": "爱心人士", "email": "donor@example.org", "metadata": {"helper": "12"}})

    again = stripe_client.v1.customers.retrieve(customer.id)

    assert customer.id.startswith("cus_")
    assert (again.name, again.email, again.metadata.to_dict()) == (
        "爱心人士", "donor@example.org", {"helper": "12"})


def test_payment_intent_in_fen_of_cny_paid_with_a_test_card_succeeds(stripe_client):
    intent = stripe_client.v1.payment_intents.create(
        params={"amount": 12345, "currency": "cny", "metadata": {"donation": "7"}})
    assert intent.status == "requires_payment_method"

    stripe_client.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(intent.id)
    paid = stripe_client.v1.payment_intents.retrieve(intent.id)

    assert paid.status == "succeeded"
    assert (paid.amount, paid.currency, paid.metadata["donation"]) == (12345, "cny", "7")
    charge = stripe_client.v1.charges.retrieve(paid.latest_charge)
    assert (charge.amount, charge.currency, charge.paid, charge.payment_intent) == (
        12345, "cny", True, intent.id)


def test_declined_test_card_leaves_the_intent_unpaid(stripe_client):
    intent = stripe_client.v1.payment_intents.create(
        params={"amount": 5000, "currency": "cny", "payment_method": "pm_card_chargeCustomerFail"})

    with pytest.raises(stripe.CardError) as refused:
        stripe_client.v1.payment_intents.confirm(intent.id)

    assert refused.value.code == "card_declined"
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"


def test_full_refund_marks_the_charge_refunded(stripe_client):
    intent = _paid_intent(stripe_client, 8000)

    refund = stripe_client.v1.refunds.create(params={"payment_intent": intent.id})

    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert (refund.status, refund.amount, refund.currency) == ("succeeded", 8000, "cny")
    assert (charge.amount_refunded, charge.refunded) == (8000, True)


def test_partial_refunds_add_up_on_the_charge(stripe_client):
    intent = _paid_intent(stripe_client, 10000)

    stripe_client.v1.refunds.create(params={"charge": intent.latest_charge, "amount": 2500})
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1500})

    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    refunds = stripe_client.v1.refunds.list(params={"charge": charge.id})
    assert (charge.amount_refunded, charge.refunded) == (4000, False)
    assert sorted(r.amount for r in refunds.data) == [1500, 2500]


def test_over_refund_is_not_refused_by_localstripe(stripe_client):
    """Stripe refuses a refund above what is left on the charge; localstripe books it. The portal's
    own rules must refuse it before asking Stripe (this test pins the fake's gap)."""
    intent = _paid_intent(stripe_client, 1000)

    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1500})

    assert stripe_client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 1500


def test_balance_transactions_list_charges_and_refunds_for_reconciliation(stripe_client):
    first = _paid_intent(stripe_client, 20000)
    second = _paid_intent(stripe_client, 3000)
    refund = stripe_client.v1.refunds.create(params={"payment_intent": first.id, "amount": 5000})

    listed = stripe_client.v1.balance_transactions.list(params={"limit": 100})

    rows = {(t.type, t.source, t.amount, t.currency, t.fee, t.net) for t in listed.data}
    assert rows == {
        ("charge", first.latest_charge, 20000, "cny", 0, 20000),
        ("charge", second.latest_charge, 3000, "cny", 0, 3000),
        ("refund", refund.id, -5000, "cny", 0, -5000),
    }
    assert sum(t.net for t in listed.data) == 18000


def test_monthly_subscription_in_cny_pays_its_first_invoice(stripe_client):
    product = stripe_client.v1.products.create(params={"name": "每月助学"})
    plan = stripe_client.v1.plans.create(
        params={"amount": 3000, "currency": "cny", "interval": "month", "product": product.id})
    customer = stripe_client.v1.customers.create(
        params={"email": "monthly@example.org", "payment_method": "pm_card_visa",
                "invoice_settings": {"default_payment_method": "pm_card_visa"}})

    subscription = stripe_client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"plan": plan.id}], "metadata": {"fund": "3"}})

    invoice = stripe_client.v1.invoices.retrieve(subscription.latest_invoice)
    assert (subscription.status, subscription.metadata["fund"]) == ("active", "3")
    assert (invoice.status, invoice.amount_due, invoice.currency, invoice.customer) == (
        "paid", 3000, "cny", customer.id)


def test_same_idempotency_key_replays_the_first_object(stripe_client, stripe_standin):
    options = {"idempotency_key": "donor-42-create"}
    first = stripe_client.v1.customers.create(params={"email": "a@example.org"}, options=options)

    second = stripe_client.v1.customers.create(params={"email": "a@example.org"}, options=options)

    assert second.id == first.id
    assert len(stripe_client.v1.customers.list().data) == 1
    assert [r.idempotency_key for r in stripe_standin.requests_to("POST", "/v1/customers")] == [
        "donor-42-create", "donor-42-create"]


def test_reused_idempotency_key_with_other_parameters_is_refused(stripe_client):
    options = {"idempotency_key": "refund-9"}
    intent = _paid_intent(stripe_client, 4000)
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000}, options=options)

    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 3000},
                                        options=options)

    assert stripe_client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 1000


def test_routes_localstripe_lacks_answer_as_stripe_errors(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.disputes.list()

    assert missing.value.http_status == 404
    assert "localstripe does not implement" in str(missing.value)


def test_publishable_key_cannot_call_the_api(stripe_settings):
    from .fixtures import PUBLISHABLE_KEY

    client = stripe.StripeClient(PUBLISHABLE_KEY, max_network_retries=0,
                                 base_addresses={"api": stripe_settings["STRIPE_API_BASE"]})

    with pytest.raises(stripe.AuthenticationError):
        client.v1.customers.list()
    with pytest.raises(stripe.AuthenticationError):
        client.v1.checkout.sessions.retrieve("cs_test_any")


def test_missing_localstripe_install_fails_loudly(tmp_path):
    with pytest.raises(LocalStripeError, match="make install-test"):
        LocalStripe(python=tmp_path / "no-such-python").start()


def test_latest_charge_is_an_id_unless_expanded_as_in_the_current_api(stripe_client):
    intent = _paid_intent(stripe_client, 2500)

    plain = stripe_client.v1.payment_intents.retrieve(intent.id)
    expanded = stripe_client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})

    assert isinstance(plain.latest_charge, str) and plain.latest_charge.startswith("ch_")
    assert "charges" not in plain
    assert (expanded.latest_charge.id, expanded.latest_charge.amount) == (plain.latest_charge, 2500)
