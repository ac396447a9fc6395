"""Issue 21: the overdue-visit list shows village and town, filters by place, sorts by days overdue,
and exports a spreadsheet with no identity data; another town or county is never included."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal import db
from portal.audit.models import AuditEntry
from portal.children.models import Child

YITANG, BAISHABU = "371302105000", "371302101000"
TUSU, YISHUN, BAISHABU_VILLAGE, LUOZHUANG = "371302105259", "371302105260", "371302101201", "371311001001"


@pytest.fixture
def late(app, make_child):
    """Children whose visits are ``days`` late: ``late("county", TUSU, 12, name=…)``."""

    def make(actor: str, village: str, days: int, **values):
        child = make_child(actor, region_code=village, **values)
        with app.app_context(), db.write_session() as s:
            s.get(Child, child.id).next_visit_due = date.today() - timedelta(days=days)
        return child

    return make


@pytest.fixture
def backlog(late):
    return {
        "tusu": late("county", TUSU, 3, name="赵一"),
        "yishun": late("county", YISHUN, 40, name="钱二"),
        "baishabu": late("county", BAISHABU_VILLAGE, 20, name="孙三"),
        "luozhuang": late("county2", LUOZHUANG, 90, name="李四"),
    }


def _page(client, query: str = "", status: int = 200) -> str:
    response = client.get(f"/visits/overdue{query}")
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_county_sees_each_late_child_with_village_and_town_most_overdue_first(client, as_user, backlog):
    as_user("county")
    page = _page(client)
    assert page.index("钱二") < page.index("孙三") < page.index("赵一")  # 40, 20, then 3 days late
    assert "颐顺园村村民委员会 · 义堂镇" in page and "白沙埠村村民委员会 · 白沙埠镇" in page
    assert "李四" not in page  # 罗庄区 is another county


def test_highest_risk_first_is_still_a_choice(client, as_user, backlog, app):
    with app.app_context(), db.write_session() as s:
        s.get(Child, backlog["tusu"].id).risk_level = "red"
    as_user("county")
    page = _page(client, "?order=risk")
    assert page.index("赵一") < page.index("钱二")


def test_filter_by_town_and_by_village(client, as_user, backlog):
    as_user("county")
    town = _page(client, f"?town={YITANG}")
    assert "钱二" in town and "赵一" in town and "孙三" not in town
    assert 'value="371302105260"' in town  # the town's villages become a choice, by name
    village = _page(client, f"?town={YITANG}&village={YISHUN}")
    assert "钱二" in village and "赵一" not in village and "孙三" not in village


def test_a_town_supervisor_cannot_list_another_town_by_editing_the_address(client, as_user, backlog):
    as_user("town")  # 义堂镇
    for query in (f"?town={BAISHABU}", f"?village={BAISHABU_VILLAGE}", f"?village={LUOZHUANG}"):
        page = _page(client, query, status=400)
        assert "不在您的辖区内" in page or "outside your area" in page
        assert "孙三" not in page and "李四" not in page
        assert "钱二" in page  # their own list instead, unchanged


def test_another_county_is_never_included(client, as_user, backlog):
    as_user("county2")  # 罗庄区
    assert "李四" in _page(client)
    page = _page(client, f"?town={YITANG}", status=400)
    assert "钱二" not in page and "赵一" not in page
    response = client.get(f"/visits/overdue.xlsx?town={YITANG}")
    assert response.status_code == 302 and not response.mimetype.endswith("sheet")


def test_malformed_place_gets_a_clear_message(client, as_user, backlog):
    as_user("county")
    page = _page(client, "?town=yitang", status=400)
    assert "请从列表中选择地点" in page
    assert "钱二" in page


def test_the_notices_older_region_link_still_filters(client, as_user, backlog):
    as_user("county")
    page = _page(client, f"?region={TUSU}")
    assert "赵一" in page and "钱二" not in page


def test_export_holds_no_identity_data_and_is_audited(client, as_user, backlog, app):
    as_user("town")
    response = client.get(f"/visits/overdue.xlsx?village={YISHUN}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["年龄段", "儿童类别", "村（社区）", "乡镇（街道）", "逾期天数"]
    assert rows[1:] == [["6-11", "留守儿童", "颐顺园村村民委员会", "义堂镇", "40"]]
    everything = " ".join(" ".join(r) for r in rows)
    child = backlog["yishun"]
    assert child.name not in everything and child.id_number not in everything
    with app.app_context(), db.new_session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "visits.overdue_export")).one()
    assert entry.actor_name == "town" and entry.object_id == YISHUN and entry.detail == {"rows": 1}


def test_a_child_director_sees_only_their_village(client, as_user, backlog):
    as_user("village")  # 屠苏村
    page = _page(client)
    assert "赵一" in page and "钱二" not in page and "孙三" not in page
    assert _page(client, f"?town={YITANG}").count("钱二") == 0  # their own town means "all of mine"
