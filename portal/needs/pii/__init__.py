"""The check that a need's public summary reveals nobody (DESIGN §2: "before a need is published, its
public summary is checked for identity numbers, phone numbers, the child's name and addresses").

``find_pii`` looks for identity numbers (whole, partial or split), mobile and landline numbers,
e-mail addresses, WeChat/QQ accounts, car plates, exact dates of birth, the names of every child
and guardian of the child's village and its neighbours (in Chinese characters or in pinyin), and
addresses below town level (house, building, unit and room numbers, village groups, and the names
of the child's village and its neighbours). The person writing the summary may be careless,
hurried or trying to get round the check: it is deliberately eager, since a false alarm costs staff
a rewording and a miss exposes a child. Ordinary text — ages, grades, amounts, dates, counts,
percentages, the town and county, English and pinyin words that are nobody's name — passes.

It holds against each class of evasion, not against listed examples (see ``text``, ``numbers``,
``contacts``, ``places``, ``romanised`` and ``words``):

- look-alikes: full-width and compatibility forms, Cyrillic and Greek letters and Latin small
  capitals drawn like Latin ones ("xɪᴀᴏ"), letters for digits inside a run of digits ("l37O…");
- scripts: traditional and Japanese character forms (OpenCC's tables), digits of every script
  read from Unicode's numeric values (Arabic-Indic, circled, negative-circled, dingbat, Suzhou…),
  regional-indicator letters ("🇽🇮🇦🇴"), an iteration mark for the character before it ("琪々");
- encodings and direction: percent-encoded and HTML-encoded text and Unicode escapes ("\\u8427",
  "U+8427") are read decoded; text after a
  right-to-left override is read in the order it is shown; digit runs are read backwards too;
- separators: invisible characters everywhere; spaces, punctuation and symbols, and up to two Latin
  letters or digits, between the characters of a name or place ("萧x嫣"); any short run of
  punctuation or symbols between the digit groups of a number, or after every digit ("1.3.9…",
  "13/90/53…", "139———0539", "(1)(3)(9)…"), unless the groups read as a list or an amount; letters
  spelled out one by one ("h o p e @ …", "q q"); a remark in brackets inside a name or a village
  ("萧（化名不用）嫣", "屠（镇西）苏村");
- romanisation: names and villages in pinyin with or without tones, in either order, run together
  or apart (a syllable even broken over two words), by initials (also the surname's initials with
  the given name in characters, "X嫣", or the surname with the given name's initials, "欧阳MX",
  "Ouyang M."), half in characters ("萧Yan"), in Wade–Giles or zhuyin, with digits for letters;
- characters: a surname told by its parts ("弓长小明", "木子可"), or in its other usual form
  (``SURNAME_VARIANTS``: 肖/萧, 付/傅, 于/於, 闫/阎, 区/欧, 丘/邱, 锺/钟); a name in reverse order ("嫣萧");
  surname and given name told apart ("姓萧，名嫣"); nicknames of a one-character given name, doubled
  unless that is a dictionary word ("嫣嫣", not "可可") or after the family's name ("萧家小嫣"). Reversed
  names, surname variants and nicknames are taken only when the sentence's segmentation keeps them
  as words of their own ("保佑|于是" is not 于佑 reversed); a one-character given name in pinyin with
  the surname said to be the family's ("Yan, 12, from the Xiao family");
- splitting: an identity number given in parts with words between them, or only its first digits,
  or inside a longer run of digits or behind a letter ("G3713…"); a number in parts far apart, each
  behind a word that says which part it is ("前三位…中间四位…尾号…", "最后再加个4"); after a phone
  word, the digit groups of one sentence that make a mobile number ("1 3 8 后面接…0539，再接1234");
  after an id word, groups that hold a valid id across sentences; 4 or more digits of an id behind
  an id word and a part word ("身份证后六位250027");
- numerals: Chinese and financial numerals digit by digit or as numbers with units ("三十七、十三…",
  "一百三十八、零五三九", "三十七万一千三百零二"), digits counted out ("一个1，一个3"), number words in
  English (with "oh" for zero) or pinyin with or without tones (also yao/dong/guai/gou), also among
  digits ("138 zero five three nine 1234"), Roman numerals as digits, a numeral among digits, letters
  drawn like digits (O l I B E S Z G); dates of birth in any numerals, order and separators
  ("二〇一四.九.二十五", "九·二五", "25-Sep-2014", ISO timestamps), with Roman-numeral or English months,
  English number words ("the twenty-fifth of September, two thousand fourteen"), in pinyin, in the
  Chinese calendar, and a known birthday with the age the child turns on it ("9月25日满12周岁");
- contacts: an account after any word or emoji for a messaging app or an account, however written;
  e-mail addresses with any top-level domain and any word or emoji for @ (在, 📧); plates with the
  province by name, pinyin, or after the number, or after a word for the plate without it, digits in
  any numerals or as look-alike letters;
- addresses: building-unit-room, labels, rows and doors, floors, towers, production teams, a
  household's place in the village's count ("第38户"), English forms; a neighbour village without its
  direction prefix, or with it moved, before 村/社区 ("石埠村", "石埠东村"); a village's initials with
  村's ("TSC村").

Every hit is reported in positions of the original text. A given name alone (never a full name)
is ordinary words when it lies inside a longer dictionary word ("宇航员", "建军节", "一诺千金"), when
the sentence's segmentation (jieba, taught every checked full name) cuts across it ("意志|强大",
"红|梅花"), when it is a common word naming an occasion ("国庆|假期", "新中国|建国"), or the whole title
in 《》 ("《海燕》"); a full name is words only when both its halves join neighbouring words ("每周|强化").
Groups of people ("两人一组", "第一组"), battery sizes ("5号电池") and apps named in English ("Weixin")
are not addresses or names. The national public
hotlines (``numbers.PUBLIC_HOTLINES``: 400-161-9995, 12355, 12345…) may be given; other 400/800
numbers are refused.

Not handled: homophones written for a name or a village (肖燕 for 萧嫣, 图苏村 for 屠苏村: too many
ordinary words sound like a village's names), and characters that only look or sound alike (琦 for
琪: different characters, not variants in OpenCC's tables); a name's characters far apart ("嫣……
萧"), acrostics, a given name split into parts, a name described rather than written ("姓萧，单名一个
嫣字", "女字旁加一个焉"), a nickname 小 + one character alone (小嫣), a one-character given name in
pinyin with the surname elsewhere other than as "the Xiao family", a surname with an age and the town
(萧姓12岁女孩), a compound surname alone (欧阳家), a village by its first character (屠村), other
languages' romanisation or scripts (Cantonese "Chan Ching", Russian "Сяо Янь", katakana, hangul), a
given name that is an ordinary word in a sentence (课文里的小明, 晨曦时, 少年强则国强), dates given by a
riddle (国庆节前五天, 秋分后第二天, 第268天), an age given to the day (11岁2个月11天), walking directions
to a house, amounts that spell a number when read together, a mobile number in parts without words
saying which part, and parts of an identity number that do not hold its date of birth. GPS
coordinates and map links, bank card numbers and hospital record numbers are not among what the
check refuses: a product decision, left open.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.needs.pii import contacts, numbers, romanised, words
from portal.needs.pii.places import addresses, names_a_higher_level, place_variants, village_stem
from portal.needs.pii.text import (
    clean,
    compact,
    decoded_view,
    display_order,
    is_cjk,
    join_cjk,
    normalise,
    numbers_view,
    plain_view,
)

__all__ = ["Hit", "LABELS", "find_pii", "highlight", "name_variants", "normalise", "place_variants"]

ID_NUMBER = numbers.ID_NUMBER
MOBILE = numbers.MOBILE
LANDLINE = numbers.LANDLINE
BIRTH_DATE = numbers.BIRTH_DATE
NAME = "name"
ADDRESS = "address"
EMAIL = contacts.EMAIL
SOCIAL = contacts.SOCIAL
PLATE = contacts.PLATE

LABELS = {
    ID_NUMBER: _l("Identity number"),
    MOBILE: _l("Mobile number"),
    LANDLINE: _l("Telephone number"),
    NAME: _l("Name of the child or a guardian"),
    BIRTH_DATE: _l("Exact date of birth"),
    EMAIL: _l("E-mail address"),
    SOCIAL: _l("WeChat, QQ or other messaging account"),
    PLATE: _l("Car plate number"),
}
ADDRESS_LABEL = _l("Exact address (house, building, unit, room or village group number)")
VILLAGE_LABEL = _l("Village or community name")
ROMANISED_NAME_LABEL = _l("Name of a child or guardian of the village, in pinyin")
ROMANISED_VILLAGE_LABEL = _l("Village or community name, in pinyin")

# When hits of equal length overlap, the one earlier in this list names the merged hit.
_PRIORITY = (ID_NUMBER, MOBILE, LANDLINE, EMAIL, SOCIAL, PLATE, BIRTH_DATE, NAME, ADDRESS)

# --------------------------------------------------------------------------------------------------
# Names and places in Chinese characters

# Two-character surnames: the given name is what follows them.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 慕容 令狐 皇甫 东方 夏侯 公孙 尉迟 长孙 宇文 司徒 端木 司空 南宫 西门 轩辕 呼延 独孤 "
    "万俟 闻人 澹台 公冶 太史 申屠 钟离 百里 东郭 濮阳 单于".split()
)
# Surnames written as their parts, as people say them to tell one from another ("弓长张", "木子李").
SPLIT_SURNAMES = {
    "张": "弓长", "李": "木子", "吴": "口天", "陈": "耳东", "章": "立早", "胡": "古月", "许": "言午", "吕": "双口",
    "何": "人可", "杨": "木易", "林": "双木", "赵": "走肖", "刘": "文刀", "程": "禾呈", "杜": "木土", "柳": "木卯",
}
# Surnames written in two forms in practice (a simplification that merged or split characters, or a
# registry's choice): a name with either form is the same person's.
SURNAME_VARIANTS = {
    "萧": ("肖",), "肖": ("萧",), "傅": ("付",), "付": ("傅",), "于": ("於",), "於": ("于",), "阎": ("闫",), "闫": ("阎",),
    "欧": ("区",), "区": ("欧",), "邱": ("丘",), "丘": ("邱",), "钟": ("锺",), "锺": ("钟",),
}
_NAME_DOTS = re.compile(r"[·・‧•∙⋅.]")
_LATIN_SPLIT = re.compile(r"[\s.·・\-_]+")
_LATIN_LETTER = "A-Za-z0-9\u00c0-\u024f"


def _name_parts(name: str) -> tuple[str, list[str]]:
    full = compact(name)
    parts = [p for p in (compact(p) for p in _NAME_DOTS.split(name)) if p]
    return full, parts if len(parts) > 1 else []


def name_variants(name: str) -> list[str]:
    """The strings a Chinese name is searched for: the full name and, for names of 3 or more
    characters, the given name when it has 2 or more. Names of transliterated minorities
    ("买买提·艾力") are searched for in full and by each part of 2 or more characters."""
    full, parts = _name_parts(name)
    if len(full) < 2:
        return []
    variants = [full]
    if parts:
        variants += [p for p in parts if len(p) >= 2]
    elif len(full) >= 3:
        given = full[_given_start(full) :]
        if len(given) >= 2:
            variants.append(given)
    return list(dict.fromkeys(variants))


def _given_start(full: str) -> int:
    return 2 if full[:2] in COMPOUND_SURNAMES and len(full) > 2 else 1


def _latin_pattern(value: str) -> re.Pattern | None:
    words = [w for w in _LATIN_SPLIT.split(clean(value).strip()) if w]
    if sum(len(w) for w in words) < 2:
        return None
    orders = [words]
    if len(words) == 2:  # "Lily Wang" is also written "Wang Lily"
        orders.append(words[::-1])
    body = "|".join(r"[\s.·・\-_]*".join(re.escape(w) for w in order) for order in orders)
    return re.compile(rf"(?<![{_LATIN_LETTER}])(?:{body})(?![{_LATIN_LETTER}])", re.IGNORECASE)


def _occurrences(text: str, needle: str):
    start = text.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = text.find(needle, start + 1)


def _cjk_occurrences(joined: tuple[str, list[int]], needle: str):
    """(start, end) in the plain view of ``needle`` found in ``joined``, that view with what stands
    between Chinese characters dropped."""
    text, positions = joined
    for start, end in _occurrences(text, needle):
        yield positions[start], positions[end - 1] + 1


@dataclass(frozen=True)
class _Checked:
    """What one call searches for, prepared once: the strings of every name and place, and the
    index of their romanised forms."""

    name_strings: tuple[str, ...]
    latin_names: tuple[re.Pattern, ...]
    place_strings: tuple[tuple[str, bool], ...]
    latin_places: tuple[re.Pattern, ...]
    romanised: romanised.Index | None
    public: frozenset[str]  # the spellings of the town, county and city, which may be named
    given_only: frozenset[str]  # given names searched alone, that are nobody's full name
    splits: dict  # full name -> where its given name begins
    initials: romanised.Initials
    derived: frozenset[str]  # reversed names and surname variants: taken only as words of their own
    fulls: frozenset[str]


_HIGHER_SUFFIXES = re.compile(r"(?:街道办事处|街道|镇|乡|县|区|市|自治州|州|盟|旗)$")


@lru_cache(maxsize=16)  # a few towns' lists, kept between publications
def _prepare(names: tuple[str, ...], places: tuple[str, ...], public: tuple[str, ...]) -> _Checked:
    name_strings: dict[str, None] = {}
    latin_names, variants, fulls, with_initials, derived = [], [], set(), [], set()
    for name in names:
        if any(is_cjk(c) for c in name):
            name_strings.update(dict.fromkeys(name_variants(name)))
            full, parts = _name_parts(name)
            fulls.add(full)
            if not parts and len(full) >= 2:
                with_initials.append((full, _given_start(full)))
            if not parts and len(full) >= 2 and full[0] in SPLIT_SURNAMES:
                name_strings[SPLIT_SURNAMES[full[0]] + full[1:]] = None  # "弓长小明"
            if not parts and len(full) >= 2:
                given_start = _given_start(full)
                # The name in reverse order ("嫣萧") and with a surname written in its other usual form
                # ("肖嫣" for 萧嫣): taken only as a word of its own in the sentence.
                surname, given = full[:given_start], full[given_start:]
                others = [given + surname, *(v + given for v in SURNAME_VARIANTS.get(surname, ()))]
                if len(given) == 1:
                    # Nicknames of a one-character given name: doubled ("嫣嫣") unless that is a word
                    # ("可可" is cocoa), and after the family's name ("萧家小嫣", "萧家嫣嫣").
                    if not words.is_word(given * 2):
                        others.append(given * 2)
                    others += [surname + "家小" + given, surname + "家" + given * 2]
                for other in others:
                    if other not in name_strings:
                        name_strings[other] = None
                        derived.add(other)
            if len(full) >= 2:
                variants += romanised.name_slot_variants(full, _given_start(full), parts or None)
        elif pattern := _latin_pattern(name):
            latin_names.append(pattern)
    place_strings: dict[tuple[str, bool], None] = {}
    latin_places = []
    for place in places:
        if any(is_cjk(c) for c in place):
            pairs = place_variants(place)
            place_strings.update(dict.fromkeys(pairs))
            stems = [s for s, shortened in pairs if shortened]
            stem = village_stem(place)
            if pairs:
                variants += romanised.place_slot_variants(pairs[0][0], [*stems, *([stem] if stem not in stems else [])])
        elif pattern := _latin_pattern(place):
            latin_places.append(pattern)
    index = romanised.build_index(tuple(dict.fromkeys(variants))) if variants else None
    if set(name_strings) - fulls:
        words.dictionary_words()  # loaded with the first list, not during a check
    words.add_names(sorted(fulls))
    spellings = set()
    for value in public:
        value = compact(value)
        for form in {value, _HIGHER_SUFFIXES.sub("", value)}:
            if len(form) >= 2:
                spellings |= romanised.spellings_of(form)
    return _Checked(tuple(name_strings), tuple(latin_names), tuple(place_strings), tuple(latin_places), index,
                    frozenset(spellings), frozenset(name_strings) - fulls - derived, {f: g for f, g in with_initials},
                    romanised.build_initials(with_initials), frozenset(derived), frozenset(fulls))


_TITLE_GAP = " \u3000"


def _given_name_is_words(plain: str, joined: str, start: int, end: int, j_start: int, j_end: int) -> bool:
    """A given name written alone (never a full name) is ordinary words when it lies inside a
    longer dictionary word ("宇航员", "建军节", "一诺千金"), when the sentence's segmentation cuts
    across it ("意志|强大" holds 志强, "红|梅花" holds 红梅), when it is a common word naming an
    occasion ("国庆|假期", "新中国|建国": ``words.names_an_occasion``), or when it is the whole title
    of a book, a song or a film in 《》 ("《海燕》")."""
    if words.inside_word(joined, j_start, j_end) or words.straddles_words(joined, j_start, j_end):
        return True
    if words.names_an_occasion(joined, j_start, j_end):
        return True
    before, after = plain[:start].rstrip(_TITLE_GAP), plain[end:].lstrip(_TITLE_GAP)
    return before.endswith("《") and after.startswith("》")


_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A remark in brackets put inside a name or a village ("萧（化名不用）嫣", "屠（镇西）苏村").
_ASIDE = re.compile(rf"(?<=[{_CJK_CLASS}]) ?[（(【\[〔「][^（）()【】\[\]〔〕「」\n]{{1,12}}[）)】\]〕」] ?(?=[{_CJK_CLASS}])")
# The surname and the given name told apart ("姓萧，名嫣", "该生姓萧\n名嫣", "姓欧阳名明轩").
_SURNAME_THEN_GIVEN = re.compile(
    rf"姓 ?([{_CJK_CLASS}]{{1,2}}?)[^{_CJK_CLASS}\n]{{0,3}}\n?[^{_CJK_CLASS}\n]{{0,3}}(?:名字|名叫|名)(?:是|为|叫)?[ :：]{{0,2}}([{_CJK_CLASS}]{{1,3}})"
)


_FAMILY = re.compile(r"(?<![A-Za-z])(?:the |from the |of the )?([A-Z][a-z]{1,7})(?:'s)? family(?![A-Za-z])")


def _family_and_given(plain: str, checked: _Checked):
    """A one-character given name in pinyin with the surname said to be the family's: "Yan, 12, from
    the Xiao family" (both words capitalised, in one text)."""
    if " family" not in plain:
        return
    for m in _FAMILY.finditer(plain):
        surname_word = m.group(1).lower()
        for full in checked.fulls:
            split = checked.splits.get(full)
            if split is None or len(full) - split != 1 or surname_word not in romanised.spellings_of(full[:split]):
                continue
            given = romanised.spellings_of(full[split:])
            for w in re.finditer(r"(?<![A-Za-z])[A-Z][a-z]{0,5}(?![A-Za-z])", plain):
                if w.group().lower() in given and w.start() != m.start(1):
                    yield w.start(), w.end(), NAME, ROMANISED_NAME_LABEL
                    yield m.start(1), m.end(1), NAME, ROMANISED_NAME_LABEL
                    return


