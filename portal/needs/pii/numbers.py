"""Identity numbers, phone numbers and dates of birth in the numbers view of a summary.

Besides the usual forms, a number is found when it is split: by single characters put between its
digit groups ("137加39754944"), by words ("证件号前六位371302，中间20140601，后四位123X": parts
within 20 characters of each other that make 14 to 18 digits with a province code and a date of
birth in place; a mobile number in parts only after a word that says it is one), or when only part
of it is given: 15 to 18 digits that begin with a province code, 14 or more that hold a province
code and a plausible date of birth (the last digit of an identity number is a check digit anyone can
compute from the 17 before it).

Chains of digit groups joined by any short run of punctuation or symbols are read as one number,
forwards and backwards: exactly 11 digits that make a mobile number (unless the groups read as a
list, scores or an amount followed by its unit), and any 18 digits in the chain that make a valid
identity number (province code, date of birth, check digit) — also behind a letter read as a digit
("G3713…") or before more digits (an id and a card's grade). Parts far apart count when each is
behind a word that says which part it is ("前三位", "中间四位", "尾号", "最后再加个"), the first
after a word saying what number it is. The national public hotlines (``PUBLIC_HOTLINES``) pass.

Every form is also looked for in the text as read out (``_spoken_view``): Chinese numbers with units
("三十七、十三、零二…", "一百三十八、零五三九", "三十七万一千三百零二"), every numeral as a digit, and
digits counted out ("一个1，一个3"). After a word for a phone number, the digit groups of one sentence
that make a mobile number count, whatever words stand between them; after a word for an identity
number, groups that hold a valid one (check digit) across sentences; and 4 or more digits behind an
identity word and a word for the part ("身份证后六位250027") are part of an identity number.

Dates of birth: see ``birth_dates``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from portal.children.idnumber import PROVINCE_CODES

ID_NUMBER = "id_number"
MOBILE = "mobile"
LANDLINE = "landline"
BIRTH_DATE = "birth_date"

# Between two digits of a number: nothing, or up to two of - / , 、 . _ · with a space on either side
# ("138 1234", "138-1234", "138 - 1234", "139/0539", "139，0539", "139.0539", "139、0539").
# Written so that a gap matches in one way only: "1 1 1 1 …" must not make the patterns backtrack
# through every way of splitting its spaces.
_S = r"(?: [\-/,、._·・]{0,2} ?|[\-/,、._·・]{1,2} ?)?"
_D = "[0-9]"

_ID18 = re.compile(rf"(?<![0-9])[1-9](?:{_S}{_D}){{16}}{_S}[0-9Xx×](?![0-9])")
_ID15 = re.compile(rf"(?<![0-9])[1-9](?:{_S}{_D}){{14}}(?![0-9])")
# Part of an identity number, or one with a digit too many or too few.
_ID_PART = re.compile(rf"(?<![0-9])[1-9](?:{_S}{_D}){{13,17}}(?:{_S}[Xx×])?(?!{_S}[0-9])")
_MOBILE = re.compile(rf"(?<![0-9+])(?:\(?(?:\+|00)?86\)?{_S})?1{_S}[3-9](?:{_S}{_D}){{9}}(?![0-9])")
# Area code (3–4 digits, with a leading 0, perhaps in parentheses) and a local number of 7–8 digits.
_LANDLINE = re.compile(rf"(?<![0-9])(?:\( ?0[0-9]{{2,3}} ?\)|0[0-9]{{2,3}}){_S}[0-9]{{3,4}}{_S}[0-9]{{4}}(?![0-9])")
_SERVICE = re.compile(rf"(?<![0-9])[48]00(?:{_S}{_D}){{7}}(?![0-9])")  # 400 / 800 numbers
_PHONE_WORDS = r"(?:电话|手机|座机|固话|联系方式|联系|热线|拨打|致电|号码|(?<![A-Za-z])(?:tel|phone|call|mobile)(?![A-Za-z]))"
# A local number without its area code counts only when the text says it is a phone number.
_LOCAL = re.compile(rf"{_PHONE_WORDS}[^0-9\n]{{0,6}}?(?<![0-9])([0-9]{{3,4}}{_S}[0-9]{{4}})(?![0-9])", re.IGNORECASE)
_PHONE_CUE = re.compile(_PHONE_WORDS, re.IGNORECASE)


def _date_ok(yyyymmdd: str, loose: bool = True) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if loose:
        return yyyymmdd[:2] in ("18", "19", "20") and 1 <= month <= 12 and 1 <= day <= 31
    try:
        return 1900 <= year <= date.today().year and date(year, month, day) <= date.today()
    except ValueError:
        return False


def _digits(number: str) -> str:
    return re.sub(r"[^0-9Xx×]", "", number)


_PUNCTUATION_SEPARATORS = re.compile(r"[/,、._·・]")


def not_a_number(number: str) -> bool:
    """Digits that the number patterns match but that are not one phone or identity number.

    - Thousands grouped with commas ("13,500,000,000") are an amount, whatever the digits.
    - A number written with one of / , 、 . _ · has groups of 3 or more digits ("139/0539/1234",
      "371302.20150101.123X"); shorter groups are dates, lists or amounts ("2026.09.01",
      "165，101，418，12", "130、150、180、20"). A country code "86" is not a group.
    - A number is written with one kind of separator, spaces aside ("139 / 0539 / 1234"); two kinds
      join several numbers ("2023.07.26—2024.01.08", "3,000、5,000")."""
    groups = [g for g in re.split(r"[^0-9Xx×]+", number) if g]
    separators = re.findall(r"[^0-9Xx×]+", number.strip("()+ "))
    if separators and all(sep.strip() == "," for sep in separators) and all(len(g) == 3 for g in groups[1:]):
        return True
    if not _PUNCTUATION_SEPARATORS.search(number):
        return False
    if groups and groups[0] == "86":
        groups = groups[1:]
    kinds = set(re.findall(r"[\-/,、._·・]", number))
    return len(kinds) > 1 or any(len(g) < 3 for g in groups)


def scan(pattern: re.Pattern, norm: str, accept=lambda m: True):
    """The matches of ``pattern`` that ``accept`` takes; after a refused match the search resumes
    one character later, so a number inside or after it is still found."""
    position = 0
    while (m := pattern.search(norm, position)) is not None:
        if accept(m):
            yield m
            position = max(m.end(), m.start() + 1)
        else:
            position = m.start() + 1


def looks_like_id(digits: str) -> bool:
    """A whole or partial identity number: 15 to 18 digits from a province code, or 14 or more with
    a province code and a date of birth where an identity number has it."""
    if digits[:2] not in PROVINCE_CODES or len(digits) < 14:
        return False
    if 15 <= len(digits) <= 18:
        return True
    return _date_ok(digits[6:14], loose=False)


def _numbers(norm: str):
    def id18(m):
        return not not_a_number(m.group()) and _date_ok(_digits(m.group())[6:14])

    def id15(m):
        return not not_a_number(m.group()) and _date_ok("19" + _digits(m.group())[6:12])

    def id_part(m):
        # The whole run of digits, not the end of a longer one ("13905391234或0539…").
        before = norm[max(0, m.start() - 5) : m.start()].rstrip(" -/,、._·・")
        if before[-1:].isdigit():
            return False
        return not not_a_number(m.group()) and looks_like_id(_digits(m.group()))

    def phone(m):
        return not not_a_number(m.group(m.lastindex or 0))

    for pattern, check in ((_ID18, id18), (_ID15, id15), (_ID_PART, id_part)):
        for m in scan(pattern, norm, check):
            yield m.start(), m.end(), ID_NUMBER
    for m in scan(_MOBILE, norm, phone):
        yield m.start(), m.end(), MOBILE
    for pattern in (_LANDLINE, _SERVICE):
        for m in scan(pattern, norm, phone):
            yield m.start(), m.end(), LANDLINE
    for m in scan(_LOCAL, norm, phone):
        yield m.start(1), m.end(1), LANDLINE


# One character put between two digit groups to break a number up: "137加39754944", "137 x 3975".
_JUNK = re.compile(r"(?<=[0-9]) ?([^\s0-9\-/,、._·・:：()（）]) ?(?=[0-9])")


def _without_junk(norm: str) -> tuple[str, list[int]] | None:
    if not _JUNK.search(norm):
        return None
    out: list[str] = []
    positions: list[int] = []
    last = 0
    for m in _JUNK.finditer(norm):
        out.append(norm[last : m.start()])
        positions += range(last, m.start())
        last = m.end()
    out.append(norm[last:])
    positions += range(last, len(norm))
    return "".join(out), positions


_GROUP = re.compile(r"[0-9]+(?:[Xx×](?![A-Za-z]))?")
_MAX_GAP = 20  # characters of text between two parts of one number


def _split_numbers(norm: str):
    """Numbers given in parts with words between them: an identity number (province code and date
    of birth in place), or a mobile number after a word that says it is one."""
    groups = [m for m in _GROUP.finditer(norm)]
    for i, first in enumerate(groups):
        digits = first.group()
        for j in range(i + 1, len(groups)):
            if groups[j].start() - groups[j - 1].end() > _MAX_GAP or digits[-1:] in "Xx×":
                break
            digits += groups[j].group()
            if len(digits) > 18:
                break
            plain = _digits(digits).replace("×", "X").upper()
            if len(plain) >= 14 and plain[:2] in PROVINCE_CODES and (
                _date_ok(plain[6:14], loose=False) or len(plain) == 15 and _date_ok("19" + plain[6:12], loose=False)
            ):
                yield first.start(), groups[j].end(), ID_NUMBER
            parts = groups[i : j + 1]
            if len(plain) == 11 and re.fullmatch(r"1[3-9][0-9]{9}", plain) and all(len(g.group()) >= 3 for g in parts):
                cue = _PHONE_CUE.search(norm, max(0, first.start() - 12), first.start())
                if cue:
                    yield first.start(), groups[j].end(), MOBILE


# --------------------------------------------------------------------------------------------------
# Chains of digit groups, whatever joins them

# Digit groups joined by any short run of punctuation, symbols and spaces ("1.3.9.0…", "1、3、9…",
# "13/90/53/91/23/4", "139-0539.1234", "139———0539", "13,905,391,234", "(1)(3)(9)…"), perhaps with
# the X of an identity number at either end (written backwards, it comes first).
_CHAIN_GAP = r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\n]{1,4}"
_CHAIN = re.compile(
    rf"(?<![0-9A-Za-z])(?:[Xx×](?:{_CHAIN_GAP})?)?[0-9]+(?:{_CHAIN_GAP}[0-9]+)*(?:(?:{_CHAIN_GAP})?[Xx×](?![A-Za-z]))?"
)
_MOBILE_DIGITS = re.compile(r"1[3-9][0-9]{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(digits: str) -> bool:
    """An 18-character identity number that holds together: a province code, a real date of birth
    and the right check digit."""
    if len(digits) != 18 or not digits[:17].isdigit() or digits[:2] not in PROVINCE_CODES:
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS, strict=False)) % 11]
    return digits[17].upper() == check and _date_ok(digits[6:14], loose=False)


_LIST_MARKS = frozenset(",、;；")
_UNIT_AFTER = re.compile(r" ?(?:元|块|万|亿|人|个|次|名|户|分|%|美元|yuan|rmb)", re.IGNORECASE)


def _one_number(norm: str, m: re.Match) -> bool:
    """Groups that make one number, not a list or an amount: a separator after every digit; or, with
    the commas and 、 that join a list ("165，101，418，12"), the groups of a phone number (3-4-4) or
    thousands not followed by a unit ("13,905,391,234", not "13,500,000,000元"); with other
    separators, one kind of them or groups all of 3 digits or more — not scores or times
    ("13:15、15:13、15:9")."""
    chain = m.group()
    groups = [g for g in re.split(r"[^0-9Xx×]+", chain) if g]
    kinds = {s.strip() or " " for s in re.findall(r"[^0-9Xx×]+", chain)}
    if all(len(g) == 1 for g in groups):
        return True
    if _UNIT_AFTER.match(norm, m.end()):
        return False
    if kinds & _LIST_MARKS:
        sizes = [len(g) for g in groups]
        thousands = kinds == {","} and 1 <= sizes[0] <= 3 and all(s == 3 for s in sizes[1:])
        return thousands or sizes == [3, 4, 4]
    return len(kinds) <= 1 or all(len(g) >= 3 for g in groups)


def _chains(norm: str):
    """Identity and mobile numbers in a chain of digit groups, whatever separates the groups, and
    read backwards too (digits written in reverse, or shown reversed by a right-to-left override):
    a chain of exactly 11 digits that is a mobile number (an amount never starts 1[3-9] with exactly
    11 digits); any 18 digits of a chain, forwards or backwards, that make a valid identity number
    ("G3713…" read as 63713…, an id followed by a disability category and grade)."""
    for m in _CHAIN.finditer(norm):
        digits = re.sub(r"[^0-9Xx×]", "", m.group()).replace("×", "X").upper()
        if len(digits) < 11:
            continue
        for value in (digits, digits[::-1]):
            if _MOBILE_DIGITS.fullmatch(value) and _one_number(norm, m):
                yield m.start(), m.end(), MOBILE
                break
            if len(value) >= 18 and any(valid_id(value[i : i + 18]) for i in range(len(value) - 17)):
                yield m.start(), m.end(), ID_NUMBER
                break


# A group of digits that a word says is one part of a longer number ("前三位是139", "中间四位0539",
# "最后四位0048", "尾号1234", "最后再加个4", "139开头").
_PART_BEFORE = re.compile(r"(?:前|中间|后|最后|末|尾|开头|再加|加个|加上|接着|然后|剩下)[^0-9\n]{0,5}$")
_PART_AFTER = re.compile(r"^[^0-9\n]{0,2}(?:开头|打头)")
_ID_CUE = re.compile(r"身份|证件|证号|公民号|ID", re.IGNORECASE)
_PARTS_SPAN = 80  # characters from the first part of a number to its last


def _labelled_parts(norm: str):
    """A mobile or identity number given in parts far apart, each part behind a word that says
    which part it is, the first right after a word that says what number it is (other sentences,
    and other numbers, may stand between the parts)."""
    groups = list(_GROUP.finditer(norm))
    labelled = [
        bool(_PART_BEFORE.search(norm[max(0, g.start() - 8) : g.start()]) or _PART_AFTER.match(norm[g.end() : g.end() + 4]))
        for g in groups
    ]
    for i, first in enumerate(groups):
        context = norm[max(0, first.start() - 12) : first.start()]
        phone, ident = bool(_PHONE_CUE.search(context)), bool(_ID_CUE.search(context))
        if not (phone or ident):
            continue
        digits = first.group().upper()
        for j in range(i + 1, len(groups)):
            if groups[j].end() - first.start() > _PARTS_SPAN or digits.endswith(("X", "×")):
                break
            if not labelled[j]:
                continue
            digits += groups[j].group().upper()
            if phone and _MOBILE_DIGITS.fullmatch(digits):
                yield first.start(), groups[j].end(), MOBILE
            plain = digits.replace("×", "X")
            if ident and len(plain) >= 17 and plain[:2] in PROVINCE_CODES and _date_ok(plain[6:14], loose=False):
                yield first.start(), groups[j].end(), ID_NUMBER
            if len(digits) >= 18:
                break


# National public hotlines a summary may give (a family is told to call them): never refused.
PUBLIC_HOTLINES = frozenset(("4001619995", "12355", "12345", "12320", "12338", "12110", "110", "119", "120", "122"))
_HOTLINE = re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9]){2,9}(?![0-9])")


def _hotlines(norm: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _HOTLINE.finditer(norm) if re.sub(r"[^0-9]", "", m.group()) in PUBLIC_HOTLINES]


def numbers(norm: str):
    """(start, end, kind) in the numbers view of every identity and phone number. Numbers that are
    one of the national public hotlines (``PUBLIC_HOTLINES``: the psychological-aid line
    400-161-9995, 12355 for young people, 12345…) are not refused: they reach no family."""
    hotlines = _hotlines(norm)
    for start, end, kind in _all_numbers(norm):
        if not any(s <= start and end <= e for s, e in hotlines):
            yield start, end, kind


def _all_numbers(norm: str):
    yield from _every_form(norm)
    spoken = _spoken_view(norm)
    if spoken is not None:
        text, positions = spoken
        for start, end, kind in _every_form(text):
            yield positions[start], positions[end - 1] + 1, kind


# --------------------------------------------------------------------------------------------------
# Numbers read out: numerals with units, counted digits

_CN_ZERO = "零〇○"
_CN_DIGITS = {**dict.fromkeys(_CN_ZERO, 0), **{c: i + 1 for i, c in enumerate("一二三四五六七八九")},
              **{c: i + 1 for i, c in enumerate("壹贰叁肆伍陆柒捌玖")}, "两": 2, "幺": 1}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# A number with units may end in a digit the numbers view has already read ("三百二十9").
_CN_NUMBER = re.compile(rf"[{''.join(_CN_DIGITS)}{''.join(_CN_UNITS)}万]+(?:(?<=[十拾百佰千仟万])[0-9](?![0-9]))?(?!位)")
# "一个1，一个3": a digit counted out is that digit.
_COUNTED = re.compile(r"[一1][个位](?=[0-9])")


def _cn_value(token: str) -> str | None:
    """"三十七万一千三百零二" → "371302", "零五三九" → "0539", "一千二百三十四" → "1234", "零二" → "02"."""
    zeros = len(token) - len(token.lstrip(_CN_ZERO))
    rest = token[zeros:]
    if not rest:
        return "0" * zeros
    if not any(c in _CN_UNITS or c == "万" for c in rest):
        return "0" * zeros + "".join(str(_CN_DIGITS[c]) for c in rest)
    total = section = number = 0
    for c in rest:
        if c in _CN_DIGITS or c.isdigit():
            number = _CN_DIGITS[c] if c in _CN_DIGITS else int(c)
        elif c in _CN_UNITS:
            section += (number or 1) * _CN_UNITS[c]
            number = 0
        else:  # 万
            total = (total + section + number) * 10000
            section = number = 0
    return "0" * zeros + str(total + section + number)


def _spoken_view(norm: str) -> tuple[str, list[int]] | None:
    """``norm`` with Chinese numbers read as numbers ("三十七、十三、零二…", "一百三十八、零五三九",
    "三十七万一千三百零二"), every numeral read as a digit (a count of digits, "六位", stays a word),
    and digits counted out ("一个1，一个3") as those digits; with the index in ``norm`` of every
    character. None when nothing changes."""
    if not _CN_NUMBER.search(norm) and not _COUNTED.search(norm):
        return None
    marks = [(m.start(), m.end(), "") for m in _COUNTED.finditer(norm)]
    # Numerals touching digits are read by the numbers view, or are a word after a list ("181三四个").
    marks += [(m.start(), m.end(), _cn_value(m.group())) for m in _CN_NUMBER.finditer(norm)
              if any(c in _CN_UNITS or c == "万" for c in m.group())
              or not norm[m.start() - 1 : m.start()].isdigit() and not norm[m.end() : m.end() + 1].isdigit()]
    return _rewrite(norm, marks)


# --------------------------------------------------------------------------------------------------
# Numbers after a word that says what they are

# Part of an identity number after a word for it and a word for the part ("身份证后六位250027",
# "证件号末四位0027"), or right after its label ("证件号：0027"), from 4 digits.
_ID_PARTIAL = re.compile(
    r"(?:身份证|身份号码|证件|证号|公民身份号码)(?:号码|号)?[^0-9\n。]{0,6}?(?:前|后|末|尾|最后|中间)[^0-9\n。]{0,4}?"
    r"(?<![0-9])([0-9]{4,}[Xx]?)|(?:身份证|证件|证号)(?:号码|号)? ?[：:是为]? ?([0-9]{4,17}[Xx]?)(?![0-9年月岁元日号])"
)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CUE_SPAN = 80  # characters after a word for a number that its parts may take
_CUE_GAP = 14  # characters between two parts


def _cued(norm: str):
    """After a word for a phone number, every digit group in order, whatever words stand between
    them ("1 3 8 后面接临沂区号0539，再接1234"), that makes a mobile number, within one sentence;
    after a word for an identity number, the groups that hold a valid one (province code, date of
    birth and check digit), across sentences too ("前六位371302。出生于2014年。后八位是09250027");
    part of an identity number behind an identity word (``_ID_PARTIAL``)."""
    for m in _ID_PARTIAL.finditer(norm):
        yield m.start(m.lastindex), m.end(), ID_NUMBER
    groups = list(_GROUP.finditer(norm))
    for cue_pattern, kind in ((_PHONE_CUE, MOBILE), (_ID_CUE, ID_NUMBER)):
        for cue in cue_pattern.finditer(norm):
            digits, first, previous = "", None, cue.end()
            for g in groups:
                if g.start() < cue.end():
                    continue
                gap = norm[previous : g.start()]
                if g.end() - cue.end() > _CUE_SPAN or len(gap) > _CUE_GAP or kind == MOBILE and _SENTENCE_END.search(gap):
                    break
                first = first if first is not None else g.start()
                digits += g.group().upper().replace("×", "X")
                previous = g.end()
                if kind == MOBILE and _MOBILE_DIGITS.fullmatch(digits) and g.start() > first:
                    yield first, g.end(), MOBILE
                if kind == ID_NUMBER and len(digits) >= 18 and valid_id(digits[-18:]) and g.start() > first:
                    yield first, g.end(), ID_NUMBER
                if len(digits) > 40 or digits.endswith("X"):
                    break


def _every_form(norm: str):
    yield from _numbers(norm)
    joined = _without_junk(norm)
    if joined is not None:
        text, positions = joined
        for start, end, kind in _numbers(text):
            yield positions[start], positions[end - 1] + 1, kind
    yield from _split_numbers(norm)
    yield from _chains(norm)
    yield from _labelled_parts(norm)
    yield from _cued(norm)


# --------------------------------------------------------------------------------------------------
# Dates of birth

# Financial numerals read as the common ones for dates (same length, so positions hold).
_DATE_NUMERALS = str.maketrans("壹贰叁肆伍陆柒捌玖拾", "一二三四五六七八九十")
_CN_DIGIT = "零〇○一二三四五六七八九"
_CN_DAY = "一二三四五六七八九十廿卅0-9"
_ROMAN = "IVX"  # Roman-numeral months: "Ⅸ月" is "IX月" once folded
# In numerals, or numerals and digits mixed: "二〇一四年九月二十五日", "2014年九月廿五日", "一四年九月二十五".
_CN_DATE = re.compile(rf"(?<![{_CN_DIGIT}0-9])([{_CN_DIGIT}0-9]{{2,4}})年([{_CN_DAY}{_ROMAN}]{{1,4}})月([{_CN_DAY}]{{1,4}})(?:[日号])?")
# Year, month, day with any separator, also a space alone ("2014 09 25", "2014年Ⅸ月25日").
_DATE = re.compile(
    rf"(?<![0-9])((?:19|20)?[0-9]{{2}})(?: ?[年./\-] ?| )([0-9]{{1,2}}|[{_ROMAN}]{{1,4}})(?: ?[月./\-] ?| )([0-9]{{1,2}})(?![0-9])(?: ?[日号])?"
)
# Day or month first, year last: "25/9/2014", "9-25-2014", "9/25/14".
_YEAR_LAST = re.compile(r"(?<![0-9./\-])([0-9]{1,2}) ?[./\-] ?([0-9]{1,2}) ?[./\-] ?((?:19|20)?[0-9]{2})(?![0-9])")
_COMPACT_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])")
_MONTH_DAY = re.compile(rf"(?<![0-9年./\-])([0-9]{{1,2}}|[{_ROMAN}]{{1,4}}) ?月 ?([0-9]{{1,2}}) ?[日号]")
_CN_MONTH_DAY = re.compile(rf"(?<![年0-9])([{_CN_DAY}]{{1,3}})月([{_CN_DAY}]{{1,4}})[日号]")
# English month names: "25 September 2014", "Sept. 25, 2014", "September 25th 2014".
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_EN_DMY = re.compile(rf"(?<![0-9])([0-9]{{1,2}})(?:st|nd|rd|th)?[ \-/.]?(?:the )?(?:of )?{_EN_MONTH}\.?,?[ \-/.]((?:19|20)[0-9]{{2}})(?![0-9])",
                     re.IGNORECASE)
# Month and day joined by a dot or a middle dot, no year ("9·25"): a birthday only when it is a known
# child's, next to a word about birth or with the year nearby.
_DOT_MONTH_DAY = re.compile(r"(?<![0-9.·/\-])([0-9]{1,2}) ?[·.] ?([0-9]{1,2})(?![0-9.·%])"
                            r"(?! ?(?:公斤|斤|千克|克|kg|g|元|块|万|米|厘米|cm|m|分|度|小时|岁|个|次|倍|升|毫升))")
_EN_MDY = re.compile(rf"(?<![A-Za-z]){_EN_MONTH}\.? ?([0-9]{{1,2}})(?:st|nd|rd|th)?,? ((?:19|20)[0-9]{{2}})(?![0-9])", re.IGNORECASE)
# A year near a month and day written apart from it ("9月25日生于2014年", "2014年生，生日9月25日").
_YEAR_NEAR = re.compile(rf"(?<![0-9{_CN_DIGIT}])((?:19|20)[0-9]{{2}}|[{_CN_DIGIT}]{{4}})年(?! ?[0-9{_CN_DIGIT}]{{1,2}} ?月)")
_NEAR = 12
_BIRTH_AFTER = re.compile(r"^.{0,2}?(?:出生|生日|生人|出世|降生|生$|生[，。,.、；; ])")
_BIRTH_BEFORE = re.compile(r"(?:出生|生日|生于|生辰|出生日期|出生于|DOB|born)[^0-9一二三四五六七八九十零〇]{0,4}$", re.IGNORECASE)
# A word about being born a little further from a day that is a known child's birthday.
_BIRTH_WORD = re.compile(r"出生|生日|生于|生辰|诞辰|出世|降生|生人|birthday|born|DOB", re.IGNORECASE)


_CN_VALUE = {**dict.fromkeys("零〇○", 0), **{c: i + 1 for i, c in enumerate("一二三四五六七八九")}}
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10}


def _cn_number(value: str) -> int | None:
    """"二〇一四" → 2014, "九" → 9, "二十五" → 25, "廿五" → 25, "25" → 25, "IX" → 9."""
    if value.isdigit():
        return int(value)
    if value and all(c in _ROMAN_VALUE for c in value):
        values = [_ROMAN_VALUE[c] for c in value]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    value = value.replace("廿", "二十").replace("卅", "三十")
    if "十" not in value:
        return int("".join(str(_CN_VALUE[c]) for c in value)) if value and all(c in _CN_VALUE for c in value) else None
    tens, _, ones = value.partition("十")
    if len(tens) > 1 or len(ones) > 1 or not all(c in _CN_VALUE for c in tens + ones):
        return None
    return 10 * (_CN_VALUE[tens] if tens else 1) + (_CN_VALUE[ones] if ones else 0)


def _year(value: str) -> int:
    year = int(value)
    if year < 100:  # "14年9月25日"
        year += 2000 if year <= date.today().year % 100 else 1900
    return year


def _near_year(norm: str, start: int, end: int) -> int | None:
    for m in _YEAR_NEAR.finditer(norm, max(0, start - _NEAR), min(len(norm), end + _NEAR)):
        if m.end() <= start or m.start() >= end:
            value = _cn_number(m.group(1))
            if value is not None:
                return _year(str(value))
    return None


def _dates(norm: str):
    """(start, end, year or None, month, day) of every date written in the text."""
    norm = norm.translate(_DATE_NUMERALS)
    for m in _DATE.finditer(norm):
        month = _cn_number(m.group(2))
        if month:
            yield m.start(), m.end(), _year(m.group(1)), month, int(m.group(3))
    for m in _YEAR_LAST.finditer(norm):
        first, second, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        yield m.start(), m.end(), year, second, first
        yield m.start(), m.end(), year, first, second
    for m in _COMPACT_DATE.finditer(norm):
        yield m.start(), m.end(), int(m.group(1)), int(m.group(2)), int(m.group(3))
    for m in _CN_DATE.finditer(norm):
        year, month, day = _cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3))
        if year is not None and month and day:
            yield m.start(), m.end(), _year(str(year)) if year < 100 else year, month, day
    for m in _EN_DMY.finditer(norm):
        yield m.start(), m.end(), int(m.group(3)), _EN_MONTHS.index(m.group(2)[:3].lower()) + 1, int(m.group(1))
    for m in _EN_MDY.finditer(norm):
        yield m.start(), m.end(), int(m.group(3)), _EN_MONTHS.index(m.group(1)[:3].lower()) + 1, int(m.group(2))
    for pattern in (_MONTH_DAY, _CN_MONTH_DAY):
        for m in pattern.finditer(norm):
            month, day = _cn_number(m.group(1)), _cn_number(m.group(2))
            if month and day:
                yield m.start(), m.end(), None, month, day
                year = _near_year(norm, m.start(), m.end())
                if year is not None:
                    yield m.start(), m.end(), year, month, day


# Lunar dates: "农历2014年九月初二", "甲午年九月初二", "阴历九月初二出生".
_STEMS, _BRANCHES = "甲乙丙丁戊己庚辛壬癸", "子丑寅卯辰巳午未申酉戌亥"
_LUNAR_MONTH = "正一二三四五六七八九十冬腊"
_LUNAR_DATE = re.compile(
    rf"(?P<cue>农历|阴历|旧历)? ?(?:(?P<year>(?:19|20)[0-9]{{2}}|[{_CN_DIGIT}]{{4}}|[{_STEMS}][{_BRANCHES}])年)? ?"
    rf"(?P<leap>闰)?(?P<month>十[一二]|[{_LUNAR_MONTH}]|[0-9]{{1,2}})月 ?(?P<day>初[一二三四五六七八九十]|[二三]十|廿[一二三四五六七八九]|十[一二三四五六七八九]|[0-9]{{1,2}})"
)
_LUNAR_MONTH_VALUE = {"正": 1, "冬": 11, "腊": 12, "十一": 11, "十二": 12}


@lru_cache(maxsize=4096)
def _lunar(day: date) -> tuple[int, int, int, bool] | None:
    """(year, month, day, leap month) of ``day`` in the Chinese calendar (the lunardate package)."""
    from lunardate import LunarDate

    try:
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    except ValueError:
        return None
    return lunar.year, lunar.month, lunar.day, bool(lunar.is_leap_month)


def _lunar_dates(norm: str, known: set[date]):
    """A known date of birth written in the Chinese calendar: its lunar month and day, with its
    year (in digits, numerals or as a stem-branch year, 甲午年) or after 农历/阴历 next to a word
    about being born."""
    if not known or not any(c in norm for c in "农阴旧初廿闰") and not any(s in norm for s in _STEMS):
        return
    lunar = {value for value in map(_lunar, known) if value}
    for m in _LUNAR_DATE.finditer(norm):
        month_text, day_text = m.group("month"), m.group("day")
        month = _LUNAR_MONTH_VALUE.get(month_text) or _cn_number(month_text)
        day = _cn_number(day_text.replace("初", "")) if not day_text.isdigit() else int(day_text)
        if not month or not day or not (m.group("cue") or m.group("year") or "初" in day_text or "廿" in day_text):
            continue
        year_text = m.group("year")
        for year, l_month, l_day, _leap in lunar:
            if (l_month, l_day) != (month, day):
                continue
            if year_text:
                same_year = year_text == _STEMS[(year - 4) % 10] + _BRANCHES[(year - 4) % 12] or _cn_number(year_text) == year
            else:
                same_year = bool(m.group("cue")) and bool(_BIRTH_WORD.search(norm, max(0, m.start() - _NEAR), m.end() + _NEAR))
            if same_year:
                yield m.start(), m.end(), BIRTH_DATE
                break


def birth_dates(norm: str, known: set[date]):
    """(start, end, kind) of dates of birth in ``norm`` and in the same text with Chinese numbers read
    as numbers ("二〇一四.九.二十五"), dates in pinyin read as Chinese ("er ling yi si nian jiu yue…")
    and English number words read as digits ("the twenty-fifth of September, two thousand
    fourteen"): see ``_birth_dates_in``."""
    yield from _birth_dates_in(norm, known)
    for view in (_spoken_view(norm), _pinyin_date_view(norm), _english_number_view(norm)):
        if view is not None:
            text, positions = view
            for start, end, kind in _birth_dates_in(text, known):
                yield positions[start], positions[end - 1] + 1, kind


def _rewrite(norm: str, marks) -> tuple[str, list[int]] | None:
    """``norm`` with every (start, end, replacement) of ``marks`` replaced, and the index in
    ``norm`` of every character of the result; None when nothing changes."""
    out: list[str] = []
    positions: list[int] = []
    last = 0
    for start, end, value in sorted(marks):
        if start < last or value is None:
            continue
        out.append(norm[last:start])
        positions += range(last, start)
        out.append(value)
        positions += [min(start + k, end - 1) for k in range(len(value))]
        last = end
    out.append(norm[last:])
    positions += range(last, len(norm))
    text = "".join(out)
    return (text, positions) if text != norm else None


# Dates in pinyin: "er ling yi si nian jiu yue er shi wu ri".
_PINYIN_DATE_WORDS = {"ling": "零", "yi": "一", "yao": "一", "er": "二", "san": "三", "si": "四", "wu": "五", "liu": "六",
                      "qi": "七", "ba": "八", "jiu": "九", "shi": "十", "nian": "年", "yue": "月", "ri": "日", "hao": "号"}
_PINYIN_ALTERNATIVES = "|".join(sorted(_PINYIN_DATE_WORDS, key=len, reverse=True))
_PINYIN_DATE = re.compile(rf"(?<![a-z])(?:(?:{_PINYIN_ALTERNATIVES})[\s,\-]*)+(?![a-z])", re.IGNORECASE)
_PINYIN_WORD = re.compile(_PINYIN_ALTERNATIVES, re.IGNORECASE)


def _pinyin_date_view(norm: str) -> tuple[str, list[int]] | None:
    if "yue" not in norm.lower():
        return None
    marks = []
    for m in _PINYIN_DATE.finditer(norm):
        if "yue" in m.group().lower():
            found = list(_PINYIN_WORD.finditer(m.group()))
            # Each word with the spaces after it becomes one character: "er ling yi si nian" → 二零一四年.
            marks += [(m.start() + w.start(), m.start() + (found[k + 1].start() if k + 1 < len(found) else w.end()),
                       _PINYIN_DATE_WORDS[w.group().lower()]) for k, w in enumerate(found)]
    return _rewrite(norm, marks) if marks else None


# English number words for days and years: "twenty-fifth", "the 25th", "two thousand fourteen", "twenty fourteen".
_EN_UNITS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen " \
            "eighteen nineteen".split()
_EN_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth " \
               "fifteenth sixteenth seventeenth eighteenth nineteenth".split()
_EN_VALUE = {**{w: i + 1 for i, w in enumerate(_EN_UNITS)}, **{w: i + 1 for i, w in enumerate(_EN_ORDINALS)},
             "twenty": 20, "twentieth": 20, "thirty": 30, "thirtieth": 30, "forty": 40, "fifty": 50, "sixty": 60,
             "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ONES_AND_ORDINALS = "|".join(_EN_UNITS[:9] + _EN_ORDINALS[:9])
_ALL_SMALL = "|".join(sorted(_EN_UNITS + _EN_ORDINALS, key=len, reverse=True))
_EN_NUM = rf"(?:(?:{_TENS})(?:[\s\-](?:{_ONES_AND_ORDINALS}))?|{_ALL_SMALL}|twentieth|thirtieth)"
_EN_CARDINAL = rf"(?:(?:{_TENS})(?:[\s\-](?:{'|'.join(_EN_UNITS[:9])}))?|{'|'.join(sorted(_EN_UNITS, key=len, reverse=True))})"
_EN_YEAR = re.compile(rf"(?<![a-z])(?:two thousand(?: and)?(?:[\s\-]({_EN_CARDINAL}))?|(nineteen|twenty)[\s\-]({_EN_CARDINAL}))"
                      r"(?![a-z\-])", re.IGNORECASE)
_EN_DAY = re.compile(rf"(?<![a-z\-])({_EN_NUM})(?![a-z\-])", re.IGNORECASE)


def _en_value(words: str) -> int:
    return sum(_EN_VALUE[w] for w in re.split(r"[\s\-]+", words.lower()) if w in _EN_VALUE)


def _english_number_view(norm: str) -> tuple[str, list[int]] | None:
    lower = norm.lower()
    if not any(m in lower for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")):
        return None
    marks = []
    for m in _EN_YEAR.finditer(norm):
        if m.group(2):
            value = (19 if m.group(2).lower() == "nineteen" else 20) * 100 + _en_value(m.group(3))
        else:
            value = 2000 + (_en_value(m.group(1)) if m.group(1) else 0)
        marks.append((m.start(), m.end(), str(value)))
    taken = [(a, b) for a, b, _v in marks]
    for m in _EN_DAY.finditer(norm):
        if not any(a <= m.start() < b for a, b in taken) and 1 <= _en_value(m.group()) <= 31:
            marks.append((m.start(), m.end(), str(_en_value(m.group()))))
    return _rewrite(norm, marks) if marks else None


# An age reached on a day ("今年9月25日满12周岁"): a known birthday and the age the child turns on it.
_AGE_ON = re.compile(r"满 ?([0-9]{1,2}) ?周?岁|([0-9]{1,2}) ?周岁")
_AGE_DAY = re.compile(r"(?<![0-9])([0-9]{1,2}) ?月 ?([0-9]{1,2})(?![0-9])")


def _birth_dates_in(norm: str, known: set[date]):
    """(start, end, kind) of dates of birth: a whole date (year, month, day, in digits, Chinese or
    financial numerals, Roman-numeral months, English month names, the year apart from the month
    and day, or in the Chinese calendar) that is one of the ``known`` dates of birth of the town's
    children, whatever the text says of it; a known child's birthday (month and day) with a word
    about being born nearby; or any day the text says someone was born on ("2014年9月25日出生",
    "生日是9月25日")."""
    birthdays = {(d.month, d.day) for d in known}
    for start, end, year, month, day in _dates(norm):
        said = _BIRTH_AFTER.match(norm[end : end + 5]) or _BIRTH_BEFORE.search(norm[max(0, start - 10) : start])
        try:
            exact = year is not None and date(year, month, day) in known
        except ValueError:
            continue
        birthday = (month, day) in birthdays and _BIRTH_WORD.search(norm, max(0, start - _NEAR), end + 6)
        if exact or said or birthday:
            yield start, end, BIRTH_DATE
    if not known:
        return
    for m in _DOT_MONTH_DAY.finditer(norm):
        month, day = int(m.group(1)), int(m.group(2))
        if (month, day) not in birthdays:
            continue
        year = _near_year(norm, m.start(), m.end())
        if year is not None and any(d == (year, month, day) for d in ((k.year, k.month, k.day) for k in known)) or \
                _BIRTH_WORD.search(norm, max(0, m.start() - _NEAR), m.end() + 6):
            yield m.start(), m.end(), BIRTH_DATE
    for m in _AGE_DAY.finditer(norm):
        start, end, month, day = m.start(), m.end(), int(m.group(1)), int(m.group(2))
        if (month, day) in birthdays:
            for age in _AGE_ON.finditer(norm, max(0, start - _NEAR), min(len(norm), end + _NEAR)):
                turns = int(age.group(1) or age.group(2))
                if any((d.month, d.day) == (month, day) and abs(d.year + turns - date.today().year) <= 1 for d in known):
                    yield start, end, BIRTH_DATE
                    break
    yield from _lunar_dates(norm, known)
