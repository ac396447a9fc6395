"""A partner list drawn from the registry, with the mistakes real lists have, and the truth of
each row: to judge the matching (``quality``) in the tests and in ``bench/compare.py``.

Rows: children on file as written (identity number, name, birth date, address); without an
identity number; with a homophone typed for a character (晓 for 小: a pinyin input method's slip);
with two characters of the given name swapped; in traditional characters; with a wrong birth day
and no identity number; with a mistyped identity number; namesakes from another county (a file's
name and birth date, another county's identity number and address); twins not on file (a file's
surname, village and birth date, another given name); and people not on file.
"""

from __future__ import annotations

import csv
import functools
import io
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from portal.children import idnumber
from portal.children.demo import GIVEN_NAMES, SURNAMES
from portal.children.models import Child
from portal.comparisons.linkage import short_village_name, sound_of
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, subtree_bounds

HEADINGS = {"name": "姓名", "id_number": "公民身份号码", "birth_date": "出生年月", "guardian": "户主姓名",
            "address": "家庭住址"}
# Characters typed for others that sound the same (toneless pinyin): the slips of pinyin input.
HOMOPHONES = {
    "子": "紫梓", "涵": "寒含", "浩": "昊皓", "然": "燃", "欣": "新心馨", "怡": "宜仪", "梓": "子紫", "轩": "宣萱",
    "雨": "宇语", "桐": "童彤", "宇": "雨语", "航": "杭", "思": "斯丝", "远": "源元", "佳": "家嘉", "俊": "骏峻",
    "杰": "洁捷", "紫": "子梓", "萱": "轩宣", "诺": "糯", "明": "鸣铭", "诗": "师施", "琪": "奇淇", "晨": "辰臣",
    "曦": "熙希", "若": "弱", "汐": "希夕", "博": "搏", "文": "雯闻", "嘉": "佳家", "天": "添", "佑": "又右",
    "梦": "孟", "皓": "浩昊", "语": "雨宇", "嫣": "烟", "泽": "则", "可": "柯珂", "馨": "欣心", "一": "依伊",
    "小": "晓筱", "晓": "小筱",
}
# (kind, share of the rows, whether the row is a child on file)
KINDS = [
    ("as_on_file", 0.34, True), ("no_id", 0.09, True), ("homophone", 0.08, True), ("swapped", 0.05, True),
    ("traditional", 0.07, True), ("wrong_day", 0.06, True), ("bad_id", 0.05, True),
    ("other_county", 0.08, False), ("twin", 0.06, False), ("not_on_file", 0.12, False),
]
OTHER_COUNTY = "411302"  # 南阳市宛城区 (Henan): never inside a Shandong registry


def _homophone(name: str, rng) -> str:
    spots = [i for i in range(1, len(name)) if name[i] in HOMOPHONES]
    if not spots:
        return name
    i = rng.choice(spots)
    return name[:i] + rng.choice(HOMOPHONES[name[i]]) + name[i + 1 :]


def _swapped(name: str, rng) -> str:
    if len(name) >= 3 and name[1] != name[2]:
        return name[0] + name[2] + name[1] + name[3:]
    return _homophone(name, rng)


@functools.cache
def _to_traditional():
    import opencc

    return opencc.OpenCC("s2t").convert


def _traditional(name: str) -> str:
    return _to_traditional()(name)


def _other_day(born: date, rng) -> date:
    days = [d for d in range(1, 29) if d != born.day]
    return born.replace(day=rng.choice(days))


def _mistyped(number: str) -> str:
    # One digit of the sequence changed: the check digit no longer fits.
    digit = str((int(number[15]) + 3) % 10)
    return number[:15] + digit + number[16:]


