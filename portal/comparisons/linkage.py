"""Record linkage of partner-list rows to files: exactly through the identity number's keyed hash
(the registry is never decrypted), else by name, birth date and place with a score.

Names are compared as written in simplified characters (OpenCC turns 張 into 张), by sound (the
toneless pinyin of each character: 晓 and 小 are both "xiao", the usual typing slip of a pinyin
input method), and with two characters swapped. A birth date off by its day, or with day and month
swapped, costs points; further off is another child. Two files that fit equally well are left to a
person (``ambiguous``) rather than guessed.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlmodel import Session

from portal.children.models import Child
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, subtree_bounds

ACCEPT = 85  # the lowest score a fuzzy match is accepted at
AMBIGUOUS_GAP = 5  # two files within this many points of each other: a person decides
NEAR_DATE_COST = 10
OTHER_VILLAGE_COST = 5
READ_BATCH = 20_000


@functools.cache
def _simplify():
    import opencc

    return opencc.OpenCC("t2s").convert


@functools.lru_cache(maxsize=20_000)
def _sound_of_char(char: str) -> str:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(char, errors="default")[0] if char else ""


def name_key(name: str) -> str:
    """The name as compared: simplified characters, without spaces or middle dots."""
    text = "".join((name or "").split()).replace("·", "").replace("•", "")
    return _simplify()(text) if text and not text.isascii() else text


def sound_of(key: str) -> str:
    return " ".join(_sound_of_char(c) for c in key)


def name_score(a: str, a_sound: str, b: str, b_sound: str) -> int:
    """0-100: the same name, the same sound, two characters swapped, or rapidfuzz's ratio."""
    if a == b:
        return 100
    if a_sound == b_sound:
        return 95
    if len(a) == len(b) and sorted(a) == sorted(b):
        return 90
    return int(max(fuzz.ratio(a, b), fuzz.ratio(a_sound, b_sound) - 10))


def date_cost(row: date, on_file: date) -> int | None:
    """0 for the same day; ``NEAR_DATE_COST`` for the day wrong in the right month, or day and
    month swapped; None for another date."""
    if row == on_file:
        return 0
    if row.year == on_file.year and (row.month == on_file.month or (row.month, row.day) == (on_file.day, on_file.month)):
        return NEAR_DATE_COST
    return None


@dataclass(frozen=True, slots=True)
class OnFile:
    id: int
    region_code: str
    birth_date: date
    key: str
    sound: str
    id_hash: str | None
    categories: tuple[str, ...]
    school_stage: str
    status: str


@dataclass(frozen=True, slots=True)
class Found:
    file: OnFile | None
    score: int = 0
    ambiguous: bool = False


class Registry:
    """The files of one region's subtree, held in memory for one comparison: keyed hash, name,
    birth date, village, categories, school stage and status (never an identity number)."""

    def __init__(self, files: list[OnFile]):
        self.by_hash = {f.id_hash: f for f in files if f.id_hash}
        self.by_birth: dict[date, list[OnFile]] = defaultdict(list)
        self.by_sound: dict[str, list[OnFile]] = defaultdict(list)
        for f in files:
            self.by_birth[f.birth_date].append(f)
            self.by_sound[f.sound].append(f)
        self.size = len(files)

    @classmethod
    def load(cls, session: Session, region_code: str) -> Registry:
        low, high = subtree_bounds(region_code, level_of_code(region_code))
        stmt = (select(Child.id, Child.region_code, Child.birth_date, Child.name, Child.id_number_hash,
                       Child.categories, Child.school_stage, Child.status)
                .where(Child.region_code.between(low, high)).execution_options(yield_per=READ_BATCH))
        files = []
        # Plain rows (not through the ORM): a province's 100,000 files are read in a few seconds.
        for child_id, code, born, name, id_hash, categories, stage, status in session.connection().execute(stmt):
            key = name_key(name)
            files.append(OnFile(child_id, code, born, key, sound_of(key), id_hash, tuple(categories or ()),
                                str(stage), str(status)))
        return cls(files)

    def exact(self, id_hash: str | None) -> OnFile | None:
        return self.by_hash.get(id_hash) if id_hash else None

    def fuzzy(self, name: str, born: date | None, id_hash: str | None, village: str | None) -> Found:
        """The file this row most likely is, by name and birth date (and village, when known).

        A file whose identity number is on file and differs from the row's (valid) one is another
        child, however alike the names.
        """
        if born is None or not name:
            return Found(None)
        key = name_key(name)
        sound = sound_of(key)
        seen: dict[int, tuple[int, OnFile]] = {}
        for f in (*self.by_birth.get(born, ()), *self.by_sound.get(sound, ())):
            if f.id in seen or (id_hash and f.id_hash and f.id_hash != id_hash):
                continue
            cost = date_cost(born, f.birth_date)
            # Another day of the same month is a typing slip only where the place agrees too: in a
            # province, someone of the same name is born in the same month more often than not.
            if cost is None or (cost and (not village or f.region_code != village)):
                continue
            score = name_score(key, sound, f.key, f.sound) - cost
            if village and f.region_code != village:
                score -= OTHER_VILLAGE_COST
            seen[f.id] = (score, f)
        ranked = sorted(seen.values(), key=lambda pair: (-pair[0], pair[1].id))
        if not ranked or ranked[0][0] < ACCEPT:
            return Found(None)
        best_score, best = ranked[0]
        if len(ranked) > 1 and ranked[1][0] >= ACCEPT and best_score - ranked[1][0] < AMBIGUOUS_GAP:
            return Found(None, best_score, ambiguous=True)
        return Found(best, best_score)