def _split_names(plain: str, checked: _Checked):
    """Full names and villages with a remark in brackets inside them, and names given as a surname
    and a given name apart ("姓萧，名嫣")."""
    if _ASIDE.search(plain):
        kept, positions, last = [], [], 0
        for m in _ASIDE.finditer(plain):
            kept.append(plain[last : m.start()])
            positions += range(last, m.start())
            last = m.end()
        kept.append(plain[last:])
        positions += range(last, len(plain))
        joined = join_cjk("".join(kept))
        for variant in (*checked.fulls, *checked.derived):
            for start, end in _cjk_occurrences(joined, variant):
                if positions[end - 1] - positions[start] + 1 > end - start:  # the remark was inside it
                    yield positions[start], positions[end - 1] + 1, NAME, LABELS[NAME]
        for variant, _shortened in checked.place_strings:
            for start, end in _cjk_occurrences(joined, variant):
                if positions[end - 1] - positions[start] + 1 > end - start:
                    yield positions[start], positions[end - 1] + 1, ADDRESS, VILLAGE_LABEL
    for m in _SURNAME_THEN_GIVEN.finditer(plain):
        surname, given = m.group(1), m.group(2)
        for size in range(len(given), 0, -1):
            if surname + given[:size] in checked.fulls:
                yield m.start(1), m.start(2) + size, NAME, LABELS[NAME]
                break