def generate(session: Session, region_code: str, rows: int, rng) -> tuple[list[dict], list[int | None]]:
    """``rows`` partner rows (by ``HEADINGS``) over ``region_code``'s subtree and, for each, the id
    of the file it is (None for people who are not on file in the region)."""
    low, high = subtree_bounds(region_code, level_of_code(region_code))
    places = {code: name for code, name in session.execute(
        select(Region.code, Region.name).where(Region.code.between(low, high),
                                               Region.level.in_([Level.town, Level.village])))}
    villages = sorted(c for c in places if level_of_code(c) == Level.village)
    counts = [round(rows * share) for _kind, share, _on_file in KINDS]
    counts[0] += rows - sum(counts)
    on_file = sum(n for n, (kind, _s, known) in zip(counts, KINDS, strict=True) if known or kind != "not_on_file")
    every = list(session.scalars(select(Child.id).where(Child.region_code.between(low, high)).order_by(Child.id)))
    ids = sorted(rng.sample(every, min(on_file, len(every))))
    drawn = []
    for start in range(0, len(ids), 2000):
        drawn.extend(session.execute(
            select(Child.id, Child.name, Child.birth_date, Child.id_number, Child.region_code, Child.gender)
            .where(Child.id.in_(ids[start : start + 2000])).order_by(Child.id)).all())
    rng.shuffle(drawn)
    out, truth = [], []

    def address(code: str) -> str:
        town = places.get(code[:9] + "000", "")
        return f"{town}{short_village_name(places.get(code, ''))}{rng.randint(1, 99)}号"

    sequence = iter(range(10**6))
    for (kind, _share, _known), n in zip(KINDS, counts, strict=True):
        for _ in range(n):
            if kind == "not_on_file" or not drawn:
                born = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
                name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
                village = rng.choice(villages)
                out.append({"name": name, "id_number": "", "birth_date": born.isoformat(), "address": address(village)})
                truth.append(None)
                continue
            child_id, name, born, number, village, gender = drawn.pop()
            row = {"name": name, "id_number": number or "", "birth_date": born.isoformat(), "address": address(village),
                   "guardian": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)}
            if kind == "other_county":
                # A namesake born the same day in another county (another child).
                order = 500 + next(sequence) % 400
                row["id_number"] = idnumber.make(OTHER_COUNTY, born, 2 * order + (1 if gender == "male" else 0))
                row["address"] = f"河南省南阳市宛城区{rng.choice('东西南北')}关村{rng.randint(1, 99)}号"
                if rng.random() < 0.5:
                    row["id_number"] = ""
                out.append(row)
                truth.append(None)
                continue
            if kind == "twin":
                # A brother or sister born the same day in the same village, not on file.
                given = rng.choice([g for g in GIVEN_NAMES if sound_of(g) != sound_of(name[1:])])
                out.append({"name": name[0] + given, "id_number": "", "birth_date": born.isoformat(),
                            "address": address(village)})
                truth.append(None)
                continue
            if kind != "as_on_file" and kind != "bad_id":
                row["id_number"] = ""
            if kind == "homophone":
                row["name"] = _homophone(name, rng)
            elif kind == "swapped":
                row["name"] = _swapped(name, rng)
            elif kind == "traditional":
                row["name"] = _traditional(name)
            elif kind == "wrong_day":
                row["birth_date"] = _other_day(born, rng).isoformat()
            elif kind == "bad_id" and number:
                row["id_number"] = _mistyped(number)
            out.append(row)
            truth.append(child_id)
    order = list(range(len(out)))
    rng.shuffle(order)
    return [out[i] for i in order], [truth[i] for i in order]


def as_csv(rows: list[dict], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    keys = list(HEADINGS)
    writer.writerow([HEADINGS[k] for k in keys])
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return buffer.getvalue().encode(encoding)


def quality(predicted: list[int | None], truth: list[int | None]) -> dict:
    """Precision (matches that are the right file) and recall (files on the list that were found)."""
    made = [(p, t) for p, t in zip(predicted, truth, strict=True) if p is not None]
    right = sum(1 for p, t in made if p == t)
    expected = sum(1 for t in truth if t is not None)
    return {"precision": round(right / len(made), 4) if made else 1.0,
            "recall": round(right / expected, 4) if expected else 1.0, "matched": len(made), "expected": expected}
