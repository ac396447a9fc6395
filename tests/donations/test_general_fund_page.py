"""The general fund's public page explains its "received" figure: besides the gifts made to it, it lists
what gifts to money needs gave above the need's target (moved to the general fund), each as a line of
its own (the giver's name, or 爱心人士 when anonymous), never the need or the child it was for."""

import re

import pytest

from portal.donations import refunds
from tests.donations.conftest import record


@pytest.fixture
def overshooting(act, make_need):
    """Two money needs of 5,000 yuan: one given 6,000 yuan by 张三 (then 300 yuan refunded), one
    given 5,500 yuan by 李四 anonymously; and 200 yuan given to the general fund by 王五."""
    named = make_need(to="published", kind="money", category="medical", target_fen=500_000)
    hidden = make_need(to="published", kind="money", category="medical", target_fen=500_000)
    first = record(act, need_id=named, amount_fen=600_000, payer="张三")
    record(act, need_id=hidden, amount_fen=550_000, payer="李四", anonymous=True)
    record(act, "city", fund_code="general", amount_fen=20_000, payer="王五", reference="BANK-2")
    act("county", refunds.refund, first.id, 30_000, "捐赠人要求部分退款")
    return named, hidden


def section(page: str) -> str:
    found = re.search(r'<section[^>]*id="excess".*?</section>', page, re.S)
    return found.group(0) if found else ""


def test_the_general_fund_page_lists_what_need_gifts_gave_above_their_target(app, client, overshooting):
    page = client.get("/funds/general").get_data(as_text=True)
    excess = section(page)
    assert "超出目标部分转入综合基金" in excess
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", excess)
    # Newest first: 李四's 500 yuan (anonymous), then 张三's 1,000 yuan of which 300 were refunded.
    assert rows == [("爱心人士", "500.00", "0.00"), ("张三", "1,000.00", "300.00")]
    assert "李四" not in page
    # The page's own gifts and the excess lines together make its "received" figure.
    assert re.search(r"收入</dt><dd>1,700.00", page) and "1,500.00" in excess and "王五" in page


def test_the_excess_lines_never_name_the_need_or_the_child(app, client, overshooting):
    page = client.get("/funds/general").get_data(as_text=True)
    assert "义堂镇一名小学生" not in page and "测试儿童" not in page
    assert not re.search(r"/needs/\d+", section(page))


def test_a_programme_fund_or_a_need_page_has_no_excess_section(app, client, overshooting):
    named, _hidden = overshooting
    assert section(client.get("/funds/general").get_data(as_text=True))
    assert not section(client.get(f"/needs/{named}/money").get_data(as_text=True))
