"""Publishing checks the summary against every child and guardian of the need's village and of the
other villages of its town (DESIGN §2), in characters or in pinyin, and against their dates of birth;
names from another town do not stop a summary; what is refused never reaches the public board."""

from datetime import date

import pytest

from portal import db
from portal.accounts.models import User
from portal.children.models import Child, Guardian, GuardianshipAgreement
from portal.needs import rules
from portal.needs.models import NeedStatus
from tests.conftest import post
from tests.needs.conftest import need_row

NEIGHBOUR_VILLAGE = "371302105260"  # 颐顺园村, the other village of 义堂镇
OTHER_TOWN_VILLAGE = "371302101201"  # 白沙埠村 in 白沙埠镇


def add_child(app, name: str, region_code: str, born: date = date(2013, 6, 1), guardian: str = "",
              temporary_guardian: str = "") -> int:
    """A child file written straight to the table (any village, any town), with its guardians."""
    with app.app_context(), db.write_session() as s:
        child = Child(region_code=region_code, name=name, gender="female", birth_date=born,
                      qr_token=f"qr-{name}-{region_code}", categories=[], benefits=[])
        s.add(child)
        s.flush()
        if guardian:
            s.add(Guardian(child_id=child.id, relation="祖父", name=guardian))
        if temporary_guardian:
            s.add(GuardianshipAgreement(child_id=child.id, guardian_name=temporary_guardian,
                                        signed_on=date(2026, 1, 1), renewal_due=date(2027, 1, 1)))
        return child.id


def publish(app, users, need_id: int, summary: str):
    with app.app_context(), db.write_session() as s:
        rules.publish(s, s.get(User, users["county"].id), s.get(rules.Need, need_id), summary)


def test_the_reported_pinyin_summary_is_refused_and_never_reaches_the_board(app, users, make_need, signed_in):
    need_id = make_need(to="at_county", child_values={"name": "萧嫣"})
    with app.app_context(), db.write_session() as s:
        child_id = s.get(rules.Need, need_id).child_id
        s.add(Guardian(child_id=child_id, relation="祖父", name="于佑"))
    summary = "义堂镇儿童 Xiao Yan（萧）需要课业辅导，祖父 Yu You 照顾。"
    county = signed_in("county")
    refused = post(county, f"/needs/{need_id}/publish", {"summary": summary})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert page.count('<mark class="pii"') == 2 and ">Yu You</mark>" in page and ">Xiao Yan（萧</mark>" in page
    assert need_row(app, need_id).status == NeedStatus.at_county
    board = app.test_client().get("/board").get_data(as_text=True)
    assert "Xiao Yan" not in board and "Yu You" not in board
    assert app.test_client().get(f"/board/{need_id}").status_code == 404


@pytest.mark.parametrize(
    "summary",
    [
        "义堂镇一名儿童与同村的袁琪琪一起上学，需要自行车。",  # another child of the same village
        "义堂镇一名儿童和邻村的賈琪一起上学，需要自行车。",  # a child of the neighbouring village, traditional
        "义堂镇一名儿童和 Jia Qi 一起上学，需要自行车。",  # the same, in pinyin
        "义堂镇一名儿童由邻居王建国照看，需要自行车。",  # a neighbour child's guardian
        "义堂镇一名儿童由邻居 Wang Jianguo 照看，需要自行车。",
        "义堂镇一名儿童由临时监护人刘桂英照看，需要自行车。",  # a temporary guardian (agreement)
        "义堂镇一名2013年6月1日出生的儿童需要自行车。",  # a date of birth of a village child
        "义堂镇一名儿童住在颐顺园，需要自行车。",  # the neighbouring village
        "义堂镇一名儿童住在 Yishunyuan 村，需要自行车。",
    ],
)
def test_names_places_and_birth_dates_of_the_village_and_its_neighbours_are_refused(app, users, make_need, summary):
    need_id = make_need(to="at_county")
    add_child(app, "袁琪琪", "371302105259", guardian="王建国")
    add_child(app, "贾琪", NEIGHBOUR_VILLAGE, born=date(2013, 6, 1), temporary_guardian="刘桂英")
    with pytest.raises(rules.SummaryRevealsIdentity):
        publish(app, users, need_id, summary)
    assert need_row(app, need_id).status == NeedStatus.at_county


def test_names_and_birth_dates_from_another_town_do_not_stop_a_summary(app, users, make_need):
    """The other-region case: a child of 白沙埠镇 called 贾琪, born 2013-06-01, says nothing about a
    child of 义堂镇."""
    need_id = make_need(to="at_county")
    add_child(app, "贾琪", OTHER_TOWN_VILLAGE, born=date(2013, 6, 1), guardian="王建国")
    publish(app, users, need_id, "义堂镇一名儿童和贾琪（Jia Qi）一起参加2013年6月1日成立的兴趣班，需要自行车。")
    assert need_row(app, need_id).status == NeedStatus.published


def test_the_town_county_and_city_may_be_named_in_pinyin(app, users, make_need):
    need_id = make_need(to="at_county")
    add_child(app, "林怡", NEIGHBOUR_VILLAGE)  # 林怡 is spelt like 临沂 (Linyi)
    add_child(app, "兰珊", NEIGHBOUR_VILLAGE)  # 兰珊 like 兰山 (Lanshan)
    publish(app, users, need_id, "Yitang Town, Lanshan District, Linyi: 一名儿童需要每周末的数学辅导。")
    assert need_row(app, need_id).status == NeedStatus.published


def test_staff_of_another_county_cannot_publish_even_a_clean_summary(app, users, make_need, signed_in):
    need_id = make_need(to="at_county")
    other = signed_in("county2")
    response = post(other, f"/needs/{need_id}/publish", {"summary": "义堂镇一名小学生需要每周末的数学辅导。"})
    assert response.status_code == 404 and need_row(app, need_id).status == NeedStatus.at_county


def test_the_names_of_a_whole_town_are_read_in_two_queries(app, users, make_need, statement_counter):
    need_id = make_need(to="at_county")
    for i in range(30):
        add_child(app, f"童{i}号", "371302105259" if i % 2 else NEIGHBOUR_VILLAGE, guardian=f"监护{i}号")
    with app.app_context(), db.new_session() as s:
        need = s.get(rules.Need, need_id)
        with statement_counter() as statements:
            names, birth_dates = rules.identifying_names(s, need)
    assert len(statements) == 2
    assert {"童0号", "童29号", "监护0号", "监护29号"} <= set(names) and date(2013, 6, 1) in birth_dates
