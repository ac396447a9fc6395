"""Giving online: the give form opens a Stripe Checkout Session through the official library (seen by
the stand-in, with the gift's idempotency key); bad input and a missing configuration change nothing."""

import re

import pytest

from tests.conftest import post
from tests.donations.conftest import donations_of


@pytest.fixture
def app(stripe_app):
    return stripe_app


GUEST = {"name": "王捐赠", "email": "wang@example.org"}


def test_a_guest_gives_500_yuan_to_a_money_need_through_checkout(app, client, stripe_standin, money_need):
    response = post(client, f"/donate?need={money_need}", {"amount": "500", **GUEST})
    [gift] = donations_of(app)
    [sent] = stripe_standin.requests_to("POST", "/v1/checkout/sessions")
    assert response.status_code == 303 and response.location.startswith(stripe_standin.base_url + "/checkout/pay/")
    line = sent.params["line_items"][0]["price_data"]
    assert (line["unit_amount"], line["currency"]) == ("50000", "cny")
    assert sent.idempotency_key == f"donation-{gift.id}-checkout"
    assert sent.params["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert sent.params["metadata"] == {"donation": str(gift.id)}
    assert "测试儿童" not in line["product_data"]["name"]  # Checkout shows the public summary, never the child
    assert (gift.status, gift.amount_fen, gift.channel, gift.guest_name, gift.email) == (
        "pending", 50_000, "online", "王捐赠", "wang@example.org")
    assert gift.stripe_checkout_session_id == response.location.rsplit("/", 1)[-1]


def test_a_suggested_amount_can_be_picked(app, client, stripe_standin):
    post(client, "/donate?fund=scholarship", {"suggested": "30000", "anonymous": "y", "email": "a@example.org"})
    [gift] = donations_of(app)
    assert (gift.amount_fen, gift.anonymous, gift.guest_name) == (30_000, True, "")


@pytest.mark.parametrize("amount", ["5", "50001", "５００", "-500", "1e3", "500.001", "五百"])
def test_amounts_outside_the_limits_or_not_plain_yuan_change_nothing(app, client, stripe_standin, money_need,
                                                                     amount):
    response = post(client, f"/donate?need={money_need}", {"amount": amount, **GUEST})
    assert response.status_code == 400
    assert donations_of(app) == [] and stripe_standin.requests_to("POST", "/v1/checkout/sessions") == []


def test_a_suggested_amount_not_offered_is_refused(app, client, stripe_standin, money_need):
    assert post(client, f"/donate?need={money_need}", {"suggested": "7", **GUEST}).status_code == 400
    assert donations_of(app) == []


def test_a_guest_without_an_email_or_a_name_is_asked_for_them(app, client, stripe_standin, money_need):
    page = post(client, f"/donate?need={money_need}", {"amount": "500", "name": "王捐赠"})
    assert page.status_code == 400 and "电子邮箱" in page.get_data(as_text=True)
    page = post(client, f"/donate?need={money_need}", {"amount": "500", "email": "wang@example.org"})
    assert page.status_code == 400 and "匿名" in page.get_data(as_text=True)
    assert donations_of(app) == []


def test_a_signed_in_donor_gives_under_their_account(app, client, as_user, users, stripe_standin, money_need):
    as_user("donor")
    post(client, f"/donate?need={money_need}", {"amount": "200"})
    [gift] = donations_of(app)
    assert gift.donor_id == users["donor"].id


def test_monthly_giving_to_one_need_is_refused(app, client, as_user, stripe_standin, money_need):
    as_user("donor")
    assert post(client, f"/donate?need={money_need}", {"amount": "200", "monthly": "y"}).status_code == 400
    assert donations_of(app) == []


def test_a_need_not_open_or_an_unknown_fund_is_not_found(app, client, make_need, stripe_standin):
    draft = make_need(kind="money", category="medical", target_fen=100_000)
    assert client.get(f"/donate?need={draft}").status_code == 404
    assert client.get("/donate?fund=nope").status_code == 404
    assert client.get("/donate?need=１").status_code == 404


def test_thanks_page_says_confirming_until_the_webhook_lands(app, client, stripe_standin, money_need):
    response = post(client, f"/donate?need={money_need}", {"amount": "500", **GUEST})
    session_id = response.location.rsplit("/", 1)[-1]
    page = client.get(f"/donate/thanks?session={session_id}")
    assert page.status_code == 200 and "正在确认" in page.get_data(as_text=True)
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    assert "being confirmed" in client.get(f"/donate/thanks?session={session_id}").get_data(as_text=True)


def test_another_browser_cannot_read_the_thanks_page_of_a_gift(app, client, stripe_standin, money_need):
    response = post(client, f"/donate?need={money_need}", {"amount": "500", **GUEST})
    stranger = app.test_client()
    assert stranger.get(f"/donate/thanks?session={response.location.rsplit('/', 1)[-1]}").status_code == 404


def test_the_cancel_page_says_nothing_was_charged(client):
    assert "没有扣款" in client.get("/donate/cancelled").get_data(as_text=True)


def test_stripe_unreachable_marks_the_gift_failed_and_says_so(database_url, stripe_settings, money_need):
    from portal import create_app
    from tests.conftest import make_config

    broken = create_app(make_config(database_url, **{**stripe_settings, "STRIPE_API_BASE": "http://127.0.0.1:9"}))
    client = broken.test_client()
    response = post(client, f"/donate?need={money_need}", {"amount": "500", **GUEST}, follow_redirects=True)
    assert "无法连接支付服务" in response.get_data(as_text=True)
    assert [g.status for g in donations_of(broken)] == ["failed"]


def test_a_published_money_need_on_the_board_leads_to_the_give_form(app, client, money_need):
    page = client.get(f"/board/{money_need}").get_data(as_text=True)
    assert f'href="/donate?need={money_need}"' in page
    assert "开通后" not in page  # not "donations open once online giving does": it is open


def _prefers_anonymity(app, users, key="donor"):
    from portal import db
    from portal.helpers.models import HelperProfile

    with app.app_context(), db.write_session() as s:
        s.add(HelperProfile(user_id=users[key].id, anonymous=True))


def test_a_donor_who_chose_anonymity_finds_the_give_form_ticked(app, client, as_user, users, money_need):
    _prefers_anonymity(app, users)
    as_user("donor")
    page = client.get(f"/donate?need={money_need}").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="anonymous"|<input[^>]*name="anonymous"[^>]*checked', page)


def test_a_donor_who_chose_anonymity_gives_anonymously_even_if_the_box_is_cleared(
        app, client, as_user, users, stripe_standin, money_need):
    """Their profile promises "my name is never shown with my gifts": a cleared box does not break it."""
    _prefers_anonymity(app, users)
    as_user("donor")
    post(client, f"/donate?need={money_need}", {"amount": "200"})  # no "anonymous" in the form
    [gift] = donations_of(app)
    assert gift.anonymous is True


def test_a_donor_who_did_not_choose_anonymity_is_named_unless_they_tick_the_box(
        app, client, as_user, users, stripe_standin, money_need):
    as_user("donor")
    assert 'checked' not in re.search(r'<input[^>]*name="anonymous"[^>]*>',
                                      client.get(f"/donate?need={money_need}").get_data(as_text=True)).group(0)
    post(client, f"/donate?need={money_need}", {"amount": "200"})
    post(client, f"/donate?need={money_need}", {"amount": "300", "anonymous": "y"})
    assert [g.anonymous for g in donations_of(app)] == [False, True]


def test_the_give_form_may_be_sent_on_to_the_checkout_page_and_no_other_form_may(app, client, stripe_standin,
                                                                                 money_need):
    """The give form's answer redirects the browser to Stripe's Checkout page: its page's CSP must
    allow that origin in form-action, or the browser blocks the payment; other pages keep 'self'."""
    give = client.get(f"/donate?need={money_need}").headers["Content-Security-Policy"]
    assert f"form-action 'self' {stripe_standin.base_url};" in give
    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"]


def test_without_a_stand_in_the_give_form_may_be_sent_on_to_stripes_checkout_only(database_url, stripe_settings,
                                                                                    money_need):
    from portal import create_app
    from tests.conftest import make_config

    live = create_app(make_config(database_url, **{**stripe_settings, "STRIPE_API_BASE": None}))
    policy = live.test_client().get(f"/donate?need={money_need}").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com;" in policy
    live.extensions["db_engine"].dispose()