# --- places: the village a row's address or region names ---------------------------------------

_PLACE_END = re.compile(r"村|社区|居委会")
_ADMIN_END = re.compile(r"自治区|省|市|区|县|旗")
ADMIN_LEVELS = (Level.province, Level.city, Level.county)


def short_village_name(name: str) -> str:
    """"屠苏村村民委员会" is known as "屠苏村", "颐顺园社区居民委员会" as "颐顺园社区"."""
    for suffix, keep in (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"),
                         ("村委会", "村"), ("居民委员会", ""), ("居委会", "")):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if keep and stem.endswith(keep) else stem + keep
    return name


class Places:
    """Villages of one subtree by code and by the names they go by, and the names of the
    provinces, cities and counties inside and outside it, to tell where a row says the child lives."""

    def __init__(self, session: Session, region_code: str):
        self.low, self.high = subtree_bounds(region_code, level_of_code(region_code))
        self.villages: set[str] = set()
        by_name: dict[str, set[str]] = defaultdict(set)
        self.towns: dict[str, str] = {}
        stmt = select(Region.code, Region.name, Region.level).where(
            Region.code.between(self.low, self.high), Region.level.in_([Level.village, Level.town]))
        for code, name, level in session.execute(stmt):
            if level == Level.town:
                self.towns[code] = name
                continue
            self.villages.add(code)
            for variant in {name, short_village_name(name)}:
                by_name[variant].add(code)
        self.by_name = by_name
        self.inside_names: set[str] = set(self.towns.values())
        self.outside_names: set[str] = set()
        above = {region_code[:n] + "0" * (12 - n) for n in (2, 4, 6)}
        for code, name in session.execute(select(Region.code, Region.name).where(Region.level.in_(ADMIN_LEVELS))):
            if self.inside(code) or code in above:
                self.inside_names.add(name)
            else:
                self.outside_names.add(name)
        self.inside_names -= {""}

    def inside(self, code: str) -> bool:
        full = (code + "0" * 12)[:12]
        return self.low <= full <= self.high

    def _by_name(self, name: str, text: str) -> str | None:
        codes = self.by_name.get(name)
        if not codes:
            return None
        if len(codes) == 1:
            return next(iter(codes))
        # Several villages go by this name: the one whose town the text names too.
        fitting = [c for c in codes if self.towns.get(c[:9] + "000", "\0") in text]
        return fitting[0] if len(fitting) == 1 else None

    def names_outside(self, text: str) -> bool:
        """The address begins with a province, city or county outside the subtree ("河南省…",
        "…市罗庄区…" for a list of 兰山区)."""
        pos = 0
        for match in _ADMIN_END.finditer(text):
            if match.start() < pos:
                continue
            token = text[pos : match.end()]
            if len(token) < 2:
                return False
            if token in self.inside_names:
                pos = match.end()
                continue
            return token.endswith(("省", "自治区")) or token in self.outside_names
        return False

    def resolve(self, region: str, address: str) -> tuple[str | None, bool]:
        """(the village inside the subtree, or None; whether the row places the child outside it)."""
        region = "".join((region or "").split())
        if region.isdigit() and len(region) in (6, 9, 12):
            if not self.inside(region):
                return None, True
            return (region if region in self.villages else None), False
        text = "".join((address or "").split())
        if region:
            if self.names_outside(region):
                return None, True
            found = self._by_name(region, region + text)
            if found:
                return found, False
        if self.names_outside(text):
            return None, True
        for match in _PLACE_END.finditer(text):
            end = match.end()
            for start in range(max(0, match.start() - 8), match.start()):
                found = self._by_name(text[start:end], text)
                if found:
                    return found, False
        return None, False
