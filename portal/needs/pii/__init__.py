"""The check that a need's public summary reveals nobody (DESIGN §2: "before a need is published, its
public summary is checked for identity numbers, phone numbers, the child's name and addresses").

``find_pii`` looks for identity numbers, mobile and landline numbers, the names of the child and the
guardians, and addresses below town level (house, building, unit and room numbers, village groups,
and the names of the child's village and its neighbours). It is deliberately a little eager: a false
alarm costs staff a rewording, a miss exposes a child. Ordinary text — ages, grades, amounts, dates,
counts, percentages, the town and county — passes.

Matching runs on a normalised copy of the text, so that "张 小 明", "张·小明", "王、芳", "１３８…",
"一三九零五三九…" and "139/0539/1234" are caught:

- full-width characters are folded to ASCII, and invisible characters (format characters such as
  zero-width spaces, bidi controls and tag characters, combining and enclosing marks, variation
  selectors, Hangul fillers, control characters) are dropped everywhere;
- spaces and dots between Chinese characters (or a Chinese character and a digit) are dropped;
- runs of 7 or more numerals written digit by digit (一三九零…, 壹叁玖…, mixed with ASCII digits,
  perhaps separated like numbers) are read as digits — words such as 一二年级 or 十一岁 are not;
- numbers may have spaces, dashes, slashes, commas, 、, dots or underscores between their digit groups;
- for names and village names only, any run of punctuation, symbols and spaces between two Chinese
  characters is dropped ("3、4年级" is read as it is everywhere else).

Every hit is reported in positions of the original text. Not handled: names written in pinyin
(unless the pinyin is given as a name), digits written as look-alike letters ("13O…"), and digits
inside a longer digit run (a name ending in 三 written right before a number in numerals).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

ID_NUMBER = "id_number"
MOBILE = "mobile"
LANDLINE = "landline"
NAME = "name"
ADDRESS = "address"

LABELS = {
    ID_NUMBER: _l("Identity number"),
    MOBILE: _l("Mobile number"),
    LANDLINE: _l("Telephone number"),
    NAME: _l("Name of the child or a guardian"),
}
ADDRESS_LABEL = _l("Exact address (house, building, unit, room or village group number)")
VILLAGE_LABEL = _l("Village or community name")

# When hits of equal length overlap, the one earlier in this list names the merged hit.
_PRIORITY = (ID_NUMBER, MOBILE, LANDLINE, NAME, ADDRESS)

# --------------------------------------------------------------------------------------------------
# Normalisation

_ZERO_WIDTH = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
# Letters that show as blank space: Hangul fillers (U+3164 and U+FFA0 fold to U+1160).
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
# Format characters, combining and enclosing marks (also variation selectors), control characters.
_INVISIBLE_CATEGORIES = frozenset(("Cf", "Mn", "Me", "Cc"))
_BLANKS = frozenset("\u2800")  # braille blank: shown as a space
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
# Characters people put between the characters of a name or a number: dropped between two Chinese
# characters, or between a Chinese character and a digit.
_SEPARATORS = frozenset(" ·・‧•∙⋅.-_")


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or cp == 0x3007  # 〇
    )


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _invisible(ch: str) -> bool:
    """A character that shows nothing (or nothing of its own) and is dropped before matching."""
    if ch in _ZERO_WIDTH or ch in _FILLERS or 0xE0000 <= ord(ch) <= 0xE007F:  # tag characters
        return True
    return unicodedata.category(ch) in _INVISIBLE_CATEGORIES and not ch.isspace()


def _fold(ch: str) -> str:
    """One character of the original, folded: whitespace → " ", dashes → "-", NFKC otherwise
    (full-width digits, letters, parentheses and spaces become ASCII)."""
    if ch.isspace() or ch in _BLANKS:
        return " "
    if ch in _DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", ch)
    if folded in _DASHES:
        return "-"
    return "".join(" " if c.isspace() else c for c in folded) or ch


def _clean(value: str) -> str:
    """``value`` folded, without invisible characters."""
    return "".join(c for ch in value if not _invisible(ch) for c in _fold(ch) if not _invisible(c))


def _joinable(left: str | None, right: str | None) -> bool:
    if left is None or right is None:
        return False
    if _is_digit(left) and _is_digit(right):
        return False  # "3 5", "2025-2026", "138 1234 5678": the number patterns handle those
    return (_is_cjk(left) or _is_digit(left)) and (_is_cjk(right) or _is_digit(right))


def _normalise(text: str) -> tuple[str, list[int]]:
    """Folded, invisible characters dropped, separators between Chinese characters dropped; with
    the index of the original character every character comes from. Numerals are left as they are."""
    folded: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if _invisible(ch):
            continue
        for c in _fold(ch):
            if not _invisible(c):
                folded.append((c, i))

    out: list[str] = []
    index: list[int] = []
    k = 0
    while k < len(folded):
        c, i = folded[k]
        if c in _SEPARATORS:
            j = k
            while j < len(folded) and folded[j][0] in _SEPARATORS:
                j += 1
            right = folded[j][0] if j < len(folded) else None
            if not _joinable(out[-1] if out else None, right):
                for c2, i2 in folded[k:j]:
                    out.append(c2)
                    index.append(i2)
            k = j
            continue
        out.append(c)
        index.append(i)
        k += 1
    return "".join(out), index


# Chinese numerals written digit by digit ("一三九零…", "壹叁玖…", "幺" for 1 and "两" for 2 when
# reading out numbers, "○" often written for 〇).
_NUMERALS = {
    **dict.fromkeys("零〇○◯", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二两兩贰貳", "2"),
    **dict.fromkeys("三叁參叄", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
# Between the digit groups of a number (after folding: "，" is ",", "．" is ".", "／" is "/").
_GROUP_SEPARATORS = " \\-/,、._·・"
_DIGIT_CLASS = "0-9" + "".join(_NUMERALS)
_NUMERAL_RUN = re.compile(rf"[{_DIGIT_CLASS}](?:[{_GROUP_SEPARATORS}]{{0,2}}[{_DIGIT_CLASS}])*")
_MIN_NUMERAL_RUN = 7  # "一二年级", "三四个孩子", "一二三四五六册" are words, not numbers
_MIN_CHINESE_NUMERALS = 3  # "138，464，181三四个孩子": a list of numbers, then a word


def _fold_numerals(norm: str) -> str:
    """Runs of 7 or more digits and digit-by-digit Chinese numerals, 3 or more of them Chinese, read
    as ASCII digits (one character for one, so positions do not change). 十, 百, 千 end a run:
    "十一岁" is a word."""

    def read(m: re.Match) -> str:
        run = m.group()
        chinese = sum(c in _NUMERALS for c in run)
        if chinese < _MIN_CHINESE_NUMERALS or chinese + sum(map(_is_digit, run)) < _MIN_NUMERAL_RUN:
            return run
        return "".join(_NUMERALS.get(c, c) for c in run)

    return _NUMERAL_RUN.sub(read, norm)


def normalise(text: str) -> tuple[str, list[int]]:
    """The text as it is matched for numbers and addresses, and for every character of it the index
    of the original character it comes from."""
    norm, index = _normalise(text)
    return _fold_numerals(norm), index


def _is_gap(ch: str) -> bool:
    return ch == " " or unicodedata.category(ch)[0] in "PS"


def _join_cjk(norm: str) -> tuple[str, list[int]]:
    """``norm`` without any run of punctuation, symbols and spaces between two Chinese characters
    ("王、芳", "王/芳", "王 | 芳"), as names and places are matched; with, for every character, its
    position in ``norm``."""
    out: list[str] = []
    positions: list[int] = []
    k = 0
    while k < len(norm):
        if _is_gap(norm[k]) and out and _is_cjk(out[-1]):
            j = k
            while j < len(norm) and _is_gap(norm[j]):
                j += 1
            if j < len(norm) and _is_cjk(norm[j]):
                k = j
                continue
        out.append(norm[k])
        positions.append(k)
        k += 1
    return "".join(out), positions


def _compact(value: str) -> str:
    """A name or place as it is searched for: folded, without any separator or invisible character."""
    return _join_cjk("".join(c for c in _clean(value) if c not in _SEPARATORS))[0]


# --------------------------------------------------------------------------------------------------
# Numbers

# Between two digits of a number: nothing, or up to two of - / , 、 . _ · with a space on either side
# ("138 1234", "138-1234", "138 - 1234", "139/0539", "139，0539", "139.0539", "139、0539").
_S = r"(?: ?[\-/,、._·・]{0,2} ?)"
_D = "[0-9]"

_ID18 = re.compile(rf"(?<![0-9])[1-9](?:{_S}{_D}){{16}}{_S}[0-9Xx](?![0-9])")
_ID15 = re.compile(rf"(?<![0-9])[1-9](?:{_S}{_D}){{14}}(?![0-9])")
_MOBILE = re.compile(rf"(?<![0-9+])(?:\(?(?:\+|00)?86\)?{_S})?1{_S}[3-9](?:{_S}{_D}){{9}}(?![0-9])")
# Area code (3–4 digits, with a leading 0, perhaps in parentheses) and a local number of 7–8 digits.
_LANDLINE = re.compile(rf"(?<![0-9])(?:\( ?0[0-9]{{2,3}} ?\)|0[0-9]{{2,3}}){_S}[0-9]{{3,4}}{_S}[0-9]{{4}}(?![0-9])")
_SERVICE = re.compile(rf"(?<![0-9])[48]00(?:{_S}{_D}){{7}}(?![0-9])")  # 400 / 800 numbers
# A local number without its area code counts only when the text says it is a phone number.
_LOCAL = re.compile(
    rf"(?:电话|手机|座机|固话|联系方式|联系|热线|拨打|致电|tel|phone)[^0-9\n]{{0,6}}?(?<![0-9])([0-9]{{3,4}}{_S}[0-9]{{4}})(?![0-9])",
    re.IGNORECASE,
)


def _birth_date_ok(yyyymmdd: str) -> bool:
    year, month, day = yyyymmdd[:4], int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    return year[:2] in ("18", "19", "20") and 1 <= month <= 12 and 1 <= day <= 31


def _digits(number: str) -> str:
    return re.sub(r"[^0-9Xx]", "", number)


_PUNCTUATION_SEPARATORS = re.compile(r"[/,、._·・]")


def _not_a_number(number: str) -> bool:
    """Digits that the number patterns match but that are not one phone or identity number.

    - Thousands grouped with commas ("13,500,000,000") are an amount, whatever the digits.
    - A number written with one of / , 、 . _ · has groups of 3 or more digits ("139/0539/1234",
      "371302.20150101.123X"); shorter groups are dates, lists or amounts ("2026.09.01",
      "165，101，418，12", "130、150、180、20"). A country code "86" is not a group.
    - A number is written with one kind of separator, spaces aside ("139 / 0539 / 1234"); two kinds
      join several numbers ("2023.07.26—2024.01.08", "3,000、5,000")."""
    groups = [g for g in re.split(r"[^0-9Xx]+", number) if g]
    separators = re.findall(r"[^0-9Xx]+", number.strip("()+ "))
    if separators and all(sep.strip() == "," for sep in separators) and all(len(g) == 3 for g in groups[1:]):
        return True
    if not _PUNCTUATION_SEPARATORS.search(number):
        return False
    if groups and groups[0] == "86":
        groups = groups[1:]
    kinds = set(re.findall(r"[\-/,、._·・]", number))
    return len(kinds) > 1 or any(len(g) < 3 for g in groups)


def _scan(pattern: re.Pattern, norm: str, accept=lambda m: True):
    """The matches of ``pattern`` that ``accept`` takes; after a refused match the search resumes
    one character later, so a number inside or after it is still found."""
    position = 0
    while (m := pattern.search(norm, position)) is not None:
        if accept(m):
            yield m
            position = max(m.end(), m.start() + 1)
        else:
            position = m.start() + 1


def _numbers(norm: str):
    def id18(m):
        return not _not_a_number(m.group()) and _birth_date_ok(_digits(m.group())[6:14])

    def id15(m):
        return not _not_a_number(m.group()) and _birth_date_ok("19" + _digits(m.group())[6:12])

    def phone(m):
        return not _not_a_number(m.group(m.lastindex or 0))

    for pattern, check in ((_ID18, id18), (_ID15, id15)):
        for m in _scan(pattern, norm, check):
            yield m.start(), m.end(), ID_NUMBER, LABELS[ID_NUMBER]
    for m in _scan(_MOBILE, norm, phone):
        yield m.start(), m.end(), MOBILE, LABELS[MOBILE]
    for pattern in (_LANDLINE, _SERVICE):
        for m in _scan(pattern, norm, phone):
            yield m.start(), m.end(), LANDLINE, LABELS[LANDLINE]
    for m in _scan(_LOCAL, norm, phone):
        yield m.start(1), m.end(1), LANDLINE, LABELS[LANDLINE]


# --------------------------------------------------------------------------------------------------
# Addresses below town level

_CJK = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_CN_NUM = "[一二三四五六七八九十百零〇两]"
_CN_GROUP_NUM = "[一二三四五六七八九十]"
# A road or lane name before a house number ("幸福路18号"), not starting with a word of the sentence.
_ROAD = rf"(?:(?![在住于是的到从向和与及了位处距离]){_CJK}){{1,4}}?(?:大街|大道|胡同|路|街|巷|弄|里)"

_ADDRESS_PATTERNS = [
    re.compile(p)
    for p in (
        rf"(?<![0-9]){_ROAD}[0-9]+号(?:楼|院)?",
        # "12号", "3号楼" — but not dates ("9月1号"), sizes ("36号鞋", "穿160号", "尺码160号") or lines ("3号线").
        r"(?<![0-9月码穿])[0-9]+号(?:楼|院)?(?![鞋码线衣裤])",
        rf"(?<!{_CN_NUM}){_CN_NUM}+号(?:楼|院)",
        r"(?<![0-9])[0-9]+(?:栋|幢|弄|巷|室)",
        # "2单元", "三单元" — but not a textbook's "第2单元".
        r"(?<![0-9第])[0-9]+单元",
        rf"(?<![第]){_CN_NUM}+单元",
        # Village groups ("5组", "三组", "3村民小组") — but not "分成三组" or "三组织".
        r"(?<![0-9分成为])[0-9]+(?:村民小组|组)(?![织成合建装员])",
        rf"(?<![一二三四五六七八九十分成为]){_CN_GROUP_NUM}+(?:村民小组|组)(?![织成合建装员])",
    )
]

# Suffixes of village-level names that may be left out in a text ("张家庄村" written "张家庄").
_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "嘎查", "村")
# A village name followed by one of these is the name of a town ("李村" vs "李村镇"); shortened, also
# of a county or city ("城关社区" vs "城关镇", "城关区").
_TOWN_SUFFIXES = ("镇", "乡", "街道")
_HIGHER_SUFFIXES = (*_TOWN_SUFFIXES, "县", "区", "市")
_NOT_HIGHER = ("区域", "市场")


def _names_a_higher_level(norm: str, end: int, shortened: bool) -> bool:
    rest = norm[end:]
    return rest.startswith(_HIGHER_SUFFIXES if shortened else _TOWN_SUFFIXES) and not rest.startswith(_NOT_HIGHER)


def _addresses(norm: str):
    for pattern in _ADDRESS_PATTERNS:
        for m in pattern.finditer(norm):
            yield m.start(), m.end(), ADDRESS, ADDRESS_LABEL


# --------------------------------------------------------------------------------------------------
# Names and places

# Two-character surnames: the given name is what follows them.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 慕容 令狐 皇甫 东方 夏侯 公孙 尉迟 长孙 宇文 司徒 端木 司空 南宫 西门 轩辕 呼延 独孤 "
    "万俟 闻人 澹台 公冶 太史 申屠 钟离 百里 东郭 濮阳 单于".split()
)
_NAME_DOTS = re.compile(r"[·・‧•∙⋅.]")
_LATIN_SPLIT = re.compile(r"[\s.·・\-_]+")
_LATIN_LETTER = "A-Za-z0-9\u00c0-\u024f"


def name_variants(name: str) -> list[str]:
    """The strings a Chinese name is searched for: the full name and, for names of 3 or more
    characters, the given name when it has 2 or more. Names of transliterated minorities
    ("买买提·艾力") are searched for in full and by each part of 2 or more characters."""
    full = _compact(name)
    if len(full) < 2:
        return []
    variants = [full]
    parts = [_compact(p) for p in _NAME_DOTS.split(name)]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        variants += [p for p in parts if len(p) >= 2]
    elif len(full) >= 3:
        given = full[2:] if full[:2] in COMPOUND_SURNAMES else full[1:]
        if len(given) >= 2:
            variants.append(given)
    return list(dict.fromkeys(variants))


def place_variants(place: str) -> list[tuple[str, bool]]:
    """(string, shortened) pairs a village name is searched for: the full name and the name without
    its 村/社区/村民委员会/… suffixes, as long as 2 or more characters remain."""
    full = _compact(place)
    if len(full) < 2:
        return []
    variants = [(full, False)]
    stem = full
    while suffix := next((s for s in _VILLAGE_SUFFIXES if stem.endswith(s)), None):
        # "屠苏村村民委员会" → "屠苏村" → "屠苏"; "城关社区居委会" → "城关社区" → "城关"
        stem = stem[: -len(suffix)]
        if len(stem) < 2:
            break
        variants.append((stem, True))
    return variants


def _latin_pattern(value: str) -> re.Pattern | None:
    words = [w for w in _LATIN_SPLIT.split(_clean(value).strip()) if w]
    if sum(len(w) for w in words) < 2:
        return None
    orders = [words]
    if len(words) == 2:  # "Lily Wang" is also written "Wang Lily"
        orders.append(words[::-1])
    body = "|".join(r"[\s.·・\-_]*".join(re.escape(w) for w in order) for order in orders)
    return re.compile(rf"(?<![{_LATIN_LETTER}])(?:{body})(?![{_LATIN_LETTER}])", re.IGNORECASE)


def _occurrences(norm: str, needle: str):
    start = norm.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = norm.find(needle, start + 1)


def _cjk_occurrences(joined: tuple[str, list[int]], needle: str):
    """(start, end) in the normalised text of ``needle`` found in ``joined``, that text with
    punctuation between Chinese characters dropped."""
    text, positions = joined
    for start, end in _occurrences(text, needle):
        yield positions[start], positions[end - 1] + 1


def _names(norm: str, joined: tuple[str, list[int]], names: list[str]):
    label = LABELS[NAME]
    for name in names:
        if any(_is_cjk(c) for c in name):
            for variant in name_variants(name):
                for start, end in _cjk_occurrences(joined, variant):
                    yield start, end, NAME, label
        elif pattern := _latin_pattern(name):
            for m in pattern.finditer(norm):
                yield m.start(), m.end(), NAME, label


def _places(norm: str, joined: tuple[str, list[int]], places: list[str]):
    for place in places:
        if any(_is_cjk(c) for c in place):
            for variant, shortened in place_variants(place):
                for start, end in _cjk_occurrences(joined, variant):
                    # "李村镇" is the town, "李村，镇上" the village.
                    if _names_a_higher_level(norm, end, shortened):
                        continue
                    yield start, end, ADDRESS, VILLAGE_LABEL
        elif pattern := _latin_pattern(place):
            for m in pattern.finditer(norm):
                yield m.start(), m.end(), ADDRESS, VILLAGE_LABEL


# --------------------------------------------------------------------------------------------------
# API


@dataclass(frozen=True)
class Hit:
    start: int  # index in the original text
    end: int  # exclusive
    kind: str  # "id_number" | "mobile" | "landline" | "name" | "address"
    label: object  # lazy translatable explanation


def _merge(hits: list[Hit]) -> list[Hit]:
    """Overlapping hits become one hit over their union, named after the longest of them."""
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    groups: list[list[Hit]] = []
    for hit in hits:
        if groups and hit.start < max(h.end for h in groups[-1]):
            groups[-1].append(hit)
        else:
            groups.append([hit])
    merged = []
    for group in groups:
        best = max(group, key=lambda h: (h.end - h.start, -_PRIORITY.index(h.kind)))
        merged.append(Hit(group[0].start, max(h.end for h in group), best.kind, best.label))
    return merged


def find_pii(text: str, *, names: Iterable[str] = (), places: Iterable[str] = ()) -> list[Hit]:
    """Everything in ``text`` that identifies a child: hits sorted by start, not overlapping.

    ``names`` are the child's and the guardians' names; ``places`` the names of the child's village
    and its neighbouring villages."""
    text = text or ""
    # Names and places are matched before numerals are read as digits ("王一" stays a name).
    plain, index = _normalise(text)
    norm = _fold_numerals(plain)
    names = [n for n in (names or ()) if n and n.strip()]
    places = [p for p in (places or ()) if p and p.strip()]
    joined = _join_cjk(plain) if names or places else ("", [])
    found = [
        *_numbers(norm),
        *_addresses(norm),
        *_names(plain, joined, names),
        *_places(plain, joined, places),
    ]
    hits = [_hit(text, index, start, end, kind, label) for start, end, kind, label in found if end > start]
    return _merge(hits)


def _hit(text: str, index: list[int], start: int, end: int, kind: str, label: object) -> Hit:
    """A hit over ``norm[start:end]`` in positions of the original text, with the combining marks
    that follow its last character (they belong to it)."""
    last = index[end - 1] + 1
    while last < len(text) and unicodedata.category(text[last]) in ("Mn", "Me"):
        last += 1
    return Hit(index[start], last, kind, label)


def highlight(text: str, hits: list[Hit]) -> Markup:
    """``text`` HTML-escaped, every hit wrapped in ``<mark class="pii" title="…">``."""
    text = text or ""
    parts: list[Markup] = []
    position = 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < position:
            continue
        parts.append(escape(text[position : hit.start]))
        parts.append(
            Markup('<mark class="pii" title="{0}">{1}</mark>').format(str(hit.label), text[hit.start : hit.end])
        )
        position = hit.end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
