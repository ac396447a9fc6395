"""Ordinary words that hold a given name: "宇航员" holds 宇航 (张宇航), "建军节" holds 建军 (韩建军),
"一诺千金" holds 一诺 (郑一诺). A given name written alone is refused unless a dictionary word of the
text covers it and goes beyond it: then it is that word, not the name. Full names (surname and
given name) are always refused.

The words are those of two maintained dictionaries shipped on PyPI: jieba's (349,000 words, the
usual dictionary of Chinese word segmentation) and pypinyin's phrases; only words of 3 or more
characters are kept (a word must be longer than the 2-character given name it holds), loaded once
on first use (~0.2 s).

The sentence is also segmented with jieba's tokenizer on the same dictionary, taught every checked
full name (so a real name is one word): a given name alone that the segmentation cuts across
("意志|强大" holds 志强) is words; a full name is words only when its surname ends a word begun before
it and its given name begins one going on after it ("每周|强化" holds 周强). A given name that is a
common word (jieba frequency ≥ 100) naming an occasion — followed by 假期/节日/周年… or preceded by
中国/祖国… — is the word ("国庆|假期", "新中国|建国").
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

_LONGEST = 8  # characters of the longest word looked for around a name


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    import jieba
    from pypinyin.phrases_dict import phrases_dict

    words = {w for w in phrases_dict if 3 <= len(w) <= _LONGEST}
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as f:
        for line in f:
            word = line.split(" ", 1)[0]
            if 3 <= len(word) <= _LONGEST:
                words.add(word)
    return frozenset(words)


def inside_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside a dictionary word of ``text`` that extends beyond it."""
    words = dictionary_words()
    for a in range(max(0, start - _LONGEST + (end - start)), start + 1):
        for b in range(end, min(len(text), a + _LONGEST) + 1):
            if (a, b) != (start, end) and b - a >= 3 and text[a:b] in words:
                return True
    return False


# --------------------------------------------------------------------------------------------------
# Segmentation: where the words of a sentence begin and end

_SEGMENTS: dict[str, frozenset[int]] = {}  # text -> its word boundaries, for the texts of recent checks
_ADDED: set[str] = set()
# jieba's tokenizer is shared by the process's threads: names are added under this lock, so two
# publishes in threaded app servers never change its dictionary at the same moment. Names only
# ever make a real name one word (more hits, never fewer), so a name learnt from another town
# can cost a false alarm, never a miss.
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer():
    import logging

    import jieba

    jieba.setLogLevel(logging.ERROR)
    tokenizer = jieba.Tokenizer()  # jieba's own dictionary, the one ``dictionary_words`` reads
    tokenizer.initialize()
    return tokenizer


def add_names(names) -> None:
    """Teach the segmentation every checked full name, so that a real name is one word of the
    sentence ("每周强同学" is 每|周强|同学), loaded with the first list, not during a check."""
    tokenizer = _tokenizer()
    with _LOCK:
        new = [n for n in names if n not in _ADDED and len(n) >= 2]
        for name in new:
            tokenizer.add_word(name)
            _ADDED.add(name)
        if new:
            _SEGMENTS.clear()


def boundaries(text: str) -> frozenset[int]:
    """The positions in ``text`` where a word begins or ends in jieba's segmentation by its
    dictionary (no guessing of unknown words: the same text always segments the same way)."""
    found = _SEGMENTS.get(text)
    if found is None:
        found, k = {0}, 0
        for word in _tokenizer().lcut(text, HMM=False):
            k += len(word)
            found.add(k)
        if len(_SEGMENTS) > 256:
            _SEGMENTS.clear()
        found = _SEGMENTS[text] = frozenset(found)
    return found


def straddles_words(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` begins or ends inside a word of the sentence: "志强" in
    意志|强大, "红梅" in 红|梅花|开, "小明" in 小|明式."""
    cuts = boundaries(text)
    return start not in cuts or end not in cuts


def joined_both_sides(text: str, start: int, split: int, end: int) -> bool:
    """Whether a full name's surname ends a word begun before it and its given name begins a
    word that goes on after it: 每周|强化 holds 周强, but not as a name."""
    cuts = boundaries(text)
    return start not in cuts and end not in cuts and split in cuts


def is_word(value: str) -> bool:
    """Whether ``value`` is a word of jieba's dictionary (before any name was added to it)."""
    return value not in _ADDED and bool(_tokenizer().FREQ.get(value))


# A given name that is also a common word ("国庆", "建国") is that word when it names an occasion: a
# segment for a holiday or an anniversary follows it, or the country precedes it.
_COMMON = 100  # jieba frequency from which a word is common (国庆 131, 建国 3083; 志强 15, 小明 0)
_OCCASION_AFTER = frozenset("假期 假日 长假 节 节日 期间 当天 前后 前夕 以来 以后 之前 之后 周年 纪念 纪念日 大典 庆典 晚会 活动".split())
_COUNTRY_BEFORE = frozenset("中国 新中国 祖国 全国 国家 共和国".split())


def names_an_occasion(text: str, start: int, end: int) -> bool:
    """Whether the word ``text[start:end]`` (a whole segment, a common dictionary word) names an
    occasion: followed by a segment in ``_OCCASION_AFTER`` (国庆|假期, 建国|75|周年 after a number)
    or preceded by one in ``_COUNTRY_BEFORE`` (新中国|建国)."""
    word = text[start:end]
    if word in _ADDED or _tokenizer().FREQ.get(word, 0) < _COMMON:
        return False
    cuts = sorted(boundaries(text))
    if start not in cuts or end not in cuts:
        return False
    i, j = cuts.index(start), cuts.index(end)
    before = text[cuts[i - 1] : start] if i > 0 else ""
    after = text[end : cuts[j + 1]] if j + 1 < len(cuts) else ""
    if after.isdigit() and j + 2 < len(cuts):  # "建国75周年"
        after = text[cuts[j + 1] : cuts[j + 2]]
    return after in _OCCASION_AFTER or before in _COUNTRY_BEFORE
