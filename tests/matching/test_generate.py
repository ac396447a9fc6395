"""The synthetic data generator of the recommender: files, ids, event rules and the structure it promises."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from matching.generate import CATEGORIES, EVENTS, KINDS, SCALES, SKILLS, SKILLS_FOR_CATEGORY, generate

HEADERS = {
    "regions": ["region_code", "parent_code", "level", "name"],
    "needs": ["need_id", "created_at", "category", "region_code", "urgency", "amount_fen", "slots", "text"],
    "helpers": ["helper_id", "kind", "region_code", "skills", "text", "capacity"],
    "interactions": ["helper_id", "need_id", "event", "at", "amount_fen"],
}
TIMESTAMP = re.compile(r"^2025-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("small")
    return directory, generate(directory, "small", seed=7)


@pytest.fixture(scope="module")
def data(small) -> dict:
    directory, _ = small
    tables = {name: _read(directory, name) for name in HEADERS}
    tables["need"] = {n["need_id"]: n for n in tables["needs"]}
    tables["helper"] = {h["helper_id"]: h for h in tables["helpers"]}
    tables["claims"] = [i for i in tables["interactions"] if i["event"] == "claim"]
    return tables


def test_writes_four_files_with_exact_headers_and_the_scale_sizes(small):
    directory, counts = small
    for name, header in HEADERS.items():
        raw = (directory / f"{name}.csv").read_bytes()
        assert raw.decode("utf-8").split("\n")[0] == ",".join(header)
        assert b"\r\n" not in raw and raw.endswith(b"\n")
        assert counts[name] == len(_read(directory, name))
    assert counts["needs"] == SCALES["small"]["needs"] == 4_000
    assert counts["helpers"] == SCALES["small"]["helpers"] == 1_000
    assert counts["interactions"] == SCALES["small"]["interactions"] == 25_000
    assert 3_500 < counts["regions"] < 5_500


def test_same_seed_gives_identical_files_and_another_seed_does_not(small, tmp_path):
    directory, _ = small
    generate(tmp_path / "again", "small", seed=7)
    generate(tmp_path / "other", "small", seed=8)
    for name in HEADERS:
        first = (directory / f"{name}.csv").read_bytes()
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == first
    assert (tmp_path / "other" / "interactions.csv").read_bytes() != (directory / "interactions.csv").read_bytes()


def test_unknown_scale_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path, "country")


def test_the_generator_imports_neither_flask_nor_the_portal():
    code = "import sys, matching.generate; print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'portal')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]"


def test_region_tree_has_statistical_codes_and_named_levels(data):
    regions = data["regions"]
    by_code = {r["region_code"]: r for r in regions}
    assert len(by_code) == len(regions)
    levels = Counter(r["level"] for r in regions)
    assert levels["province"] == 1 and levels["city"] == 1 and levels["county"] == 12
    assert 120 < levels["town"] < 200 and 3_000 < levels["village"] < 5_000
    assert by_code["370000000000"]["parent_code"] == ""
    shape = {"city": r"37\d\d0{8}", "county": r"37\d{4}0{6}", "town": r"37\d{7}000", "village": r"37\d{10}"}
    suffixes = {"city": "市", "county": "县区市", "town": "镇乡道", "village": "村区"}
    siblings = defaultdict(set)
    for region in regions[1:]:
        code, parent, level = region["region_code"], by_code[region["parent_code"]], region["level"]
        assert re.fullmatch(shape[level], code) and code not in (parent["region_code"],)
        assert LEVEL_ABOVE[level] == parent["level"]
        assert code.startswith(parent["region_code"].rstrip("0")[: {"city": 2, "county": 4, "town": 6,
                                                                      "village": 9}[level]])
        assert region["name"][-1] in suffixes[level]
        assert region["name"] not in siblings[parent["region_code"]]
        siblings[parent["region_code"]].add(region["name"])


LEVEL_ABOVE = {"city": "province", "county": "city", "town": "county", "village": "town"}


def test_needs_and_helpers_use_the_vocabulary_and_existing_regions(data):
    levels = {r["region_code"]: r["level"] for r in data["regions"]}
    for need in data["needs"]:
        assert TIMESTAMP.match(need["created_at"])
        assert need["category"] in CATEGORIES and levels[need["region_code"]] == "village"
        assert need["urgency"] in {"1", "2", "3"} and need["text"]
        amount, slots = int(need["amount_fen"]), int(need["slots"])
        assert 1 <= slots <= 5
        if amount:
            assert 50_000 <= amount <= 2_000_000 and slots == 1
    assert [n["need_id"] for n in data["needs"]] == [f"N{i:07d}" for i in range(1, 4_001)]
    money = Counter(n["category"] for n in data["needs"] if n["amount_fen"] != "0")
    assert money["tuition"] == sum(n["category"] == "tuition" for n in data["needs"])
    assert money["tuition"] + money["medical"] > 0.85 * sum(money.values())

    region_levels = {"volunteer": {"town"}, "organization": {"county"}, "donor": {"county", "city"}}
    capacity = {"volunteer": range(1, 6), "organization": range(10, 61), "donor": range(0, 11)}
    for helper in data["helpers"]:
        kind = helper["kind"]
        assert levels[helper["region_code"]] in region_levels[kind]
        assert int(helper["capacity"]) in capacity[kind] and helper["text"]
        assert set(filter(None, helper["skills"].split(";"))) <= set(SKILLS)
        if kind != "donor":
            assert helper["skills"]
    kinds = Counter(h["kind"] for h in data["helpers"])
    assert set(kinds) == set(KINDS) and 650 <= kinds["volunteer"] <= 750 and 60 <= kinds["organization"] <= 100


def test_interactions_follow_the_event_rules(data):
    need, helper = data["need"], data["helper"]
    interactions = data["interactions"]
    assert [i["at"] for i in interactions] == sorted(i["at"] for i in interactions)
    viewed, claimed, withdrawn, delivered = set(), set(), set(), set()
    open_claims, donated = Counter(), Counter()
    for row in interactions:
        pair, event, target = (row["helper_id"], row["need_id"]), row["event"], need[row["need_id"]]
        assert event in EVENTS and row["helper_id"] in helper and TIMESTAMP.match(row["at"])
        assert row["at"] >= target["created_at"]
        assert (int(row["amount_fen"]) > 0) == (event == "donate")
        if event == "view":
            viewed.add(pair)
        elif event == "claim":
            assert pair in viewed and pair not in claimed and target["amount_fen"] == "0"
            claimed.add(pair)
            open_claims[row["need_id"]] += 1
            assert open_claims[row["need_id"]] <= int(target["slots"])
        elif event == "withdraw":
            assert pair in claimed and pair not in withdrawn | delivered
            withdrawn.add(pair)
            open_claims[row["need_id"]] -= 1
        elif event == "deliver":
            assert pair in claimed and pair not in withdrawn
            delivered.add(pair)
        elif event == "dispute":
            assert pair in delivered
        else:
            assert pair in viewed and helper[row["helper_id"]]["kind"] == "donor" and target["amount_fen"] != "0"
            donated[row["need_id"]] += int(row["amount_fen"])
    assert all(total <= int(need[n]["amount_fen"]) for n, total in donated.items())
    assert sum(total == int(need[n]["amount_fen"]) for n, total in donated.items()) > 100  # fully funded ones

    events = Counter(i["event"] for i in interactions)
    assert set(events) == set(EVENTS)
    assert 0.05 < events["withdraw"] / events["claim"] < 0.11
    assert 0.7 < events["deliver"] / (events["claim"] - events["withdraw"]) < 0.85
    assert 3 < events["view"] / events["claim"] < 10
    claimed_needs = {i["need_id"] for i in data["claims"]}
    assert any(i["event"] == "view" and i["need_id"] not in claimed_needs for i in interactions)


def test_claims_are_local_follow_categories_skills_and_text(data):
    need, helper, claims = data["need"], data["helper"], data["claims"]
    volunteer_claims = [c for c in claims if helper[c["helper_id"]]["kind"] == "volunteer"]
    same_town = sum(need[c["need_id"]]["region_code"][:9] == helper[c["helper_id"]]["region_code"][:9]
                    for c in volunteer_claims)
    same_county = sum(need[c["need_id"]]["region_code"][:6] == helper[c["helper_id"]]["region_code"][:6]
                      for c in volunteer_claims)
    assert same_town / len(volunteer_claims) > 0.4 and same_county / len(volunteer_claims) > 0.6

    needs_per_category = Counter(n["category"] for n in data["needs"])
    per_need = {c: n / needs_per_category[c] for c, n in Counter(need[c["need_id"]]["category"] for c in claims).items()}
    assert min(per_need["education"], per_need["necessities"]) > 1.5 * max(per_need["safety"], per_need["other"])

    served = [bool(set(SKILLS_FOR_CATEGORY[need[c["need_id"]]["category"]]) & set(helper[c["helper_id"]]["skills"].split(";")))
              for c in claims if helper[c["helper_id"]]["kind"] != "donor"]
    assert 0.5 < sum(served) / len(served) < 0.8  # skills predict categories only partly

    # A helper whose bio names the subject claims needs about that subject more often than chance.
    subjects = ("数学", "英语", "语文", "物理")
    education = [c for c in claims if need[c["need_id"]]["category"] == "education"]
    matched = sum(any(s in need[c["need_id"]]["text"] and s in helper[c["helper_id"]]["text"] for s in subjects)
                  for c in education)
    texts = [need[c["need_id"]]["text"] for c in education]
    bios = [helper[c["helper_id"]]["text"] for c in education]
    chance = sum(sum(s in t for t in texts) * sum(s in b for b in bios) for s in subjects) / len(education) ** 2
    assert matched / len(education) > 1.5 * chance


def test_activity_is_heavy_tailed_and_donors_give_repeatedly(data):
    per_helper = Counter(i["helper_id"] for i in data["interactions"])
    counts = sorted(per_helper.get(h, 0) for h in data["helper"])
    median, top = counts[len(counts) // 2], counts[-len(counts) // 100:]
    assert max(counts) > 10 * median and sum(top) > 0.08 * len(data["interactions"])
    gifts = Counter(i["helper_id"] for i in data["interactions"] if i["event"] == "donate")
    assert sum(n >= 2 for n in gifts.values()) > 0.5 * len(gifts)
    organization_claims = Counter(c["helper_id"] for c in data["claims"] if data["helper"][c["helper_id"]]["kind"]
                                  == "organization")
    volunteer_claims = Counter(c["helper_id"] for c in data["claims"] if data["helper"][c["helper_id"]]["kind"]
                               == "volunteer")
    assert sum(organization_claims.values()) / 80 > 2 * sum(volunteer_claims.values()) / 700
