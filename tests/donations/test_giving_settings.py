"""The amounts the give page offers come from the configuration, per kind of target (a money need, the
general fund, a programme, a monthly gift), and so do the limits of a free amount; a configuration
that cannot work refuses to start, saying which variable is wrong. No publishable key is read:
Checkout is a redirect made by the server."""

import re

import pytest

from portal import create_app
from portal.config import Config, ConfigurationError
from portal.extensions import limiter
from tests.conftest import _empty_tables, make_config, post
from tests.donations.conftest import donations_of

AMOUNTS = {"SUGGESTED_YUAN_NEED": "88, 66", "SUGGESTED_YUAN_FUND": "11,22", "SUGGESTED_YUAN_PROGRAMME": "33,44",
           "SUGGESTED_YUAN_MONTHLY": "15,25"}
GUEST = {"name": "王捐赠", "email": "wang@example.org"}


@pytest.fixture
def app(database_url, stripe_settings, monkeypatch):
    for name, value in AMOUNTS.items():
        monkeypatch.setenv(name, value)
    app = create_app(make_config(database_url, **stripe_settings))
    limiter.reset()
    yield app
    _empty_tables(app.extensions["db_engine"])
    app.extensions["db_engine"].dispose()


def offered(page) -> list[int]:
    """The suggested amounts (fen) a give page offers as buttons, in page order."""
    return [int(v) for v in re.findall(r'name="suggested"[^>]*value="(\d+)"', page.get_data(as_text=True))]


def test_each_kind_of_target_offers_its_configured_amounts(app, client, as_user, money_need):
    # A money need also offers what it still lacks (5,000 yuan).
    assert offered(client.get(f"/donate?need={money_need}")) == [6_600, 8_800, 500_000]
    assert offered(client.get("/donate?fund=general")) == [1_100, 2_200]
    assert offered(client.get("/donate?fund=scholarship")) == [3_300, 4_400]
    as_user("donor")
    monthly = client.get("/donate?fund=scholarship&monthly=1")
    assert offered(monthly) == [1_500, 2_500]
    assert re.search(r'<input[^>]*checked[^>]*name="monthly"|<input[^>]*name="monthly"[^>]*checked',
                     monthly.get_data(as_text=True))


def test_a_configured_amount_is_given_and_a_default_one_is_refused(app, client, stripe_standin, money_need):
    assert post(client, f"/donate?need={money_need}", {"suggested": "6600", **GUEST}).status_code == 303
    assert post(client, f"/donate?need={money_need}", {"suggested": "10000", **GUEST}).status_code == 400
    assert [g.amount_fen for g in donations_of(app)] == [6_600]


def test_a_monthly_amount_opens_a_monthly_checkout(app, client, as_user, stripe_standin):
    as_user("donor")
    response = post(client, "/donate?fund=scholarship&monthly=1", {"suggested": "1500", "monthly": "y"})
    assert response.status_code == 303
    [sent] = stripe_standin.requests_to("POST", "/v1/checkout/sessions")
    assert sent.params["mode"] == "subscription"
    assert sent.params["line_items"][0]["price_data"]["unit_amount"] == "1500"
    # The single-gift page of the same programme does not take the monthly amounts.
    assert post(client, "/donate?fund=scholarship", {"suggested": "1500"}).status_code == 400


@pytest.mark.parametrize("value", ["100,二百", "１００", "-50", "0", "100,,200", "100,100", "1.5", ",",
                                   "1,2,3,4,5,6,7,8,9", "100;200"])
def test_a_malformed_list_of_amounts_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("SUGGESTED_YUAN_PROGRAMME", value)
    with pytest.raises(ConfigurationError, match="SUGGESTED_YUAN_PROGRAMME"):
        create_app(make_config("sqlite://"))


@pytest.mark.parametrize("settings, named", [
    ({"SUGGESTED_YUAN_FUND": "5,50"}, "SUGGESTED_YUAN_FUND"),  # 5 yuan: below the 10-yuan minimum
    ({"SUGGESTED_YUAN_MONTHLY": "60000"}, "SUGGESTED_YUAN_MONTHLY"),  # above the 50,000-yuan maximum
    ({"ONLINE_MIN_FEN": "0"}, "ONLINE_MIN_FEN"),
    ({"ONLINE_MIN_FEN": "-100"}, "ONLINE_MIN_FEN"),
    ({"ONLINE_MIN_FEN": "200000", "ONLINE_MAX_FEN": "100000"}, "ONLINE_MAX_FEN"),
    ({"ONLINE_MAX_FEN": "五万"}, "ONLINE_MAX_FEN"),
])
def test_amounts_the_limits_would_refuse_or_contradictory_limits_refuse_to_start(monkeypatch, settings, named):
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=named):
        create_app(make_config("sqlite://"))


def test_the_publishable_key_is_not_a_setting(monkeypatch):
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_not_needed")
    assert "STRIPE_PUBLISHABLE_KEY" not in Config().as_dict()


def test_a_guest_on_the_monthly_page_is_offered_single_gift_amounts(app, client):
    # Only the signed-in give monthly: a guest following the link gives once, at single-gift amounts.
    assert offered(client.get("/donate?fund=scholarship&monthly=1")) == [3_300, 4_400]
