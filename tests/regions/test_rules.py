"""Region rules called directly, without HTTP: codes and levels, subtrees on a deep generated tree,
and the CSV import (all rows or none, each problem with its line) and export."""

from collections import defaultdict

import pytest
from sqlalchemy import delete, select

from portal.regions import rules
from portal.regions.models import LEVEL_ORDER, Level, Region
from portal.regions.rules import ImportRejected

HEADER = "region_code,parent_code,level,name\n"


def _all_rows(session) -> list[tuple]:
    """Every region as (code, parent, level, name): the database state a failed import must keep."""
    stmt = select(Region.code, Region.parent_code, Region.level, Region.name).order_by(Region.code)
    return [(code, parent, Level(level).value, name) for code, parent, level, name in session.execute(stmt)]


def _import(session, text: str) -> dict:
    return rules.import_regions(session, rules.read_csv(text))


def _rejected(session, text: str) -> list[tuple[int, str]]:
    """Import ``text`` expecting a refusal; the (line, message) of every problem reported."""
    with pytest.raises(ImportRejected) as caught:
        _import(session, text)
    session.rollback()
    return [(e.line, str(e.message)) for e in caught.value.errors]


# --- codes and levels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, level",
    [
        ("370000000000", Level.province),
        ("371300000000", Level.city),
        ("371302000000", Level.county),
        ("371302105000", Level.town),
        ("371302105259", Level.village),
        ("110101001001", Level.village),
        ("371371000000", Level.county),  # a development zone coded like a county
        ("371302100000", Level.town),  # town digits ending in zeros are still a town
    ],
)
def test_level_of_code_follows_where_the_zeros_begin(code, level):
    assert rules.level_of_code(code) == level


@pytest.mark.parametrize(
    "code, level, bounds",
    [
        ("370000000000", Level.province, ("370000000000", "379999999999")),
        ("371300000000", Level.city, ("371300000000", "371399999999")),
        ("371302000000", Level.county, ("371302000000", "371302999999")),
        ("371302105000", "town", ("371302105000", "371302105999")),
        ("371302105259", Level.village, ("371302105259", "371302105259")),
    ],
)
def test_subtree_bounds_cover_exactly_the_codes_below(code, level, bounds):
    low, high = rules.subtree_bounds(code, level)
    assert (low, high) == bounds
    assert low <= code <= high


def _region(code: str) -> Region:
    level = rules.level_of_code(code)
    return Region(code=code, parent_code=None, level=level, name=code)


@pytest.mark.parametrize(
    "code, ancestor, inside",
    [
        ("371302105259", "371302000000", True),  # village in its county
        ("371302000000", "371302000000", True),  # a region is within itself
        ("371302105259", "370000000000", True),
        ("371311001001", "371302000000", False),  # village of the neighbouring county
        ("371320000000", "371302000000", False),  # same digits, other order
        ("371302000000", "371302105000", False),  # the county is not within its own town
        ("410000000000", "370000000000", False),
        ("371302105260", "371302105259", False),  # the next village
    ],
)
def test_is_within(code, ancestor, inside):
    assert rules.is_within(code, _region(ancestor)) is inside


@pytest.mark.parametrize(
    "code, ancestors",
    [
        ("370000000000", []),
        ("371300000000", ["370000000000"]),
        ("371302000000", ["370000000000", "371300000000"]),
        ("371302105259", ["370000000000", "371300000000", "371302000000", "371302105000"]),
    ],
)
def test_ancestors_of_lists_the_regions_above_highest_first(code, ancestors):
    assert rules.ancestors_of(_region(code)) == ancestors


# --- subtrees on a deep generated tree --------------------------------------------------------

# 2 provinces × 3 cities × 3 counties × 4 towns × 10 villages = 818 regions.
FANOUT = {Level.city: 3, Level.county: 3, Level.town: 4, Level.village: 10}
DIGITS = {Level.province: 2, Level.city: 2, Level.county: 2, Level.town: 3, Level.village: 3}


