"""The summary as it is matched: every character folded to one plain form, with a map back to the
original text so that hits are shown where they were written.

Two views are made. ``plain`` (names, places, romanised names) folds each character on its own:
full-width and compatibility forms (NFKC), traditional and Japanese forms to simplified Chinese
(OpenCC's character tables), Cyrillic and Greek letters and Latin small capitals that look Latin,
digits of every script (by Unicode's numeric values); it drops invisible characters and the
separators between Chinese characters. ``numbers`` (phones,
identity numbers, addresses, dates) then reads as digits what was written as digits in disguise:
number words ("one three nine…", "yao san jiu…"), look-alike letters inside a run of digits
("l37O…"), and runs of Chinese numerals. Two more readings of a whole summary are checked by
``find_pii``: ``display_order`` (text after a right-to-left override, as it is shown) and
``decoded_view`` (percent-encoded UTF-8 and HTML character references, decoded).
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from functools import lru_cache

# --------------------------------------------------------------------------------------------------
# One character

_ZERO_WIDTH = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
# Letters that show as blank space: Hangul fillers (U+3164 and U+FFA0 fold to U+1160).
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
# Format characters, combining and enclosing marks (also variation selectors), control characters.
_INVISIBLE_CATEGORIES = frozenset(("Cf", "Mn", "Me", "Cc"))
_BLANKS = frozenset("\u2800")  # braille blank: shown as a space
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
# Characters people put between the characters of a name or a number: dropped between two Chinese
# characters, or between a Chinese character and a digit.
SEPARATORS = frozenset(" ·・‧•∙⋅.-_")

# Cyrillic and Greek letters drawn like Latin ones ("Хiао" is not "Xiao" to a computer).
_LATIN_LOOKALIKES = dict(
    zip(
        "АВЕЗКМНОРСТУХаеорсуххіјѕԁһӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβειικνορτυχ",
        "ABE3KMHOPCTYXaeopcyxxijsdhlABEZHIKMNOPTYXaBeiikvoptux",
        strict=True,
    )
)
_LATIN_NAME = re.compile(
    r"LATIN (?:LETTER SMALL CAPITAL|SMALL LETTER DOTLESS|SMALL LETTER SCRIPT|SMALL CAPITAL LETTER) ([A-Z])"
)


@lru_cache(maxsize=1)
def latin_confusables() -> dict[str, str]:
    """Letters drawn like Latin ones that NFKC leaves alone: Cyrillic and Greek look-alikes, and every
    Latin small capital, dotless and script letter of Unicode ("xɪᴀᴏ ʏᴀɴ" is "xiao yan"), found by
    their Unicode names rather than listed."""
    table = dict(_LATIN_LOOKALIKES)
    for cp in (*range(0x80, 0x2000), *range(0xA700, 0xA800), *range(0xAB30, 0xAB70)):
        m = _LATIN_NAME.fullmatch(unicodedata.name(chr(cp), ""))
        if m and unicodedata.normalize("NFKC", chr(cp)) == chr(cp):
            table.setdefault(chr(cp), m.group(1).lower())
    return table


def _digit_value(c: str) -> str | None:
    """The ASCII digit a character of any script stands for: decimal digits of every script,
    circled, negative-circled, double-circled and dingbat digits, Suzhou (Hangzhou) numerals — read
    from Unicode's numeric values, not from a list. Chinese ideographs (一, 十, 〇) are read as
    numerals elsewhere, only inside runs of numerals."""
    if is_cjk(c) or c.isascii():
        return None
    if unicodedata.category(c) not in ("Nd", "No", "Nl"):
        return None
    value = unicodedata.numeric(c, None)
    if value is None or value != int(value) or not 0 <= value <= 9:
        return None
    return str(int(value))


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or cp == 0x3007  # 〇
    )


def is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def invisible(ch: str) -> bool:
    """A character that shows nothing (or nothing of its own) and is dropped before matching."""
    if ch in _ZERO_WIDTH or ch in _FILLERS or 0xE0000 <= ord(ch) <= 0xE007F:  # tag characters
        return True
    return unicodedata.category(ch) in _INVISIBLE_CATEGORIES and not ch.isspace()


def _simplified_standard(ch: str) -> bool:
    """A character of GB 2312, the standard set of simplified characters: changed only by the
    mainland table (於 → 于), never by the regional or Japanese ones (萌 is not an old 萠)."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def simplified_forms() -> dict[str, str]:
    """Traditional (also Taiwan and Hong Kong variants) and Japanese forms of a Chinese character →
    its simplified form, one character for one, from OpenCC's tables (built once, ~0.2 s)."""
    import opencc

    ranges = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))
    every = [chr(c) for low, high in ranges for c in range(low, high)]
    chars = [c for c in every if not _simplified_standard(c)]

    def convert(config: str, values: list[str]) -> list[str]:
        out = opencc.OpenCC(config).convert("\n".join(values)).split("\n")
        return out if len(out) == len(values) else values

    table = {c: r for c, r in zip(every, convert("t2s", every), strict=True) if len(r) == 1 and r != c}
    japanese = [j if len(j) == 1 else c for c, j in zip(chars, convert("jp2t", chars), strict=True)]
    # The first that changes the character wins: mainland, Taiwan, Hong Kong, then Japanese forms.
    for config, source in (("tw2s", chars), ("hk2s", chars), ("t2s", japanese)):
        for original, result in zip(chars, convert(config, source), strict=True):
            if len(result) == 1 and result != original and original not in table:
                table[original] = result
    return table


