"""The region pages: browsing inside one's own subtree, htmx fragments, CSV export, and the
administrators' CSV import."""

import io

import pytest
from sqlalchemy import func, select

from portal import db
from portal.audit.models import AuditEntry
from portal.regions import rules
from portal.regions.models import Level, Region
from tests.conftest import post


def _region_count(app) -> int:
    with app.app_context():
        session = db.new_session()
        try:
            return session.scalar(select(func.count()).select_from(Region))
        finally:
            session.close()


def _region(app, code: str) -> Region | None:
    with app.app_context():
        session = db.new_session()
        try:
            return session.get(Region, code)
        finally:
            session.close()


# --- browsing -----------------------------------------------------------------------------------


def test_staff_browsing_starts_at_their_own_region(as_user):
    client = as_user("county")
    page = client.get("/regions/").get_data(as_text=True)
    assert "行政区划" in page
    assert "兰山区" in page and "371302000000" in page
    assert "义堂镇" in page and "白沙埠镇" in page  # its towns
    assert "罗庄区" not in page  # the neighbouring county is not listed


def test_town_supervisor_sees_the_villages_of_the_town(as_user):
    page = as_user("town").get("/regions/").get_data(as_text=True)
    assert "屠苏村村民委员会" in page and "颐顺园村村民委员会" in page
    assert "白沙埠村村民委员会" not in page


def test_breadcrumbs_stop_at_the_users_own_region(as_user):
    page = as_user("county").get("/regions/?code=371302105000").get_data(as_text=True)
    assert "义堂镇" in page and "兰山区" in page
    assert "临沂市" not in page and "山东省" not in page  # above the county: not shown to county staff


def test_city_staff_browse_down_to_a_village(as_user):
    client = as_user("city")
    page = client.get("/regions/?code=371302105259").get_data(as_text=True)
    assert "屠苏村村民委员会" in page
    assert "此区划下没有下级区划。" in page


