"""The report writes the seed reports' sentences with the hand-built Lanshan's figures, each
figure linked to the table it came from; in Chinese by default."""

import re

from portal import db
from portal.accounts.models import User
from portal.dashboards import rules
from portal.dashboards.sentences import FORMS
from tests.dashboards.conftest import COUNTY, TODAY, TOWN, this_month


def sentences(app, users, key: str, code: str) -> dict[str, str]:
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "zh"}), db.new_session() as s:
        result = rules.report(s, s.get(User, users[key].id), code, this_month(), TODAY)
        return {sentence.key: sentence.text() for sentence in result.sentences}


def test_the_town_report_writes_at_least_ten_seed_sentences_with_the_towns_figures(app, users, lanshan):
    written = sentences(app, users, "town", TOWN)
    assert len(written) >= 10
    assert written == {
        "registered": "登记在册重点监测儿童6名",
        "orphans": "其中孤儿2名",
        "unsupported": "事实无人抚养儿童1名",
        "new": "新增困境儿童7名",
        "visits": "走访孤困儿童3次",
        "visit_coverage": "走访覆盖率达50%",
        "agreements": "签订农村留守儿童临时监护责任书1份",
        "workers": "配齐镇街儿童督导员、村居儿童主任3名",
        "village_coverage": "村居儿童主任覆盖率达100%",
        "training": "开展培训0场0人次",  # no session yet (trained_and_clued has them: test_training_clues.py)
        "training_coverage": "培训覆盖率0%",  # none of the town's three trained
        "paired": "结对帮扶1名",
        "solved": "解决困境儿童需求2个，其中政府内部解决1个",
        "organizations": "1家社会组织参与困境儿童关爱保护工作",
        "hours": "1名志愿者服务2.5小时",
        "raised": "接收社会捐赠12,000元",
        "paid": "为0名儿童发放0元",
        "clues": "发现线索0条，移送0条，救助0名",
    }


def test_the_county_report_counts_the_whole_county_and_not_the_next_one(app, users, lanshan):
    written = sentences(app, users, "county", COUNTY)
    # 白沙埠镇's child and its need solved inside government join; 罗庄区's child and gift do not.
    assert written["registered"] == "登记在册重点监测儿童7名"
    assert written["solved"] == "解决困境儿童需求3个，其中政府内部解决2个"
    assert written["village_coverage"] == "村居儿童主任覆盖率达66.7%"
    assert written["raised"] == "接收社会捐赠12,000元"
    assert written["visits"] == "走访孤困儿童3次"


def test_scholarship_payments_give_the_seeds_sentence_of_children_and_yuan(app, users, county_b, scholarship):
    from tests.disbursements.test_batches import approve, make_batch
    from tests.disbursements.test_reports import pay_all

    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id, period=str(TODAY.year))
    approve(app, users, batch_id, "county_b")
    pay_all(app, users, batch_id)
    written = sentences(app, users, "county", COUNTY)
    assert written["paid"] == "为3名儿童发放30,000元"  # 10,000 yuan a year for each of the three students


def test_every_figure_of_the_report_page_links_to_its_table_on_the_dashboard(app, as_user, lanshan):
    client = as_user("town")
    page = client.get(f"/dashboards/{TOWN}/report?period=month&value={TODAY:%Y-%m}").get_data(as_text=True)
    items = re.findall(r'<li data-sentence="([a-z_]+)">(.*?)</li>', page, re.S)
    assert len(items) == len(FORMS)
    anchors = set()
    for _key, html in items:
        links = re.findall(r'<a href="/dashboards/371302105000\?period=month&amp;value=[0-9-]+#([a-z-]+)">', html)
        assert links, html
        anchors.update(links)
    dashboard = client.get(f"/dashboards/{TOWN}?period=month&value={TODAY:%Y-%m}").get_data(as_text=True)
    for anchor in anchors:
        assert f'id="{anchor}"' in dashboard
    assert "登记在册重点监测儿童<a" in page
