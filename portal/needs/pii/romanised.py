"""Names and villages written in pinyin, or half in pinyin ("Xiao Yan", "XiaoYan", "xiao1 yan1",
"Xiāo Yān", "Yan Xiao", "萧Yan", "Zhang XM", "ㄒㄧㄠ ㄧㄢ", "Hsiao Yen", "Tusu村").

The readings of every character come from pypinyin (all readings of a character with several:
曾 is zeng or ceng), in pinyin without tones, with ü written u, v or yu, in Wade–Giles and in
zhuyin. With hundreds of names of a village and its neighbours, single syllables would match
ordinary words, so a hit needs evidence of a whole name:

- every character of the name is matched, in order: surname then given name or given name then
  surname, or the given name alone when it has two or more characters;
- each Latin word is used whole, and a name ends where a word ends ("Yanzi" is not "Yan");
- at least one character is written out in full in Latin letters or zhuyin (names in Chinese
  characters alone are matched elsewhere);
- initials stand for characters only in a full name of three or more characters, in words of their
  own: mixed with syllables ("Zhang XM", "Zhang X. M."), or all of them in capitals or letter by
  letter ("ZXM", "Z.X.M."), not a common abbreviation ("PPT"); a village's initials only before its
  村 ("TS村"). Placeholders ("张XX", "Zhang X", "XX村") are not initials;
- an English word that reads as a name ("like" is li+ke, 李可) is the word when written as one
  word, and the town, county and city ("Linyi" is also 林怡) are never a name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from portal.needs.pii.text import is_cjk, is_gap

# Words after a village's name that make it the name of a town, a county or a city.
HIGHER_WORDS = frozenset("zhen xiang jiedao town township street subdistrict county xian district qu city shi".split())
HIGHER_CHARS = frozenset("镇乡县区市街")
VILLAGE_SUFFIX_WORDS = frozenset(("cun", "village", "tsun"))
# Letters written for a name that is not given: "张XX", "Zhang X".
_PLACEHOLDER = "x"
# Common abbreviations that are also the initials of some name ("PPT" is not 潘鹏涛).
ABBREVIATIONS = frozenset(
    "app apk ai ppt pdf diy ktv ceo cba nba usb sos atm gps wifi id qq vip tv pc dvd cd mp3 mp4 ok abc "
    "sat gdp cpu gpu led lcd hiv bmi icu ct mri sms fm bbc cctv wto who pta pe jpg png doc xls".split()
)
_BOPOMOFO_TONES = frozenset("ˉˊˇˋ˙")
# English words that read as two or three pinyin syllables ("like" is li+ke, 李可): written as one
# word they are taken for the word ("Li Ke" is still the name).
ENGLISH_WORDS = frozenset(
    """like make take wake sake shake fake bake lake mike bike luke name game same fame lame tame shame dame
    time lime dime mime chime line mine nine dine pine tine shine tune dune lane mane pane sane wane bane gene
    one change range mange orange dance chance fence hence pence sense dense here mere pure cure lure dire
    tire more pore page sage wage huge ride side tide bide made fade wade shade mode nude rude dude sale tale
    male pale bale gale dale mile bile pile tile mole pole rule mule dice mice lice pace face lace mace base
    site mate date late gate hate fate mute lute meta data tuna puma luna gala hula tuba cuba panda agenda
    sedan banana bandana china mama papa baba yoga menu guru haiku taichi sushi wasabi emoji anime manga
    mania media median women woman human shaman omen linen taken open shaken lean mean dean genre manure
    mature nature denature share menace palace manage damage mandate hangman anna hanna lina nina tina dina
    mina lena dana diana mona hana lisa mia maria kate""".split()
) | frozenset(  # apps and companies named in English text ("the bureau's official Weixin account")
    "weixin weibo douyin taobao alipay zhifubao kuaishou baidu tencent xiaohongshu dingding meituan".split()
)


def _is_bopomofo(ch: str) -> bool:
    return 0x3105 <= ord(ch) <= 0x312F or 0x31A0 <= ord(ch) <= 0x31BF


def _latin_base(ch: str) -> str:
    """"ā" → "a", "ü" → "u", "v" → "u" (ü is written v on keyboards), other letters unchanged."""
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return "u" if base == "v" else base


@dataclass(frozen=True)
class Slot:
    char: str
    spellings: frozenset[str]  # full syllables
    initials: frozenset[str]


@dataclass(frozen=True)
class Variant:
    slots: tuple[Slot, ...]
    kind: str  # "full" (surname and given name), "given", "place" (a village stem) or "village" (with 村)
    surname: int  # how many leading slots are the surname (0 for given names and places)
    kind_label: str  # "name" or "place"


@lru_cache(maxsize=8192)
def _slot(char: str) -> Slot:
    from pypinyin import Style, pinyin

    spellings: set[str] = set()
    for style in (Style.NORMAL, Style.WADEGILES):
        for reading in pinyin(char, style=style, heteronym=True, errors="ignore")[0] if is_cjk(char) else ():
            word = "".join(_latin_base(c) for c in reading if c.isalpha())
            if word:
                spellings.add(word)
                if word in ("lu", "nu") and style == Style.NORMAL and "v" in reading:
                    spellings.add(word[0] + "yu")  # 吕 Lyu, as on passports
    for reading in pinyin(char, style=Style.BOPOMOFO, heteronym=True, errors="ignore")[0] if is_cjk(char) else ():
        word = "".join(c for c in reading if _is_bopomofo(c))
        if word:
            spellings.add(word)
    initials = {s[0] for s in spellings} | {s[:2] for s in spellings if s[:2] in ("zh", "ch", "sh")}
    return Slot(char, frozenset(spellings), frozenset(initials))


def name_slot_variants(name: str, given_start: int, parts: list[str] | None) -> list[Variant]:
    """The ways a Chinese name (compacted) is written in pinyin. ``given_start``: where the given
    name begins; ``parts``: the parts of a transliterated name ("买买提·艾力")."""
    slots = tuple(_slot(c) for c in name)
    if any(not s.spellings for s in slots):
        return []
    if parts:
        out = [Variant(slots, "full", 0, "name")]
        out += [Variant(tuple(_slot(c) for c in p), "given", 0, "name") for p in parts if len(p) >= 2]
        return out
    surname, given = slots[:given_start], slots[given_start:]
    out = [Variant(slots, "full", len(surname), "name")]
    if given:
        out.append(Variant(given + surname, "full", 0, "name"))
    if len(given) >= 2:
        out.append(Variant(given, "given", 0, "name"))
    return out


def place_slot_variants(full: str, stems: list[str]) -> list[Variant]:
    out = []
    for value in (full, *stems):
        slots = tuple(_slot(c) for c in value)
        if len(slots) >= 2 and all(s.spellings for s in slots):
            out.append(Variant(slots, "place", 0, "place"))
    for stem in stems:
        slots = tuple(_slot(c) for c in stem)
        if len(slots) >= 1 and all(s.spellings for s in slots):
            out.append(Variant((*slots, Slot("村", VILLAGE_SUFFIX_WORDS, frozenset())), "village", 0, "place"))
            # "TSC村": the initials of the whole name, 村 included, before 村.
            out.append(Variant((*slots, Slot("村", frozenset(), frozenset("c")), Slot("村", VILLAGE_SUFFIX_WORDS, frozenset())),
                               "village", 0, "place"))
    return out


# --------------------------------------------------------------------------------------------------
# The text as tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "cjk", "latin" (letters or zhuyin) or "other" (matches nothing)
    text: str
    start: int  # in the plain view
    end: int
    upper: bool = False  # written in capitals


def plain_upper(token: Token) -> bool:
    return token.upper


# An English possessive ("Yan's father"), not a syllable break ("Xi'an").
_POSSESSIVE = re.compile(r"['’ʼ][sS](?![A-Za-z])")


def tokens_of(plain: str, camel: bool = True) -> list[Token]:
    """Chinese characters one by one, Latin words (lower case, without tone marks, split where a
    lower-case letter meets an upper-case one: "XiaoYan", unless ``camel`` is false), zhuyin words;
    tone digits after a word, punctuation and spaces between tokens are skipped; anything else
    stops a name."""
    out: list[Token] = []
    k, n = 0, len(plain)
    while k < n:
        ch = plain[k]
        if is_cjk(ch):
            out.append(Token("cjk", ch, k, k + 1))
            k += 1
        elif ch.isalpha() and _latin_base(ch).isascii():
            j, letters = k, []
            while j < n and (plain[j].isalpha() and _latin_base(plain[j]).isascii() or plain[j] in "'’ʼ"
                             and j + 1 < n and plain[j + 1].isalpha() and not _POSSESSIVE.match(plain, j)):
                if camel and letters and plain[j].isupper() and plain[j - 1].islower():
                    break
                if plain[j].isalpha():
                    letters.append(_latin_base(plain[j]))
                j += 1
            start, k = k, j
            while k < n and plain[k] in "012345":  # tone numbers: "xiao3"
                k += 1
            out.append(Token("latin", "".join(letters), start, k, plain[start:j].isupper()))
        elif _is_bopomofo(ch):
            j = k
            while j < n and _is_bopomofo(plain[j]):
                j += 1
            out.append(Token("latin", plain[k:j], k, j))
            k = j
        elif is_gap(ch) or ch in _BOPOMOFO_TONES:
            k += 1
        else:
            out.append(Token("other", ch, k, k + 1))
            k += 1
    return out


# --------------------------------------------------------------------------------------------------
# Matching


@dataclass(frozen=True)
class Index:
    by_prefix: dict  # a Latin spelling or initial of the first slot -> variants
    by_char: dict  # the first slot's character -> variants
    by_partial: dict  # the beginning of a spelling of the first slot ("xi" of "xiao") -> variants


def build_index(variants: tuple[Variant, ...]) -> Index:
    by_prefix: dict[str, list[Variant]] = {}
    by_char: dict[str, list[Variant]] = {}
    by_partial: dict[str, list[Variant]] = {}
    for v in variants:
        first = v.slots[0]
        # Initials count only in a full name of three or more characters or before 村.
        takes_initials = v.kind == "village" or v.kind == "full" and len(v.slots) >= 3
        for s in first.spellings | (first.initials if takes_initials else frozenset()):
            by_prefix.setdefault(s, []).append(v)
        by_char.setdefault(first.char, []).append(v)
        for s in first.spellings:
            if s.isascii():
                for k in range(1, len(s)):
                    by_partial.setdefault(s[:k], []).append(v)
    return Index(by_prefix, by_char, by_partial)


class _Count(NamedTuple):
    latin_full: int = 0
    cjk: int = 0
    initials: str = ""
    initial_slots: tuple = ()
    modes: tuple = ()  # (token index, "full" or "initial") of every slot matched in Latin letters


def _accept(v: Variant, c: _Count, tokens: list[Token], first: int, last: int) -> bool:
    if first == last and tokens[first].text in ENGLISH_WORDS:
        return False
    if not c.initials:
        return c.latin_full > 0  # Chinese characters alone are matched elsewhere
    # Initials stand in words of their own ("Zhang XM", "X. Yan"), never glued to a syllable.
    full_tokens = {ti for ti, mode in c.modes if mode == "full"}
    if any(ti in full_tokens for ti, mode in c.modes if mode == "initial"):
        return False
    if v.kind == "village":
        return len(set(c.initials)) > 1  # "TS村", but not "XX村"
    if v.kind != "full" or len(v.slots) < 3:
        return False  # "Wang F", "ID": two letters say too little
    if not c.latin_full:
        if c.cjk:
            return False  # "王F", "张XX": how names are hidden, not written
        # Initials alone: surname first, in capitals or letter by letter ("ZXM", "Z.X.M."), not an abbreviation.
        written = [tokens[i] for i in range(first, last + 1)]
        letters = "".join(t.text for t in written)
        capitals = all(plain_upper(t) for t in written) or all(len(t.text) == 1 for t in written)
        return v.surname > 0 and capitals and letters not in ABBREVIATIONS and set(letters) != {_PLACEHOLDER}
    # The surname written out and the given name as placeholder letters: "Zhang X", "Zhang XX".
    given_initials = [i for i in c.initial_slots if i >= v.surname]
    return not (v.surname and len(given_initials) == len(v.slots) - v.surname and set(c.initials) == {_PLACEHOLDER})


def _replace(c: _Count, **changes) -> _Count:
    return c._replace(**changes)


def _after_is_higher(tokens: list[Token], last: int) -> bool:
    if last + 1 >= len(tokens):
        return False
    nxt = tokens[last + 1]
    return nxt.kind == "cjk" and nxt.text in HIGHER_CHARS or nxt.kind == "latin" and nxt.text in HIGHER_WORDS


def spellings_of(value: str, limit: int = 64) -> set[str]:
    """Every way ``value`` (Chinese characters) is spelt in one word: "临沂" → {"linyi", "linqi", …}."""
    out = {""}
    for ch in value:
        slot = _slot(ch)
        if not slot.spellings:
            return set()
        out = {o + s for o in out for s in slot.spellings}
        if len(out) > limit:
            out = set(sorted(out)[:limit])
    return out - {""}


def find(plain: str, index: Index, public: frozenset[str] = frozenset()):
    """(start, end, "name" | "place") in the plain view of every romanised name or village; not
    the town, county or city (``public``: their spellings), which the summary may name ("Linyi")."""
    for view in (plain, *_leet_views(plain)):
        tokens = tokens_of(view)
        if not any(t.kind == "latin" for t in tokens):
            continue
        yield from _find(tokens, index, public)
        spelled = _join_spelled_letters(tokens)
        if spelled is not None:
            yield from _find(spelled, index, public)
        whole = tokens_of(view, camel=False)  # "xIaO yAn": capitals that split no words
        if len(whole) != len(tokens):
            yield from _find(whole, index, public)


# Digits and signs written for letters inside a word ("X1ao Y4n"); 1 may be i or l.
_LEET = [str.maketrans({"0": "o", "1": one, "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
         for one in "il"]
_MIXED_WORD = re.compile(r"[A-Za-z0-9@$]*[A-Za-z][A-Za-z0-9@$]*")


def _leet_views(plain: str) -> list[str]:
    """``plain`` with the digits and signs inside words of letters read as letters (one view for 1
    as i, one for 1 as l), when there are any."""
    words = [m for m in _MIXED_WORD.finditer(plain) if not m.group().isalpha()]
    if not words:
        return []
    views = []
    for table in _LEET:
        chars = list(plain)
        for m in words:
            chars[m.start() : m.end()] = m.group().translate(table)
        views.append("".join(chars))
    return views


def _join_spelled_letters(tokens: list[Token]) -> list[Token] | None:
    """Three or more single letters in a row joined into one word ("z h a n g x i a o m i n g")."""
    out: list[Token] = []
    run: list[Token] = []
    joined = False
    for token in [*tokens, Token("other", "", -1, -1)]:
        if token.kind == "latin" and len(token.text) == 1 and token.text.isascii():
            run.append(token)
            continue
        if len(run) >= 3:
            out.append(Token("latin", "".join(t.text for t in run), run[0].start, run[-1].end,
                             all(t.upper for t in run)))
            joined = True
        else:
            out += run
        run = []
        if token.start >= 0:
            out.append(token)
    return out if joined else None


_LONGEST_NAME = 40  # letters: a longer word is no name, and is not searched


def _find(tokens: list[Token], index: Index, public: frozenset[str]):
    for ti, token in enumerate(tokens):
        if len(token.text) > _LONGEST_NAME:
            continue
        if token.kind == "cjk":
            candidates = index.by_char.get(token.text, ())
        elif token.kind == "latin":
            seen: dict[int, Variant] = {}
            for length in range(1, min(len(token.text), 7) + 1):
                for v in index.by_prefix.get(token.text[:length], ()):
                    seen.setdefault(id(v), v)
            if len(token.text) >= 2 and ti + 1 < len(tokens) and tokens[ti + 1].kind == "latin":  # "Xi-ao Yan"
                for v in index.by_partial.get(token.text, ()):
                    seen.setdefault(id(v), v)
            candidates = seen.values()
        else:
            continue
        for v in candidates:
            counts = _Count()
            last = _match_accepting(v, tokens, ti, counts)
            if last is None:
                continue
            if v.kind != "village" and _after_is_higher(tokens, last):
                continue  # "Linyi City", "Tusu Town"
            if "".join(tokens[i].text for i in range(ti, last + 1) if tokens[i].kind == "latin") in public:
                continue
            yield token.start, tokens[last].end, v.kind_label
            break  # one name found from this word is enough to refuse the summary


def _match_accepting(v: Variant, tokens: list[Token], ti: int, counts: _Count):
    """The index of the last token of a match of ``v`` starting at token ``ti``, or None. Every
    complete match is judged by ``_accept`` and the search goes on after a refused one ("Zhang X"
    refused, "Zhang Xiao" taken). A syllable may run over into the next word ("Xi-ao Yan")."""
    results: list[int] = []

    def full(c: _Count, ti: int) -> _Count:
        return _replace(c, latin_full=c.latin_full + 1, modes=(*c.modes, (ti, "full")))

    def walk(ti: int, si: int, off: int, c: _Count, pending: str = "") -> bool:
        if pending:  # the rest of a syllable begun in the word before
            if ti >= len(tokens) or tokens[ti].kind != "latin" or not tokens[ti].text.isascii():
                return False
            text = tokens[ti].text
            if text.startswith(pending):
                nti, noff = (ti + 1, 0) if len(pending) == len(text) else (ti, len(pending))
                return walk(nti, si + 1, noff, full(c, ti))
            if pending.startswith(text):
                return walk(ti + 1, si, 0, _replace(c, modes=(*c.modes, (ti, "full"))), pending[len(text) :])
            return False
        if si == len(v.slots):
            if off == 0 and _accept(v, c, tokens, start, ti - 1):
                results.append(ti - 1)
                return True
            return False
        if ti >= len(tokens):
            return False
        token, slot = tokens[ti], v.slots[si]
        if token.kind == "cjk":
            return not off and token.text == slot.char and walk(ti + 1, si + 1, 0, _replace(c, cjk=c.cjk + 1))
        if token.kind != "latin":
            return False
        rest = token.text[off:]
        for spelling in slot.spellings:
            if rest.startswith(spelling):
                n = off + len(spelling)
                nti, noff = (ti + 1, 0) if n == len(token.text) else (ti, n)
                if walk(nti, si + 1, noff, full(c, ti)):
                    return True
            elif spelling.startswith(rest) and spelling.isascii():
                if walk(ti + 1, si, 0, _replace(c, modes=(*c.modes, (ti, "full"))), spelling[len(rest) :]):
                    return True
        for initial in slot.initials:
            if rest.startswith(initial):
                n = off + len(initial)
                nti, noff = (ti + 1, 0) if n == len(token.text) else (ti, n)
                counted = _replace(c, initials=c.initials + initial[0], initial_slots=(*c.initial_slots, si),
                                   modes=(*c.modes, (ti, "initial")))
                if walk(nti, si + 1, noff, counted):
                    return True
        return False

    start = ti
    walk(ti, 0, 0, counts)
    return results[0] if results else None


# --------------------------------------------------------------------------------------------------
# A name with one part reduced to initials: "X嫣", "欧阳MX", "Ouyang M.", "Ouyang MX"

# Words made of a Latin letter and a Chinese character (字母词): not a surname's initial and a
# given name ("B超" is not 白超).
LETTER_WORDS = frozenset(
    "a股 b股 h股 n股 b超 x光 x线 t恤 k歌 q版 u盘 a货 c位 k线 t台 g点 e站 b站 a站 q弹 x射 ct室 n次 3d 4s店 pk赛 "
    "ab型 a型 b型 o型 ab角 a角 b角 a级 b级 c级 a类 b类 c类 a区 b区 c区 a组 b组 c组 a班 b班 c班 a面 b面 a款 b款 "
    "e化 vip卡 ic卡 sim卡 ip卡 u形 v形 s形 t形 x形 o形 a4纸".split()
)
_NOT_SURNAME_WORDS = frozenset(("he", "an", "so", "no", "go", "me", "to", "do", "be", "we"))
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANZI_THEN_INITIALS = re.compile(rf"([{_CJK_CHARS}]{{1,2}}) ?((?:[A-Za-z]\.? ?){{1,3}})(?![A-Za-z])")
_INITIALS_THEN_HANZI = re.compile(rf"(?<![A-Za-z0-9])((?:[A-Za-z]\.? ?){{1,2}})([{_CJK_CHARS}]{{1,3}})")
_SURNAME_THEN_INITIALS = re.compile(r"(?<![A-Za-z])([A-Za-z]{2,12}) ((?:[A-Z]\.? ?){1,3})(?![A-Za-z])")


@dataclass(frozen=True)
class Initials:
    """The keys of every name with its surname or its given name reduced to initials."""

    hanzi_surname: frozenset[tuple[str, str]]  # ("欧阳", "mx"), ("欧阳", "m"), ("萧", "y")
    hanzi_given: frozenset[tuple[str, str]]  # ("x", "嫣"), ("oy", "明轩")
    latin_surname: frozenset[tuple[str, str]]  # ("ouyang", "mx"), ("ouyang", "m")


def _initial_strings(slots: tuple[Slot, ...], limit: int = 16) -> set[str]:
    out = {""}
    for slot in slots:
        out = {o + i[0] for o in out for i in slot.initials}
        if len(out) > limit:
            break
    return out


def build_initials(names: list[tuple[str, int]]) -> Initials:
    """``names``: (name, where its given name begins) of every Chinese name checked. Only whole
    patterns count: every syllable of the given name by its initial (or only the first, as the
    West writes a given name: "Ouyang M."), or every syllable of the surname by its initial with
    the whole given name in characters; initials that are all x are a placeholder ("张XX")."""
    hanzi_surname, hanzi_given, latin_surname = set(), set(), set()
    for name, given_start in names:
        surname, given = name[:given_start], name[given_start:]
        if not surname or not given:
            continue
        s_slots, g_slots = tuple(_slot(c) for c in surname), tuple(_slot(c) for c in given)
        if any(not s.spellings for s in (*s_slots, *g_slots)):
            continue
        given_initials = _initial_strings(g_slots) | _initial_strings(g_slots[:1])
        given_initials = {g for g in given_initials if set(g) != {"x"}}
        for initials in given_initials:
            hanzi_surname.add((surname, initials))
            for spelling in _spellings(s_slots):
                latin_surname.add((spelling, initials))
        for initials in _initial_strings(s_slots):
            hanzi_given.add((initials, given))
    return Initials(frozenset(hanzi_surname), frozenset(hanzi_given), frozenset(latin_surname))


def _spellings(slots: tuple[Slot, ...], limit: int = 16) -> set[str]:
    out = {""}
    for slot in slots:
        out = {o + s for o in out for s in slot.spellings if s.isascii()}
        if len(out) > limit:
            break
    return out


def _letters(value: str) -> str:
    return "".join(c for c in value if c.isalpha()).lower()


def find_initials(plain: str, initials: Initials):
    """(start, end) in ``plain`` of every name written with initials for its surname or given name."""
    for m in _HANZI_THEN_INITIALS.finditer(plain):
        hanzi, letters = m.group(1), _letters(m.group(2))
        if len(letters) == 1 and not m.group(2)[0].isupper():
            continue
        for size in (2, 1):
            if len(hanzi) >= size and (hanzi[-size:], letters) in initials.hanzi_surname:
                yield m.start(1) + len(hanzi) - size, m.end(2) - (len(m.group(2)) - len(m.group(2).rstrip(". ")))
                break
    for m in _INITIALS_THEN_HANZI.finditer(plain):
        raw, letters, hanzi = m.group(1), _letters(m.group(1)), m.group(2)
        if not raw[0].isupper():
            continue
        for size in (1, 2, 3):
            given = hanzi[:size]
            if len(given) == size and (letters, given) in initials.hanzi_given:
                if (letters + hanzi[:1]) in LETTER_WORDS or (letters + hanzi[:2]) in LETTER_WORDS:
                    break
                yield m.start(1), m.start(2) + size
                break
    for m in _SURNAME_THEN_INITIALS.finditer(plain):
        word, letters = m.group(1), _letters(m.group(2))
        if not word[0].isupper() or word.lower() in _NOT_SURNAME_WORDS:
            continue
        if (word.lower(), letters) in initials.latin_surname:
            yield m.start(1), m.end(2) - (len(m.group(2)) - len(m.group(2).rstrip(". ")))