@lru_cache(maxsize=8192)
def fold(ch: str) -> str:
    """One character of the original, folded: whitespace → " ", dashes → "-", NFKC (full-width
    digits, letters, parentheses and spaces become ASCII), simplified Chinese, Latin look-alikes
    to Latin letters, digits of any script to ASCII digits."""
    if ch.isspace() or ch in _BLANKS:
        return " "
    if 0x1F1E6 <= ord(ch) <= 0x1F1FF:  # regional indicator letters ("🇽🇮🇦🇴"), which flags are made of
        return chr(ord("A") + ord(ch) - 0x1F1E6)
    if ch in DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", ch)
    if folded in DASHES:
        return "-"
    out = []
    for c in folded:
        if c.isspace():
            out.append(" ")
            continue
        if ord(c) >= 0x3400:
            c = simplified_forms().get(c, c)
        elif ord(c) >= 0x80:
            c = latin_confusables().get(c, c)
        c = _digit_value(c) or c
        out.append(c)
    return "".join(out) or ch


def clean(value: str) -> str:
    """``value`` folded, without invisible characters."""
    return "".join(c for ch in value if not invisible(ch) for c in fold(ch) if not invisible(c))


# --------------------------------------------------------------------------------------------------
# The plain view


def _joinable(left: str | None, right: str | None) -> bool:
    if left is None or right is None:
        return False
    if is_digit(left) and is_digit(right):
        return False  # "3 5", "2025-2026", "138 1234 5678": the number patterns handle those
    return (is_cjk(left) or is_digit(left)) and (is_cjk(right) or is_digit(right))


_ITERATION_MARKS = frozenset("々〻")


def plain_view(text: str, join: bool = True) -> tuple[str, list[int]]:
    """Folded, invisible characters dropped, separators between Chinese characters dropped (unless
    ``join`` is false: dates keep theirs, "二〇一四.九.二十五"); with the index of the original
    character every character comes from. Numerals are left as they are."""
    folded: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if invisible(ch):
            continue
        for c in fold(ch):
            if not invisible(c):
                folded.append((c, i))

    out: list[str] = []
    index: list[int] = []
    k = 0
    while k < len(folded):
        c, i = folded[k]
        if c in SEPARATORS:
            j = k
            while j < len(folded) and folded[j][0] in SEPARATORS:
                j += 1
            right = folded[j][0] if j < len(folded) else None
            if not join or not _joinable(out[-1] if out else None, right):
                for c2, i2 in folded[k:j]:
                    out.append(c2)
                    index.append(i2)
            k = j
            continue
        if c in _ITERATION_MARKS and out and is_cjk(out[-1]):
            c = out[-1]  # "琪々" is 琪琪
        out.append(c)
        index.append(i)
        k += 1
    return "".join(out), index


_RLO = "\u202e"  # right-to-left override: what follows is shown reversed
_RLO_ENDS = frozenset("\u202c\u2069\n")  # pop directional formatting, pop isolate, end of line


