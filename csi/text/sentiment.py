"""Sentiment of a comment: a lexicon score in [-1, 1] (higher is more positive).

Notes
-----
Each sentiment word of ``language.yaml`` found in the text (longest match first) adds its weight
(+ positive, - negative), times 1.5 after an intensifier ("很", "太", "very") and 0.6 after a
diminisher ("有点", "a bit") in the few characters / words before it, and times -0.6 when it is
negated ("不是很满意" is mildly negative, as in VADER). Words before a contrast word ("但是",
"就是", "but") count half, words after it 1.5 times. Every complaint theme the comment mentions
adds -1. The sum ``s`` is squashed to ``s / sqrt(s**2 + 4)``; labels: ``negative`` below -0.25,
``positive`` above 0.25, else ``neutral``. References: Hutto & Gilbert (2014), VADER.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from csi.text.resources import language_resources
from csi.text.scan import NegationIndex, is_cjk

__all__ = ["sentiment_score", "sentiment_label", "NEGATIVE_BELOW", "POSITIVE_ABOVE"]

NEGATIVE_BELOW = -0.25
POSITIVE_ABOVE = 0.25
_THEME_WEIGHT = -1.0


def _alternation(words) -> str:
    parts = []
    for w in sorted(words, key=len, reverse=True):
        e = re.escape(w)
        if re.match(r"[a-z0-9]", w):
            e = r"(?<![a-z0-9'])" + e
        if re.search(r"[a-z0-9]$", w):
            e = e + r"(?![a-z0-9'])"
        parts.append(e)
    return "|".join(parts)


@lru_cache(maxsize=1)
def _regexes() -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern]:
    r = language_resources()
    contrast = re.compile(_alternation(r.contrast))
    return tuple(r.intensifiers), tuple(r.diminishers), contrast


def _ends_with(before: str, words: tuple[str, ...]) -> bool:
    """Whether ``before`` (trailing spaces ignored) ends with one of ``words``; an English word
    must start at a word boundary ("also" does not end with the intensifier "so")."""
    b = before.rstrip()
    if not b.endswith(words):
        return False
    for w in words:
        if b.endswith(w):
            if not w[0].isascii():
                return True
            k = len(b) - len(w)
            if k == 0 or not (b[k - 1].isascii() and b[k - 1].isalnum()):
                return True
    return False


@lru_cache(maxsize=1)
def _dictionaries() -> tuple[dict[str, list[str]], dict[str, float], int]:
    """Chinese/symbol sentiment words by first character (found by substring search) and the
    English words and phrases (matched on whole tokens), with the longest phrase length."""
    by_first: dict[str, list[str]] = {}
    en: dict[str, float] = {}
    for w, v in language_resources().sentiment.items():
        if re.match(r"[a-z0-9]", w):
            en[w] = v
        else:
            by_first.setdefault(w[0], []).append(w)
    return by_first, en, max((len(w.split()) for w in en), default=1)


_EN_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")


def _sentiment_words(text: str) -> list[tuple[int, str]]:
    """``(position, word)`` of the sentiment words of ``text``: every occurrence, then the
    leftmost-longest ones kept where they overlap ("快递" wins over "快")."""
    by_first, en, emax = _dictionaries()
    found: list[tuple[int, int, str]] = []
    for ch in set(text).intersection(by_first):
        for w in by_first[ch]:
            i = text.find(w)
            while i >= 0:
                found.append((i, -len(w), w))
                i = text.find(w, i + 1)
    if en:
        toks = [(m.start(), m.end()) for m in _EN_TOKEN.finditer(text)]
        for i in range(len(toks)):
            for k in range(min(emax, len(toks) - i), 0, -1):
                if k > 1 and any(text[toks[j][1]:toks[j + 1][0]].strip() for j in range(i, i + k - 1)):
                    continue
                phrase = " ".join(text[a:b] for a, b in toks[i:i + k])
                if phrase in en:
                    found.append((toks[i][0], toks[i][0] - toks[i + k - 1][1], phrase))
                    break
    found.sort()
    out: list[tuple[int, str]] = []
    end = -1
    for pos, neg_len, w in found:
        if pos >= end:
            out.append((pos, w))
            end = pos - neg_len
    return out


def sentiment_score(text: str, neg: NegationIndex | None = None, n_themes: int = 0) -> float:
    """Sentiment of normalised ``text`` in [-1, 1]; see the module notes.

    >>> round(sentiment_score("很满意"), 3), round(sentiment_score("不是很满意"), 3) < 0
    (0.6, True)
    >>> sentiment_score("") == 0.0
    True
    """
    if not text:
        return 0.0
    neg = neg if neg is not None else NegationIndex(text)
    inten, dimin, contrast = _regexes()
    weights = language_resources().sentiment
    cut = None
    for m in contrast.finditer(text):
        cut = m.end()
    total = 0.0
    for s, word in _sentiment_words(text):
        w = weights[word]
        if w == 0.0:
            continue
        lo = neg.window_before(s, is_cjk(word))
        before = text[lo:s]
        if before:
            if _ends_with(before, inten):
                w *= 1.5
            elif _ends_with(before, dimin):
                w *= 0.6
            if neg.any_in(lo, s):
                w *= -0.6
        if cut is not None:
            w *= 0.5 if s < cut else 1.5
        total += w
    total += _THEME_WEIGHT * n_themes
    return total / math.sqrt(total * total + 4.0)


def sentiment_label(score: float) -> str:
    """``negative`` / ``neutral`` / ``positive`` from a score (thresholds -0.25, 0.25)."""
    if score < NEGATIVE_BELOW:
        return "negative"
    if score > POSITIVE_ABOVE:
        return "positive"
    return "neutral"