def _names_and_places(plain: str, checked: _Checked):
    joined = join_cjk(plain)
    for variant in checked.name_strings:
        given_only = variant in checked.given_only
        for (start, end), (j_start, j_end) in zip(_cjk_occurrences(joined, variant), _occurrences(joined[0], variant),
                                                  strict=True):
            if given_only and _given_name_is_words(plain, joined[0], start, end, j_start, j_end):
                continue
            if variant in checked.derived and words.straddles_words(joined[0], j_start, j_end):
                continue
            # A full name whose surname ends a word and whose given name begins one is those words
            # ("每周|强化" holds 周强).
            split = checked.splits.get(variant)
            if split and words.joined_both_sides(joined[0], j_start, j_start + split, j_end):
                continue
            yield start, end, NAME, LABELS[NAME]
    yield from _split_names(plain, checked)
    yield from _family_and_given(plain, checked)
    for pattern in checked.latin_names:
        for m in pattern.finditer(plain):
            yield m.start(), m.end(), NAME, LABELS[NAME]
    for variant, shortened in checked.place_strings:
        for start, end in _cjk_occurrences(joined, variant):
            # "李村镇" is the town, "李村，镇上" the village.
            if names_a_higher_level(plain, end, shortened):
                continue
            yield start, end, ADDRESS, VILLAGE_LABEL
    for pattern in checked.latin_places:
        for m in pattern.finditer(plain):
            yield m.start(), m.end(), ADDRESS, VILLAGE_LABEL
    for start, end in romanised.find_initials(plain, checked.initials):
        yield start, end, NAME, ROMANISED_NAME_LABEL
    if checked.romanised is not None:
        for start, end, what in romanised.find(plain, checked.romanised, checked.public):
            if what == "name":
                yield start, end, NAME, ROMANISED_NAME_LABEL
            else:
                yield start, end, ADDRESS, ROMANISED_VILLAGE_LABEL


