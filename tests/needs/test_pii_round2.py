"""Round 2 of the summary check: the classes the red team got through, tried beyond its examples,
with what the hits cover and the ordinary text on the edge of each class that must still pass.
No Flask app is needed."""

from datetime import date

import pytest

from portal.needs.pii import find_pii

NAMES = ["萧嫣", "白超", "欧阳明轩", "张宇航", "韩建军", "王芳"]
PLACES = ["屠苏村", "东石埠村"]
BIRTH_DATES = [date(2014, 9, 25)]
PUBLIC = ["义堂镇", "兰山区", "临沂市"]
ID_X = "37130219820917028X"  # valid check digit X


def found(text):
    hits = find_pii(text, names=NAMES, places=PLACES, birth_dates=BIRTH_DATES, public_places=PUBLIC)
    return [(text[h.start : h.end], h.kind) for h in hits]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Reversed numbers, also an id ending in X (written backwards, the X comes first).
        ("证件倒写" + ID_X[::-1], [(ID_X[::-1], "id_number")]),
        ("车牌\u202e4321A·Q鲁\u202c", [("4321A·Q鲁", "plate")]),
        ("家住\u202e村苏屠\u202c", [("村苏屠", "address")]),
        # Any separator after every digit, or odd groups; an id inside a longer run.
        ("电话1~3~9~0~5~3~9~1~2~3~4", [("1~3~9~0~5~3~9~1~2~3~4", "mobile")]),
        ("电话139 ~ 0539 ~ 1234", [("139 ~ 0539 ~ 1234", "mobile")]),
        ("档案号00" + ID_X + "01", [("00" + ID_X, "id_number")]),
        # Initials: whole patterns only.
        ("孩子 Ouyang MX", [("Ouyang MX", "name")]),
        ("孩子OY明轩", [("OY明轩", "name")]),
        ("孩子 Bai C.", [("Bai C", "name")]),
        # A date of birth in the Chinese calendar, the year left out after 农历 and a word of birth.
        ("她农历九月初二出生", [("农历九月初二", "birth_date")]),
        # A full name inside a word is still the name.
        ("张宇航员", [("张宇航", "name")]),
        # A neighbour village without its prefix, before 社区.
        ("石埠社区的孩子", [("石埠社区", "address")]),
    ],
)
def test_evasions_of_round_two_are_caught(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "全国心理援助热线400-161-9995，青少年服务台12355，市民热线12345。",
        "比分13:15、15:13、15:9，孩子很喜欢排球。",
        "全县投入13,500,000,000元。",
        "三个年级人数分别为165，101，418，12个班。",
        "需要12和13号两天的志愿者。",
        "需要做B超检查，费用300元。",  # a letter word, not 白超's initial and given name
        "孩子希望将来当宇航员。",
        "八一建军节组织参观。",
        "农历九月初二是重阳节前的周末。",  # a lunar date without the year and without a word of birth
        "石埠一带的山路不好走。",  # the neighbour village's name without 村 is a place word
        "比赛分成两队。",
        "Please see Unit 5 and No. 3 Middle School.",
    ],
)
def test_ordinary_text_on_the_edge_of_round_two_classes_passes(text):
    assert found(text) == []


@pytest.mark.parametrize("text", ["客服电话400-123-4567", "热线 800 820 8820"])
def test_service_numbers_other_than_national_hotlines_are_refused(text):
    assert found(text) and found(text)[0][1] == "landline"