def _generated_tree() -> list[dict]:
    rows = []

    def grow(prefix: str, parent: str | None, rank: int) -> None:
        level = LEVEL_ORDER[rank]
        count = 2 if level == Level.province else FANOUT[level]
        for i in range(1, count + 1):
            own = prefix + str(i if level != Level.province else 50 + i).zfill(DIGITS[level])
            code = own.ljust(12, "0")
            rows.append({"code": code, "parent_code": parent, "level": level, "name": f"{level.value} {own}"})
            if rank + 1 < len(LEVEL_ORDER):
                grow(own, code, rank + 1)

    grow("", None, 0)
    return rows


@pytest.fixture
def deep_tree(session, regions):
    """The generated tree next to the small tree of conftest (so the bounds must keep them apart)."""
    rows = _generated_tree()
    rules.insert_regions(session, rows)
    session.commit()
    return rows


def _brute_force_below(session, code: str) -> set[str]:
    """Every region below ``code``, by walking parent links (no use of the code structure)."""
    children = defaultdict(list)
    for child, parent in session.execute(select(Region.code, Region.parent_code)):
        children[parent].append(child)
    found, stack = set(), list(children[code])
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children[current])
    return found


def _samples(rows: list[dict], level: Level) -> list[str]:
    codes = sorted(r["code"] for r in rows if r["level"] == level)
    return sorted({codes[0], codes[len(codes) // 3], codes[len(codes) // 2], codes[-1]})


def test_generated_tree_has_the_expected_shape(session, deep_tree):
    assert len(deep_tree) == 2 + 6 + 18 + 72 + 720
    counts = {level: sum(1 for r in deep_tree if r["level"] == level) for level in Level}
    assert counts == {Level.province: 2, Level.city: 6, Level.county: 18, Level.town: 72, Level.village: 720}


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_descendants_and_in_subtree_match_a_walk_of_parent_links(session, deep_tree, level):
    for code in _samples(deep_tree, level):
        region = session.get(Region, code)
        below = _brute_force_below(session, code)

        assert [r.code for r in rules.descendants(session, region)] == sorted(below)

        in_subtree = session.scalars(
            select(Region.code).where(rules.in_subtree(Region.code, region)).order_by(Region.code)
        ).all()
        assert in_subtree == sorted(below | {code})

        villages = {c for c in below if rules.level_of_code(c) == Level.village}
        assert [r.code for r in rules.descendants(session, region, Level.village)] == sorted(villages)
        itself = 1 if level == Level.village else 0  # count_below includes the region itself
        assert rules.count_below(session, region, Level.village) == len(villages) + itself


def test_subtree_of_the_small_tree_ignores_the_generated_provinces(session, deep_tree):
    shandong = session.get(Region, "370000000000")
    assert [r.code for r in rules.descendants(session, shandong)] == sorted(_brute_force_below(session, "370000000000"))
    assert len(rules.descendants(session, shandong)) == 10


def test_children_and_child_counts(session, deep_tree):
    county = session.get(Region, "510101000000")
    towns = rules.children_of(session, county.code)
    assert [t.code for t in towns] == ["510101001000", "510101002000", "510101003000", "510101004000"]
    assert rules.child_counts(session, [t.code for t in towns]) == {t.code: 10 for t in towns}
    provinces = [r.code for r in rules.children_of(session, None)]
    assert provinces == ["370000000000", "410000000000", "510000000000", "520000000000"]


def test_breadcrumbs_run_from_the_province_down(session, regions):
    village = session.get(Region, "371302105259")
    assert [r.name for r in rules.breadcrumbs(session, village)] == ["山东省", "临沂市", "兰山区", "义堂镇", "屠苏村村民委员会"]


# --- import: a good file ----------------------------------------------------------------------


def test_good_file_imports_and_counts_added_renamed_unchanged(session, regions):
    text = HEADER + (
        "371302105259,371302105000,village,屠苏村\n"  # renamed
        "371302105260,371302105000,village,颐顺园村村民委员会\n"  # unchanged
        "371302105261,371302105000,village,新建村村民委员会\n"  # added
        "371312001000,371312000000,town,九曲街道\n"  # added, its parent comes further down the file
        "371312000000,371300000000,county,河东区\n"  # added
    )
    result = _import(session, text)
    session.commit()
    assert result == {"added": 3, "renamed": 1, "unchanged": 1}

    assert session.get(Region, "371302105259").name == "屠苏村"
    town = session.get(Region, "371312001000")
    assert (town.parent_code, town.level, town.name) == ("371312000000", Level.town, "九曲街道")
    assert session.get(Region, "371312000000").parent_code == "371300000000"


def test_import_accepts_a_byte_order_mark_and_spaces_around_values(session, regions):
    text = "\ufeff" + HEADER + " 371302105261 , 371302105000 ,village, 新建村 \n"
    assert _import(session, text) == {"added": 1, "renamed": 0, "unchanged": 0}
    assert session.get(Region, "371302105261").name == "新建村"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(session, regions):
    text = HEADER + "371302105261,371302105000,village,新建村村民委员会\n"
    _import(session, text)
    session.commit()
    before = _all_rows(session)
    assert _import(session, text) == {"added": 0, "renamed": 0, "unchanged": 1}
    session.commit()
    assert _all_rows(session) == before


# --- import: bad files are refused as a whole --------------------------------------------------

GOOD_LINE = "371302105261,371302105000,village,新建村村民委员会\n"  # would be added if the file were good


@pytest.mark.parametrize(
    "body, line, words",
    [
        pytest.param(GOOD_LINE + "37130210526,371302105000,village,短码村\n", 3, ["37130210526", "12 位数字"], id="11-digit code"),
        pytest.param(GOOD_LINE + "37130210526A,371302105000,village,字母村\n", 3, ["12 位数字"], id="letter in code"),
        pytest.param(GOOD_LINE + "371302105262,371302105000,town,错层村\n", 3, ["371302105262", "town", "不符"], id="wrong level for code"),
        pytest.param(GOOD_LINE + "371302105262,371302105000,hamlet,未知村\n", 3, ["hamlet"], id="unknown level"),
        pytest.param(GOOD_LINE + "371302105262,371302105000,village,\n", 3, ["名称"], id="empty name"),
        pytest.param(GOOD_LINE + "371399001000,371399000000,town,无主镇\n", 3, ["371399000000", "不存在"], id="missing parent"),
        pytest.param(GOOD_LINE + "371302105262,,village,孤村\n", 3, ["371302105262", "需要上级区划"], id="no parent"),
        pytest.param(GOOD_LINE + "371302105262,371302101000,village,错父村\n", 3, ["371302101000", "不包含"], id="parent not containing child"),
        pytest.param(GOOD_LINE + GOOD_LINE, 3, ["371302105261", "两次"], id="duplicate code"),
        pytest.param(GOOD_LINE + "420000000000,370000000000,province,湖北省\n", 3, ["省级区划没有上级区划"], id="province with a parent"),
        pytest.param(
            GOOD_LINE + "371302105259,371302101000,village,屠苏村村民委员会\n", 3, ["371302101000", "不包含"],
            id="moving an existing village to another town",
        ),
        pytest.param(
            GOOD_LINE + "371302000001,371302000000,village,县直属村\n", 3, ["371302000000", "不是上一级"],
            id="parent in the database two levels up",
        ),
        pytest.param(
            GOOD_LINE + "371312000000,371300000000,county,河东区\n371312000001,371312000000,village,县直属村\n", 4,
            ["371312000000", "不是上一级"], id="parent earlier in the file two levels up",
        ),
    ],
)
def test_bad_row_refuses_the_whole_file_with_its_line(session, regions, body, line, words):
    before = _all_rows(session)
    problems = _rejected(session, HEADER + body)
    assert [p[0] for p in problems] == [line]
    for word in words:
        assert word in problems[0][1]
    assert _all_rows(session) == before


def test_missing_column_refuses_the_file_at_the_header(session, regions):
    before = _all_rows(session)
    with pytest.raises(ImportRejected) as caught:
        rules.read_csv("region_code,parent_code,name\n371302105261,371302105000,新建村\n")
    [problem] = caught.value.errors
    assert problem.line == 1
    assert "缺少列" in str(problem.message) and "level" in str(problem.message)
    assert _all_rows(session) == before


def test_region_stored_under_another_parent_cannot_be_moved_by_import(session, regions):
    # Data loaded before the import checks existed: a village of 义堂镇 filed under 白沙埠镇.
    rules.insert_regions(
        session, [{"code": "371302105270", "parent_code": "371302101000", "level": "village", "name": "旧村"}]
    )
    session.commit()
    before = _all_rows(session)
    problems = _rejected(session, HEADER + GOOD_LINE + "371302105270,371302105000,village,新村\n")
    assert [p[0] for p in problems] == [3]
    assert "371302105270" in problems[0][1] and "不能改到其他上级区划之下" in problems[0][1]
    assert _all_rows(session) == before


def test_every_problem_of_the_file_is_reported_in_line_order(session, regions):
    text = HEADER + (
        "37130210526,371302105000,village,短码村\n"  # 2
        + GOOD_LINE  # 3
        + "371302105262,371302101000,village,错父村\n"  # 4
        + "420000000000,370000000000,province,湖北省\n"  # 5
    )
    assert [line for line, _ in _rejected(session, text)] == [2, 4, 5]


def test_missing_parent_after_a_rejected_row_is_reported_on_its_own_line(session, regions):
    text = HEADER + (
        "37130210526,371302105000,village,短码村\n"  # line 2: bad code
        "371399001000,371399000000,town,无主镇\n"  # line 3: parent does not exist
    )
    assert [line for line, _ in _rejected(session, text)] == [2, 3]


def test_parent_later_in_the_file_two_levels_up_is_refused(session, regions):
    before = _all_rows(session)
    text = HEADER + (
        "371312000001,371312000000,village,县直属村\n"  # a village directly below a county
        "371312000000,371300000000,county,河东区\n"
    )
    try:
        problems = _rejected(session, text)
    finally:
        session.rollback()
    assert [line for line, _ in problems] == [2]
    assert _all_rows(session) == before


def test_line_numbers_count_blank_lines(session, regions):
    text = HEADER + GOOD_LINE + "\n" + "371399001000,371399000000,town,无主镇\n"
    assert [line for line, _ in _rejected(session, text)] == [4]


def test_summary_counts_every_problem_even_when_only_50_are_listed(session, regions):
    text = HEADER + "".join(f"37130210{i:03d},371302105000,village,短码村\n" for i in range(60))
    with pytest.raises(ImportRejected) as caught:
        _import(session, text)
    assert len(caught.value.errors) == rules.MAX_REPORTED_ERRORS
    assert "60" in str(caught.value.message)


# --- export ------------------------------------------------------------------------------------


def _export_text(session, region=None) -> str:
    return "".join(rules.to_csv_lines(rules.export_rows(session, region)))


def test_export_of_a_subtree_lists_exactly_its_rows(session, regions):
    text = _export_text(session, session.get(Region, "371302000000"))
    lines = text.splitlines()
    assert lines[0] == "region_code,parent_code,level,name"
    assert lines[1:] == [
        "371302000000,371300000000,county,兰山区",
        "371302101000,371302000000,town,白沙埠镇",
        "371302101201,371302101000,village,白沙埠村村民委员会",
        "371302105000,371302000000,town,义堂镇",
        "371302105259,371302105000,village,屠苏村村民委员会",
        "371302105260,371302105000,village,颐顺园村村民委员会",
    ]


def test_export_then_import_into_an_empty_tree_reproduces_the_same_rows(session, deep_tree):
    original = _all_rows(session)
    text = _export_text(session)
    assert len(text.splitlines()) == len(original) + 1

    session.execute(delete(Region))
    session.commit()
    assert _all_rows(session) == []

    result = _import(session, text)
    session.commit()
    assert result == {"added": len(original), "renamed": 0, "unchanged": 0}
    assert _all_rows(session) == original
    assert _export_text(session) == text


def test_export_imported_over_the_same_tree_is_all_unchanged(session, regions):
    text = _export_text(session)
    assert _import(session, text) == {"added": 0, "renamed": 0, "unchanged": len(regions)}
