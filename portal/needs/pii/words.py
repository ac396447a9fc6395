"""Ordinary words that hold a given name: "宇航员" holds 宇航 (张宇航), "建军节" holds 建军 (韩建军),
"一诺千金" holds 一诺 (郑一诺). A given name written alone is refused unless a dictionary word of the
text covers it and goes beyond it: then it is that word, not the name. Full names (surname and
given name) are always refused.

The words are those of two maintained dictionaries shipped on PyPI: jieba's (349,000 words, the
usual dictionary of Chinese word segmentation) and pypinyin's phrases; only words of 3 or more
characters are kept (a word must be longer than the 2-character given name it holds), loaded once
on first use (~0.2 s).
"""

from __future__ import annotations

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