def display_order(text: str) -> tuple[str, list[int]] | None:
    """``text`` as it is shown when it holds a right-to-left override ("孩子\u202e嫣萧\u202c" shows
    孩子萧嫣): the characters after the override, up to its end, reversed; with, for every
    character, its index in ``text``. None when there is no override."""
    if _RLO not in text:
        return None
    out: list[str] = []
    index: list[int] = []
    k = 0
    while k < len(text):
        if text[k] == _RLO:
            j = k + 1
            while j < len(text) and text[j] not in _RLO_ENDS:
                j += 1
            for i in range(j - 1, k, -1):
                out.append(text[i])
                index.append(i)
            k = j
            continue
        out.append(text[k])
        index.append(k)
        k += 1
    return "".join(out), index


# Characters written as percent-encoded UTF-8 ("%E8%90%A7") or HTML character references
# ("&#33831;", "&#x8427;", "&amp;"), or Unicode escapes ("\\u8427", "\\U00008427", "U+8427").
_ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2}){2,}|&#[0-9]{2,7};|&#[xX][0-9A-Fa-f]{2,6};|&[A-Za-z]{2,8};"
                      r"|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\u\{[0-9A-Fa-f]{2,6}\}|U\+[0-9A-Fa-f]{4,5}")


def decoded_view(text: str) -> tuple[str, list[int], list[int]] | None:
    """``text`` with percent-encoded UTF-8 and HTML character references decoded, and for every
    character the start and end in ``text`` of what it was decoded from; None when nothing is
    encoded."""
    if "%" not in text and "&" not in text and "\\" not in text and "U+" not in text:
        return None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in _ENCODED.finditer(text):
        token = m.group()
        pieces: list[tuple[str, int, int]] = []
        if token.startswith("%"):
            decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
            begin = m.start()
            try:
                for k in range(0, len(token), 3):
                    for ch in decoder.decode(bytes([int(token[k + 1 : k + 3], 16)])):
                        pieces.append((ch, begin, m.start() + k + 3))
                        begin = m.start() + k + 3
            except UnicodeDecodeError:
                continue
        elif token.startswith(("\\", "U+")):
            try:
                value = chr(int(token.strip("\\uU+{}"), 16))
            except (ValueError, OverflowError):
                continue
            pieces = [(value, m.start(), m.end())]
        else:
            value = html.unescape(token)
            if value == token:
                continue
            pieces = [(ch, m.start(), m.end()) for ch in value]
        for k in range(last, m.start()):
            out.append(text[k])
            starts.append(k)
            ends.append(k + 1)
        for ch, begin, end in pieces:
            out.append(ch)
            starts.append(begin)
            ends.append(end)
        last = m.end()
    if not out:
        return None
    for k in range(last, len(text)):
        out.append(text[k])
        starts.append(k)
        ends.append(k + 1)
    return "".join(out), starts, ends


def is_gap(ch: str) -> bool:
    return ch == " " or unicodedata.category(ch)[0] in "PS"


def join_cjk(norm: str) -> tuple[str, list[int]]:
    """``norm`` without what stands between two Chinese characters of a name: any run of
    punctuation, symbols and spaces ("王、芳", "王/芳"), with at most two Latin letters or digits
    among them ("萧x嫣", "王 1 芳"), as names and places are matched; with, for every character,
    its position in ``norm``."""
    out: list[str] = []
    positions: list[int] = []
    k = 0
    while k < len(norm):
        ch = norm[k]
        if out and is_cjk(out[-1]) and (is_gap(ch) or ch.isascii() and ch.isalnum()):
            j, junk = k, 0
            while j < len(norm) and junk <= 2 and (is_gap(norm[j]) or norm[j].isascii() and norm[j].isalnum()):
                junk += not is_gap(norm[j])
                j += 1
            if junk <= 2 and j < len(norm) and is_cjk(norm[j]):
                k = j
                continue
        out.append(ch)
        positions.append(k)
        k += 1
    return "".join(out), positions


# --------------------------------------------------------------------------------------------------
# The numbers view