@pytest.mark.parametrize(
    "user, code, name",
    [
        ("county", "371311000000", "罗庄区"),  # the neighbouring county
        ("county", "371300000000", "临沂市"),  # the city above
        ("county2", "371302105259", "屠苏村"),  # a village of another county
        ("village", "371302105000", "义堂镇"),  # the village's own town
        ("village", "371302105260", "颐顺园村"),  # the next village
        ("town", "371302101000", "白沙埠镇"),  # another town of the same county
    ],
)
def test_browsing_outside_ones_subtree_is_refused(as_user, user, code, name):
    response = as_user(user).get(f"/regions/?code={code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "您无权执行此操作。" in page
    assert name not in page


@pytest.mark.parametrize("user", ["volunteer", "donor", "org"])
def test_helpers_may_not_browse_regions(as_user, user):
    client = as_user(user)
    assert client.get("/regions/").status_code == 403
    assert client.get("/regions/export.csv").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, regions):
    for path in ("/regions/", "/regions/?code=371302000000", "/regions/export.csv", "/regions/import"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_unknown_region_is_not_found(as_user):
    assert as_user("admin").get("/regions/?code=999999999999").status_code == 404


def test_admin_starts_at_the_provinces(as_user):
    page = as_user("admin").get("/regions/").get_data(as_text=True)
    assert "全部省份" in page
    assert "山东省" in page and "河南省" in page
    assert "导入" in page  # the link to the CSV import


def test_admin_may_browse_any_region(as_user):
    page = as_user("admin").get("/regions/?code=371311000000").get_data(as_text=True)
    assert "罗庄街道" in page


def test_htmx_request_gets_only_the_tree_fragment(as_user):
    client = as_user("county")
    full = client.get("/regions/?code=371302105000").get_data(as_text=True)
    fragment = client.get("/regions/?code=371302105000", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in full
    assert "<html" not in fragment and "<body" not in fragment
    assert "屠苏村村民委员会" in fragment and "颐顺园村村民委员会" in fragment


def test_htmx_request_outside_the_subtree_is_refused_too(as_user):
    response = as_user("county").get("/regions/?code=371311000000", headers={"HX-Request": "true"})
    assert response.status_code == 403


def test_region_list_runs_the_same_statements_whatever_the_number_of_children(app, as_user, statement_counter):
    client = as_user("county")
    with app.app_context(), db.write_session() as s:
        rules.insert_regions(s, [
            {"code": f"371302101{i:03d}", "parent_code": "371302101000", "level": Level.village, "name": f"新村{i}"}
            for i in range(300, 380)
        ])
    client.get("/regions/?code=371302105000")  # warm up: first request checks the schema

    with statement_counter() as few:
        small = client.get("/regions/?code=371302105000")  # 义堂镇: 2 villages
    with statement_counter() as many:
        large = client.get("/regions/?code=371302101000")  # 白沙埠镇: 81 villages
    assert small.status_code == large.status_code == 200
    assert "新村379" in large.get_data(as_text=True)
    assert len(many) == len(few), (few, many)
    assert len(few) <= 8, few


def test_county_list_statements_do_not_grow_with_towns(app, as_user, statement_counter):
    client = as_user("city")
    client.get("/regions/?code=371311000000")
    with statement_counter() as one_town:
        client.get("/regions/?code=371311000000")  # 罗庄区: 1 town
    with app.app_context(), db.write_session() as s:
        rules.insert_regions(s, [
            {"code": f"371311{i:03d}000", "parent_code": "371311000000", "level": Level.town, "name": f"新镇{i}"}
            for i in range(100, 140)
        ])
    with statement_counter() as many_towns:
        page = client.get("/regions/?code=371311000000").get_data(as_text=True)
    assert "新镇139" in page
    assert len(many_towns) == len(one_town)


# --- export -------------------------------------------------------------------------------------


def test_export_of_own_subtree_contains_exactly_the_subtree(as_user):
    response = as_user("county").get("/regions/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "regions-371302000000.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "region_code,parent_code,level,name"
    assert lines[1:] == [
        "371302000000,371300000000,county,兰山区",
        "371302101000,371302000000,town,白沙埠镇",
        "371302101201,371302101000,village,白沙埠村村民委员会",
        "371302105000,371302000000,town,义堂镇",
        "371302105259,371302105000,village,屠苏村村民委员会",
        "371302105260,371302105000,village,颐顺园村村民委员会",
    ]


def test_export_of_a_town_inside_the_subtree(as_user):
    lines = as_user("county").get("/regions/export.csv?code=371302105000").get_data(as_text=True).splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["371302105000", "371302105259", "371302105260"]


def test_export_of_another_county_is_refused(as_user):
    response = as_user("county").get("/regions/export.csv?code=371311000000")
    assert response.status_code == 403
    assert "罗庄" not in response.get_data(as_text=True)


def test_village_director_may_not_export_the_town(as_user):
    assert as_user("village").get("/regions/export.csv?code=371302105000").status_code == 403


def test_admin_exports_the_whole_tree(as_user, regions):
    lines = as_user("admin").get("/regions/export.csv").get_data(as_text=True).splitlines()
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(regions)


# --- import (administrators) --------------------------------------------------------------------

GOOD_FILE = (
    "region_code,parent_code,level,name\n"
    "371302105261,371302105000,village,新建村村民委员会\n"
    "371312000000,371300000000,county,河东区\n"
    "371302105259,371302105000,village,屠苏村\n"
)


def _upload(client, text: str, filename: str = "regions.csv"):
    return post(client, "/regions/import", {"file": (io.BytesIO(text.encode("utf-8")), filename)},
                content_type="multipart/form-data")


def test_import_page_explains_the_file_format(as_user):
    page = as_user("admin").get("/regions/import").get_data(as_text=True)
    assert "导入行政区划" in page
    assert 'type="file"' in page


def test_bad_file_shows_line_numbered_problems_in_chinese_and_imports_nothing(app, as_user):
    client = as_user("admin")
    before = _region_count(app)
    bad = GOOD_FILE + "37130210526,371302105000,village,短码村\n"  # line 5: 11 digits
    response = _upload(client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "文件未导入：发现 1 个问题。" in page
    assert "发现的问题" in page
    assert "<td>5</td>" in page
    assert "区划代码 37130210526 必须是 12 位数字。" in page
    assert _region_count(app) == before
    assert _region(app, "371302105261") is None
    assert _region(app, "371302105259").name == "屠苏村村民委员会"


def test_file_with_a_missing_column_is_refused(app, as_user):
    before = _region_count(app)
    response = _upload(as_user("admin"), "region_code,parent_code,name\n371302105261,371302105000,新建村\n")
    assert response.status_code == 400
    assert "缺少列：level。" in response.get_data(as_text=True)
    assert _region_count(app) == before


def test_file_not_in_utf8_is_refused(app, as_user):
    before = _region_count(app)
    client = as_user("admin")
    response = post(client, "/regions/import",
                    {"file": (io.BytesIO(GOOD_FILE.encode("gbk")), "regions.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)
    assert _region_count(app) == before


def test_good_file_imports_and_reports_the_counts(app, as_user):
    client = as_user("admin")
    before = _region_count(app)
    response = _upload(client, GOOD_FILE)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入完成：新增 2 个，更名 1 个，未变 0 个。" in page
    assert _region_count(app) == before + 2
    assert _region(app, "371312000000").parent_code == "371300000000"
    assert _region(app, "371302105259").name == "屠苏村"
    with app.app_context():
        session = db.new_session()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "regions.import")).one()
        session.close()
    assert entry.detail == {"added": 2, "renamed": 1, "unchanged": 0}


@pytest.mark.parametrize("user", ["city", "county", "town", "village"])
def test_staff_may_not_import(app, as_user, user):
    client = as_user(user)
    assert client.get("/regions/import").status_code == 403
    before = _region_count(app)
    assert _upload(client, GOOD_FILE).status_code == 403
    assert _region_count(app) == before


def test_import_without_csrf_token_is_refused(app, as_user):
    client = as_user("admin")
    before = _region_count(app)
    response = client.post("/regions/import", data={"file": (io.BytesIO(GOOD_FILE.encode()), "regions.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert _region_count(app) == before