# --------------------------------------------------------------------------------------------------
# API


@dataclass(frozen=True)
class Hit:
    start: int  # index in the original text
    end: int  # exclusive
    kind: str  # "id_number" | "mobile" | "landline" | "name" | "address" | "birth_date" | "email" | …
    label: object  # lazy translatable explanation


def _merge(hits: list[Hit]) -> list[Hit]:
    """Overlapping hits become one hit over their union, named after the longest of them."""
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    groups: list[list[Hit]] = []
    end = -1
    for hit in hits:
        if groups and hit.start < end:
            groups[-1].append(hit)
            end = max(end, hit.end)
        else:
            groups.append([hit])
            end = hit.end
    merged = []
    for group in groups:
        best = max(group, key=lambda h: (h.end - h.start, -_PRIORITY.index(h.kind)))
        merged.append(Hit(group[0].start, max(h.end for h in group), best.kind, best.label))
    return merged


def find_pii(text: str, *, names: Iterable[str] = (), places: Iterable[str] = (),
             birth_dates: Iterable[date] = (), public_places: Iterable[str] = ()) -> list[Hit]:
    """Everything in ``text`` that identifies a child: hits sorted by start, not overlapping.

    ``names`` are the names of the children and guardians of the child's village and its
    neighbours; ``places`` the names of those villages; ``birth_dates`` the children's dates of
    birth; ``public_places`` the town, county and city, which a summary may name (also in pinyin,
    "Linyi" is not 林怡)."""
    text = text or ""
    if (display := display_order(text)) is not None:
        # A right-to-left override shows its characters reversed: the text is read as it is shown.
        shown, order = display
        hits = [Hit(min(order[h.start : h.end]), max(order[h.start : h.end]) + 1, h.kind, h.label)
                for h in find_pii(shown, names=names, places=places, birth_dates=birth_dates, public_places=public_places)]
        return _merge(hits + find_pii(text.replace("\u202e", "\u202d"), names=names, places=places,
                                      birth_dates=birth_dates, public_places=public_places))
    if (decoded := decoded_view(text)) is not None:
        # "%E8%90%A7%E5%AB%A3", "&#33831;&#23279;": checked as they read once decoded.
        shown, starts, ends = decoded
        return [Hit(starts[h.start], ends[h.end - 1], h.kind, h.label)
                for h in find_pii(shown, names=names, places=places, birth_dates=birth_dates, public_places=public_places)]
    # Names and places are matched before numerals are read as digits ("王一" stays a name).
    plain, index = plain_view(text)
    norm, norm_index = numbers_view(plain, index)
    names = tuple(dict.fromkeys(n for n in (names or ()) if n and n.strip()))
    places = tuple(dict.fromkeys(p for p in (places or ()) if p and p.strip()))
    public = tuple(dict.fromkeys(p for p in (public_places or ()) if p and p.strip()))
    found = [
        *((s, e, kind, LABELS[kind]) for s, e, kind in numbers.numbers(norm)),
        *((s, e, kind, LABELS[kind]) for s, e, kind in contacts.contacts(norm)),
        *((s, e, BIRTH_DATE, LABELS[BIRTH_DATE]) for s, e, _k in numbers.birth_dates(norm, set(birth_dates or ()))),
        *((s, e, ADDRESS, ADDRESS_LABEL) for s, e in addresses(norm)),
    ]
    hits = [_hit(text, norm_index, start, end, kind, label) for start, end, kind, label in found if end > start]
    if birth_dates:
        # Dates are also read with the separators between numerals kept ("二〇一四.九.二十五", "九·二五").
        kept, kept_index = numbers_view(*plain_view(text, join=False))
        if kept != norm:
            hits += [_hit(text, kept_index, s, e, BIRTH_DATE, LABELS[BIRTH_DATE])
                     for s, e, _k in numbers.birth_dates(kept, set(birth_dates)) if e > s]
    if names or places:
        hits += [_hit(text, index, start, end, kind, label)
                 for start, end, kind, label in _names_and_places(plain, _prepare(names, places, public))
                 if end > start]
    return _merge(hits)


def _hit(text: str, index: list[int], start: int, end: int, kind: str, label: object) -> Hit:
    """A hit over ``view[start:end]`` in positions of the original text, with the combining marks
    that follow its last character (they belong to it) and the rest of a word it ends inside
    ("…four" read as the digit 4)."""
    last = index[end - 1] + 1
    if text[last - 1 : last].isascii() and text[last - 1 : last].isalpha():
        while last < len(text) and text[last].isascii() and text[last].isalpha():
            last += 1
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
