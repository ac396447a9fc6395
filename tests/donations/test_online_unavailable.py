"""No Stripe keys: online giving is shown as unavailable, nothing crashes, offline gifts still work."""

from tests.conftest import post
from tests.donations.conftest import donations_of, record


def test_without_keys_the_give_page_says_online_giving_is_unavailable(client, money_need):
    page = client.get(f"/donate?need={money_need}")
    assert page.status_code == 200 and "暂不能在线捐赠" in page.get_data(as_text=True)


def test_without_keys_a_posted_gift_records_nothing(app, client, money_need):
    response = post(client, f"/donate?need={money_need}", {"amount": "500", "name": "王", "email": "w@example.org"})
    assert response.status_code == 503 and donations_of(app) == []


def test_without_keys_offline_gifts_still_work(app, act, money_need):
    record(act, need_id=money_need, amount_fen=50_000)
    assert [g.status for g in donations_of(app)] == ["paid"]
