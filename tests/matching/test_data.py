"""Reading the exchange format: exact columns, every bad row named, nothing half-loaded."""

from __future__ import annotations

import numpy as np
import pytest

from matching.data import DataError, load, write
from tests.matching.conftest import make_rows


def test_loads_the_four_files(data_dir):
    data = load(data_dir)
    assert data.n_needs == 11 and data.n_helpers == 6 and len(data.inter_at) == 15
    assert data.categories[data.need_category[data.need_index["M1"]]] == "tuition"
    assert data.helper_skills[data.helper_index["H2"]] == ("tutoring", "arts")
    # 2025-03-03T12:00:00+08:00 is 04:00 UTC
    assert data.inter_at.min() == pytest.approx(1740974400.0)


def test_region_tree_levels(data_dir):
    data = load(data_dir)
    regions = data.regions
    index = regions.index
    same_village = regions.common_level(np.array([index["371302001001"]]), np.array([index["371302001001"]]))
    town_village = regions.common_level(np.array([index["371302001000"]]), np.array([index["371302001001"]]))
    two_towns = regions.common_level(np.array([index["371302001000"]]), np.array([index["371302002001"]]))
    two_counties = regions.common_level(np.array([index["371302001000"]]), np.array([index["371311001001"]]))
    assert [same_village[0], town_village[0], two_towns[0], two_counties[0]] == [5, 4, 3, 2]


def test_extra_columns_and_a_byte_order_mark_are_fine(tmp_path):
    rows = make_rows()
    write(tmp_path, rows)
    path = tmp_path / "helpers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",note"] + [line + ",x" for line in lines[1:]]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert load(tmp_path).n_helpers == 6


@pytest.mark.parametrize(
    ("file", "row", "reason"),
    [
        ("needs.csv", ("N9", "2025-03-01T09:00:00", "education", "999", 2, 0, 1, "x"), "region_code '999' is not in"),
        ("needs.csv", ("N9", "yesterday", "education", "371302001001", 2, 0, 1, "x"), "Invalid isoformat"),
        ("needs.csv", ("N9", "2025-03-01T09:00:00", "education", "371302001001", 4, 0, 1, "x"), "outside 1–3"),
        ("needs.csv", ("N1", "2025-03-01T09:00:00", "education", "371302001001", 2, 0, 1, "x"), "appears twice"),
        ("helpers.csv", ("H9", "robot", "371302001000", "", "", 1), "kind 'robot' is not one of"),
        ("helpers.csv", ("H9", "volunteer", "371302001000", "", "", -1), "outside 0–"),
        ("interactions.csv", ("H1", "N404", "claim", "2025-03-01T09:00:00", 0), "need_id 'N404' is not in"),
        ("interactions.csv", ("H1", "N1", "like", "2025-03-01T09:00:00", 0), "event 'like' is not one of"),
        ("interactions.csv", ("H4", "M1", "donate", "2025-03-01T09:00:00", 0), "a donation needs amount_fen"),
    ],
)
def test_a_bad_row_is_named_and_refuses_the_whole_set(tmp_path, file, row, reason):
    rows = make_rows()
    rows[file] = [*rows[file], row]
    write(tmp_path, rows)
    with pytest.raises(DataError) as refused:
        load(tmp_path)
    [(name, line, why)] = refused.value.problems
    assert name == file and line == len(rows[file]) + 1  # the header is line 1
    assert reason in why
    assert f"{file}:{line}:" in str(refused.value)


def test_a_missing_column_or_file_is_refused(tmp_path):
    write(tmp_path, make_rows())
    (tmp_path / "regions.csv").unlink()
    text = (tmp_path / "needs.csv").read_text(encoding="utf-8").replace("urgency,", "priority,", 1)
    (tmp_path / "needs.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as refused:
        load(tmp_path)
    reasons = {(name, why) for name, _line, why in refused.value.problems}
    assert ("regions.csv", "file is missing") in reasons
    assert ("needs.csv", "header lacks column(s): urgency") in reasons


def test_open_needs_follow_places_and_money(data_dir):
    data = load(data_dir)
    open_ids = {data.need_ids[i] for i in data.open_needs()}
    # N1 has 2 places and 2 claims; N4's only claim was withdrawn; M1 got 500 of 2,000 yuan.
    assert "N1" not in open_ids and "N4" in open_ids and "M1" in open_ids
    assert "N3" not in open_ids  # two claims on two places
