"""MovieLens 100K (shipped in the PyPI package recbole==1.2.1) converted to the exchange format.
Skipped only where that package is not installed (`pip install --no-deps recbole==1.2.1`)."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import pytest

from matching import real
from matching.data import load

HEADERS = {
    "regions.csv": "region_code,parent_code,level,name",
    "needs.csv": "need_id,created_at,category,region_code,urgency,amount_fen,slots,text",
    "helpers.csv": "helper_id,kind,region_code,skills,text,capacity",
    "interactions.csv": "helper_id,need_id,event,at,amount_fen",
}


@pytest.fixture(scope="module")
def source():
    try:
        return real.find_source()
    except FileNotFoundError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def converted(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("ml100k")
    return out, real.convert(out, source)


def rows(out, name):
    with open(out / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_source_is_the_pinned_release(source):
    assert real.verify(source)


def test_missing_source_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv(real.ENV_DIR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"pip install --no-deps recbole==1\.2\.1"):
        real.find_source()


def test_headers_are_exact(converted):
    out, _ = converted
    for name, header in HEADERS.items():
        with open(out / name, encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n") == header


def test_counts(converted):
    _, counts = converted
    assert counts["needs"] == 1682
    assert counts["helpers"] == 943
    assert counts["interactions"] == 100_000
    assert counts["events"] == {"deliver": 21201, "claim": 34174, "view": 27145, "withdraw": 11370, "dispute": 6110}
    assert counts["regions"] == 1 + 11 + 382  # root, 10 ZIP digits + Canada, ZIP3 / FSA leaves
    assert counts["first_at"].startswith("1997-09-20") and counts["last_at"].startswith("1998-04-22")


def test_timestamps_parse_and_needs_exist_before_their_interactions(converted):
    out, _ = converted
    created = {}
    for need in rows(out, "needs.csv"):
        moment = datetime.fromisoformat(need["created_at"])
        assert moment.tzinfo is not None
        created[need["need_id"]] = moment
    for inter in rows(out, "interactions.csv"):
        at = datetime.fromisoformat(inter["at"])
        assert datetime(1997, 9, 1, tzinfo=timezone.utc) < at < datetime(1998, 5, 1, tzinfo=timezone.utc)
        assert created[inter["need_id"]] <= at


def test_ids_and_regions_are_consistent(converted):
    out, _ = converted
    regions = {r["region_code"]: r for r in rows(out, "regions.csv")}
    assert [code for code, r in regions.items() if not r["parent_code"]] == [real.ROOT]
    assert all(r["parent_code"] in regions for r in regions.values() if r["parent_code"])
    needs = {n["need_id"]: n for n in rows(out, "needs.csv")}
    helpers = {h["helper_id"]: h for h in rows(out, "helpers.csv")}
    assert all(n["region_code"] == real.ROOT and n["slots"] == "1000000" for n in needs.values())
    assert all(h["region_code"] in regions and h["kind"] == "volunteer" and h["skills"] for h in helpers.values())
    for inter in rows(out, "interactions.csv"):
        assert inter["helper_id"] in helpers and inter["need_id"] in needs
    assert needs["m1"]["text"] == "Toy Story (1995) Animation Children's Comedy"
    assert needs["m1"]["category"] == "Animation"
    assert helpers["u1"]["region_code"] == "ml-us857" and helpers["u1"]["skills"] == "technician"
    assert regions["ml-us857"]["parent_code"] == "ml-us8"


def test_the_loader_accepts_it(converted):
    out, _ = converted
    data = load(out)
    assert (data.n_needs, data.n_helpers, len(data.inter_at)) == (1682, 943, 100_000)
    assert len(data.categories) == 19


def test_region_of_zip():
    assert [r[0] for r in real.region_of_zip("94043")] == ["ml-us9", "ml-us940"]
    assert [r[0] for r in real.region_of_zip("T8H1N")] == ["ml-ca", "ml-ca-t8h"]
    assert [r[0] for r in real.region_of_zip("?")] == ["ml-other"]
