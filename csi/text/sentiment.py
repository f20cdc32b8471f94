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
def _regexes() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    r = language_resources()
    inten = re.compile("(?:" + _alternation(r.intensifiers) + r")\s*$")
    dimin = re.compile("(?:" + _alternation(r.diminishers) + r")\s*$")
    contrast = re.compile(_alternation(r.contrast))
    return inten, dimin, contrast


@lru_cache(maxsize=1)
def _dictionaries() -> tuple[dict[str, float], int, dict[str, float], int, frozenset[str]]:
    """Sentiment words split into Chinese/symbol words (matched by substring) and English
    words and phrases (matched on word boundaries), with their longest lengths."""
    zh, en = {}, {}
    for w, v in language_resources().sentiment.items():
        (en if re.match(r"[a-z0-9]", w) else zh)[w] = v
    return (zh, max(map(len, zh), default=1), en, max((len(w.split()) for w in en), default=1),
            frozenset(w[0] for w in zh))


_EN_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")


def _sentiment_words(text: str) -> list[tuple[int, str]]:
    """``(position, word)`` of the sentiment words of ``text``, longest match first, no overlaps."""
    zh, zmax, en, emax, first = _dictionaries()
    out: list[tuple[int, str]] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            if i and (text[i - 1].isascii() and (text[i - 1].isalnum() or text[i - 1] == "'")):
                i += 1
                continue
            toks = []
            for m in _EN_TOKEN.finditer(text, i):
                if toks and text[toks[-1][1]:m.start()].strip() != "":
                    break
                toks.append((m.start(), m.end()))
                if len(toks) >= emax:
                    break
            hit = None
            for k in range(len(toks), 0, -1):
                phrase = " ".join(text[a:b] for a, b in toks[:k])
                if phrase in en:
                    hit = (k, phrase)
                    break
            if hit is not None:
                out.append((i, hit[1]))
                i = toks[hit[0] - 1][1]
            else:
                i = toks[0][1] if toks else i + 1
            continue
        if ch not in first:
            i += 1
            continue
        for L in range(min(zmax, n - i), 0, -1):
            w = text[i:i + L]
            if w in zh:
                out.append((i, w))
                i += L
                break
        else:
            i += 1
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
            if inten.search(before):
                w *= 1.5
            elif dimin.search(before):
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

