"""The donations pages once through HTTP: public transparency, a donor's gifts, the staff list."""

from tests.donations.conftest import record


def test_public_need_page_shows_figures_and_anonymous_givers_but_no_child(client, act, users, money_need):
    record(act, need_id=money_need, amount_fen=123_456, anonymous=True, payer="王小明的舅舅")
    page = client.get(f"/needs/{money_need}/money").get_data(as_text=True)
    assert "1,234.56" in page and "爱心人士" in page
    assert "王小明" not in page and "测试儿童" not in page  # an anonymous gift's payer, the child's name


def test_public_fund_page_and_an_unknown_fund(client, act):
    record(act, "city", channel="cash", reference="", amount_fen=50_000, payer="李四")
    page = client.get("/funds/general").get_data(as_text=True)
    assert "500.00" in page and "李四" in page
    assert client.get("/funds/nope").status_code == 404


def test_a_donor_sees_their_gifts_and_no_child_identity(client, act, as_user, users, money_need):
    record(act, need_id=money_need, amount_fen=30_000, donor_id=users["donor"].id)
    as_user("donor")
    page = client.get("/donations/mine").get_data(as_text=True)
    assert "300.00" in page and "义堂镇一名小学生" in page and "测试儿童" not in page


def test_staff_list_shows_gifts_of_their_region(client, act, as_user, money_need):
    record(act, need_id=money_need, amount_fen=77_700)
    as_user("county")
    assert "777.00" in client.get("/donations").get_data(as_text=True)


def test_staff_list_hides_gifts_of_another_region(client, act, as_user, money_need):
    record(act, need_id=money_need, amount_fen=77_700)
    as_user("county2")
    assert "777.00" not in client.get("/donations").get_data(as_text=True)


def test_staff_list_is_refused_to_donors_and_town_staff(client, act, as_user, money_need):
    as_user("donor")
    assert client.get("/donations").status_code in (403, 404)