# Chinese numerals written digit by digit ("一三九零…", "壹叁玖…"; "幺", "两", "洞", "拐", "勾" for 1,
# 2, 0, 7, 9 as numbers are read out on the radio; "○" often written for 〇).
NUMERALS = {
    **dict.fromkeys("零〇○◯洞", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二两贰", "2"),
    **dict.fromkeys("三叁", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆", "6"),
    **dict.fromkeys("七柒拐", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖勾", "9"),
}
# Latin letters (and strokes) that pass for digits inside a run of digits.
LOOKALIKE_DIGITS = {
    **dict.fromkeys("OoD", "0"),
    **dict.fromkeys("lIi|!", "1"),
    **dict.fromkeys("Zz", "2"),
    **dict.fromkeys("Ss", "5"),
    **dict.fromkeys("bG", "6"),
    "T": "7",
    "B": "8",
    "E": "3",
    **dict.fromkeys("gq", "9"),
}
_USUAL_LOOKALIKES = frozenset("OolI|")
# Between the digit groups of a number (after folding: "，" is ",", "．" is ".", "／" is "/").
_GROUP_SEPARATORS = " \\-/,、._·・"
_RUN_CLASS = "0-9" + "".join(NUMERALS) + re.escape("".join(LOOKALIKE_DIGITS))
_DIGIT_RUN = re.compile(rf"[{_RUN_CLASS}](?:[{_GROUP_SEPARATORS}]{{0,2}}[{_RUN_CLASS}])*")
_MIN_NUMERAL_RUN = 7  # "一二年级", "三四个孩子", "一二三四五六册" are words, not numbers
_MIN_CHINESE_NUMERALS = 3  # "138，464，181三四个孩子": a list of numbers, then a word

_WORD_DIGITS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ling": "0", "yao": "1", "yi": "1", "er": "2", "liang": "2", "san": "3",
    "si": "4", "wu": "5", "liu": "6", "qi": "7", "ba": "8", "jiu": "9",
    # Read out the radio way (洞幺两拐勾), and "oh" for zero in English.
    "dong": "0", "guai": "7", "gou": "9", "oh": "0",
}
_WORD = "|".join(sorted(_WORD_DIGITS, key=len, reverse=True))
# Number words in a row, together or apart, perhaps among groups of digits: "one three nine zero…",
# "yaosanjiu…", "138 zero five three nine 1234", "371302 two zero one four … 0027".
_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+|[\s,\-_.]+|.")
_WORDS_ONLY = re.compile(rf"(?:{_WORD})+", re.IGNORECASE)
_ONE_WORD = re.compile(rf"{_WORD}", re.IGNORECASE)
_MIN_WORDS = 7  # number words alone: "one or two", "san si ge" are words
_MIN_MIXED = 10  # digits in all, with 3 or more number words, when words and digits are mixed
# Roman numerals as digits, 7 or more in a row ("III VII I III 0 II …").
_ROMAN_DIGITS = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8", "IX": "9", "0": "0"}
_ROMAN_RUN = re.compile(r"(?<![A-Za-z0-9])(?:(?:VIII|VII|VI|IV|IX|III|II|I|V|0)[ ,.\-]+){6,}(?:VIII|VII|VI|IV|IX|III|II|I|V|0)(?![A-Za-z0-9])")


def _toneless(text: str) -> str:
    """``text`` with the tone marks of Latin letters dropped, one character for one ("yāo" → "yao")."""
    return "".join(unicodedata.normalize("NFD", c)[0] if not c.isascii() and c.isalpha() else c for c in text)


def _read_number_words(norm: str, index: list[int]) -> tuple[str, list[int]]:
    """Runs of number words, in English, pinyin (with or without tones) or Roman numerals, become
    digits: one digit at the place of each word — 7 or more words, or words among digits that make
    10 or more digits with 3 or more words."""
    plain = _toneless(norm)
    found: list[tuple[int, int, list[tuple[int, str]]]] = []
    run: list[tuple[int, str]] = []  # (position, digits) of the words and digit groups of the current run
    run_end = 0
    for token in [*_TOKEN.finditer(plain), None]:
        text = token.group() if token else ""
        if token and (text.isdigit() and text.isascii() or text[:1].isspace() or text[:1] in ",-_."):
            if text.isdigit():
                run.append((token.start(), text))
                run_end = token.end()
            continue
        if token and text.isalpha() and text.isascii() and _WORDS_ONLY.fullmatch(text):
            run += [(token.start() + w.start(), _WORD_DIGITS[w.group().lower()]) for w in _ONE_WORD.finditer(text)]
            run_end = token.end()
            continue
        words = sum(len(d) == 1 and not plain[k].isdigit() for k, d in run)
        digits = sum(len(d) for _, d in run)
        if words >= _MIN_WORDS or words >= 3 and digits >= _MIN_MIXED and words < len(run):
            found.append((run[0][0], run_end, run))
        run = []
    for run in _ROMAN_RUN.finditer(plain):
        # With a zero, or ten numerals or more: a list of chapters or grades has fewer and no zero.
        if "0" in run.group() or len(re.findall(r"[IVX]+|0", run.group())) >= 10:
            found.append((run.start(), run.end(), [(run.start() + w.start(), _ROMAN_DIGITS[w.group()])
                                                    for w in re.finditer(r"[IVX]+|0", run.group())]))
    if not found:
        return norm, index
    out: list[str] = []
    positions: list[int] = []
    last = 0
    for start, end, items in sorted(found):
        if start < last:
            continue
        out.append(norm[last:start])
        positions += index[last:start]
        for k, digits in items:
            out.append(digits)
            positions += index[k : k + len(digits)] if plain[k].isdigit() else [index[k]]
        last = end
    out.append(norm[last:])
    positions += index[last:]
    return "".join(out), positions


def _fold_run(norm: str, m: re.Match) -> str:
    run = m.group()
    # Letters standing apart at either end are words, not digits: "QQ 12345678", "ID 3713…".
    pieces = re.split(f"([{_GROUP_SEPARATORS}]+)", run)
    lead = trail = ""
    if len(pieces) > 2 and all(c.isascii() and c.isalpha() for c in pieces[0]):
        lead, pieces = pieces[0] + pieces[1], pieces[2:]
    if len(pieces) > 2 and all(c.isascii() and c.isalpha() for c in pieces[-1]):
        trail, pieces = pieces[-2] + pieces[-1], pieces[:-2]
    core = "".join(pieces)
    before = norm[m.start() - 1] if m.start() and not lead else ""
    after = norm[m.end()] if m.end() < len(norm) and not trail else ""
    return lead + _read_run(core, before, after) + trail


_TIMESTAMP = re.compile(r"(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}T")


def _read_run(run: str, before: str, after: str) -> str:
    if _TIMESTAMP.match(run):  # "2014-09-25T08:00": the T of a timestamp is no digit
        return run
    chinese = sum(c in NUMERALS for c in run)
    digits = sum(map(is_digit, run))
    letters = sum(c in LOOKALIKE_DIGITS for c in run)
    if letters:
        # "l37O8593715": letters among digits, the run not part of a word ("Hello1234567"). O and l
        # (and I, |) are the usual disguise and may outnumber the digits; other letters may not.
        in_word = before.isascii() and before.isalpha() or after.isascii() and after.isalpha() and after not in "Xx"
        total = chinese + digits + letters
        unusual = sum(c in LOOKALIKE_DIGITS and c not in _USUAL_LOOKALIKES for c in run)
        if not in_word and total >= _MIN_NUMERAL_RUN and digits + chinese >= max(3, unusual):
            return "".join(NUMERALS.get(c) or LOOKALIKE_DIGITS.get(c) or c for c in run)
    if chinese + digits < _MIN_NUMERAL_RUN or not chinese:
        return run
    if chinese < _MIN_CHINESE_NUMERALS:
        # A Chinese numeral written among digits ("1373975494四"), not after a list ("181三四个").
        parts = re.split(f"[{_GROUP_SEPARATORS}]+", run)
        if max(sum(c in NUMERALS or is_digit(c) for c in part) for part in parts) < _MIN_NUMERAL_RUN:
            return run
    return "".join(NUMERALS.get(c, c) for c in run)


def numbers_view(plain: str, index: list[int]) -> tuple[str, list[int]]:
    """``plain`` with number words, look-alike letters and Chinese numerals inside runs of digits
    read as digits, and the original index of every character. Runs of Chinese numerals count
    from 7 numerals with 3 or more of them Chinese ("一二年级", "十一岁" are words)."""
    norm, index = _read_number_words(plain, index)
    return _DIGIT_RUN.sub(lambda m: _fold_run(norm, m), norm), index


def normalise(text: str) -> tuple[str, list[int]]:
    """The text as it is matched for numbers and addresses, and for every character of it the index
    of the original character it comes from."""
    return numbers_view(*plain_view(text))


def compact(value: str) -> str:
    """A name or place as it is searched for: folded, without any separator or invisible character."""
    return join_cjk("".join(c for c in clean(value) if c not in SEPARATORS))[0]
