"""A small hand-made data set in the exchange format: one county with two towns, a handful of
needs and helpers whose history is known, so that rankings can be asserted exactly."""

from __future__ import annotations

import pytest

from matching.data import write

REGIONS = [
    ("370000000000", "", "province", "山东省"),
    ("371300000000", "370000000000", "city", "临沂市"),
    ("371302000000", "371300000000", "county", "兰山区"),
    ("371302001000", "371302000000", "town", "兰山街道"),
    ("371302001001", "371302001000", "village", "一村"),
    ("371302002000", "371302000000", "town", "枣园镇"),
    ("371302002001", "371302002000", "village", "二村"),
    ("371311000000", "371300000000", "county", "罗庄区"),
    ("371311001000", "371311000000", "town", "罗庄街道"),
    ("371311001001", "371311001000", "village", "三村"),
]


def need(need_id, day, category="education", village="371302001001", amount=0, slots=2, text="数学辅导", urgency=2):
    return (need_id, f"2025-03-{day:02d}T09:00:00+08:00", category, village, urgency, amount, slots, text)


def event(helper_id, need_id, kind, day, amount=0):
    return (helper_id, need_id, kind, f"2025-03-{day:02d}T12:00:00+08:00", amount)


def make_rows():
    needs = [need(f"N{i}", 1 + i) for i in range(1, 9)]
    needs += [
        need("P1", 2, "psychological", "371302002001", text="心理疏导 陪伴"),
        need("M1", 3, "tuition", "371311001001", amount=200000, slots=1, text="资助学费"),
        need("F1", 25, "education", "371302001001", text="英语辅导 after school"),
    ]
    helpers = [
        ("H1", "volunteer", "371302001000", "tutoring", "擅长数学辅导", 3),
        ("H2", "volunteer", "371302001000", "tutoring;arts", "数学 英语", 3),
        ("H3", "volunteer", "371302002000", "counselling", "心理咨询师", 2),
        ("H4", "donor", "371300000000", "", "愿意资助学费", 0),
        ("H5", "volunteer", "371311001000", "tutoring", "english tutor", 2),
        ("NEW", "volunteer", "371302001000", "tutoring", "数学辅导 英语", 2),
    ]
    interactions = [
        event("H1", "N1", "view", 3),
        event("H1", "N1", "claim", 3),
        event("H1", "N1", "deliver", 6),
        event("H2", "N1", "claim", 4),
        event("H2", "N2", "claim", 5),
        event("H1", "N2", "view", 5),
        event("H3", "P1", "claim", 6),
        event("H4", "M1", "donate", 7, 50000),
        event("H2", "N3", "claim", 8),
        event("H1", "N3", "claim", 9),
        event("H5", "N4", "claim", 10),
        event("H5", "N4", "withdraw", 11),
        # the test period (the last fifth by time)
        event("H1", "N1", "deliver", 26),
        event("H2", "N5", "claim", 27),
        event("H1", "F1", "claim", 28),
    ]
    return {"regions.csv": REGIONS, "needs.csv": needs, "helpers.csv": helpers, "interactions.csv": interactions}


@pytest.fixture
def data_dir(tmp_path):
    write(tmp_path, make_rows())
    return tmp_path
