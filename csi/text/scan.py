"""Finding words in a comment: normalisation, clause bounds, negation, and term matching.

Conventions: text is NFKC-normalised and lower-cased first (full-width letters and digits become
ASCII, curly apostrophes straight). A *clause* ends at punctuation or a line break. A term is
negated when a negator (不/没/无/..., not/no/never/n't, ...) that is not part of a
pseudo-negator ("不错", "不是一般", "no doubt") stands in the gaps of the term or just before it
in the same clause: up to 4 characters before a Chinese term, 3 words before an English one.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from csi.text.resources import language_resources

__all__ = ["normalize", "Term", "compile_term", "NegationIndex", "find_terms", "CLAUSE_END", "is_cjk"]

CLAUSE_END = "，。！？!?,.;；、\n\r~～…|/"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ZH_GAP = r"[^，。！？!?,.;；、\n\r~～…|/]{0,10}?"
_EN_GAP = r"[^，。！？!?,.;；、\n\r~～…|/]{0,30}?"
_ZH_BEFORE = 4
_EN_BEFORE_WORDS = 3


def is_cjk(text: str) -> bool:
    """Whether ``text`` contains a Chinese character."""
    return _CJK.search(text) is not None


def normalize(text: str) -> str:
    """NFKC, lower case, straight apostrophes.

    >>> normalize("ＯＫ，Didn’t")
    "ok,didn't"
    """
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")


@dataclass(frozen=True)
class Term:
    """A compiled lexicon term: ``regex`` has one group per literal part; ``key`` is a literal
    that every match contains (a fast pre-check); ``cjk`` selects the Chinese window rules."""

    text: str
    regex: re.Pattern
    key: str
    cjk: bool


def _en_part(part: str) -> str:
    words = part.split()
    out = []
    for w in words:
        star = w.endswith("*")
        w = w.rstrip("*")
        out.append(re.escape(w) + (r"[\w'-]*" if star else ""))
    body = r"\s+".join(out)
    lead = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", part) else ""
    tail = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", part) else ""
    return lead + body + tail


@lru_cache(maxsize=4096)
def compile_term(term: str) -> Term:
    """Compile one lexicon term (``A...B``: a gap inside the clause; ``word*``: any ending).

    >>> t = compile_term("物流...慢")
    >>> bool(t.regex.search("物流真的太慢了")), bool(t.regex.search("物流很快，人慢"))
    (True, False)
    >>> bool(compile_term("damag*").regex.search("it was damaged")), compile_term("late").regex.search("chocolate")
    (True, None)
    """
    norm = normalize(term).strip()
    parts = [p.strip() for p in norm.split("...")]
    cjk = is_cjk(norm)
    gap = _ZH_GAP if cjk else _EN_GAP
    pieces = []
    for p in parts:
        pieces.append("(" + (re.escape(p) if is_cjk(p) else _en_part(p)) + ")")
    regex = re.compile(gap.join(pieces))
    key = max((p.rstrip("*").split()[0] if not is_cjk(p) else p for p in parts), key=len)
    return Term(term, regex, key.rstrip("*"), cjk)


@lru_cache(maxsize=1)
def _negation_regex() -> re.Pattern:
    r = language_resources()
    pseudo = sorted(r.pseudo_negators, key=len, reverse=True)
    neg_zh = [n for n in r.negators if is_cjk(n)]
    neg_en = [n for n in r.negators if not is_cjk(n) and n != "n't"]
    alts = []
    if neg_zh:
        alts.append("|".join(map(re.escape, sorted(neg_zh, key=len, reverse=True))))
    if neg_en:
        alts.append(r"(?<![a-z])(?:" + "|".join(map(re.escape, sorted(neg_en, key=len, reverse=True)))
                    + r")(?![a-z])")
    if "n't" in r.negators:
        alts.append(r"n't")
    return re.compile("(" + "|".join(map(re.escape, pseudo)) + ")|(" + "|".join(alts) + ")")


@lru_cache(maxsize=1)
def _contrast_regex() -> re.Pattern:
    words = sorted(language_resources().contrast, key=len, reverse=True)
    return re.compile("|".join((re.escape(w) if is_cjk(w) else r"(?<![a-z])" + re.escape(w) + r"(?![a-z])")
                               for w in words))


class NegationIndex:
    """Positions of the real negators of one normalised text, for range look-ups."""

    __slots__ = ("text", "pos", "contrast")

    def __init__(self, text: str):
        self.text = text
        self.pos: list[int] = []
        self.contrast: list[int] = []
        if not any(n in text for n in ("不", "没", "无", "未", "非", "别", "莫", "勿", "n", "cant", "dont", "wont")):
            return
        self.pos = [m.start(2) for m in _negation_regex().finditer(text) if m.group(2)]
        if self.pos:
            self.contrast = [m.end() for m in _contrast_regex().finditer(text)]

    def any_in(self, start: int, end: int) -> bool:
        """Whether a negator in ``[start, end)`` reaches ``end``: a contrast word ("但", "but")
        after it ends its scope ("不算专业但挺耐心": 耐心 is not negated)."""
        if not self.pos or end <= start:
            return False
        i = bisect_left(self.pos, end) - 1
        if i < 0 or self.pos[i] < start:
            return False
        last = self.pos[i]
        return not any(last < c <= end for c in self.contrast)

    def window_before(self, start: int, cjk: bool) -> int:
        """Start of the negation window before ``start`` (inside the clause)."""
        text = self.text
        if cjk:
            lo = max(0, start - _ZH_BEFORE)
        else:
            lo, words, i = start, 0, start - 1
            while i >= 0 and words <= _EN_BEFORE_WORDS:
                if text[i].isspace() and i + 1 < len(text) and not text[i + 1].isspace():
                    words += 1
                    if words > _EN_BEFORE_WORDS:
                        break
                lo = i
                i -= 1
            lo = max(lo, start - 40)
        for j in range(start - 1, lo - 1, -1):
            if text[j] in CLAUSE_END:
                return j + 1
        return lo

    def negated(self, m: re.Match, cjk: bool) -> bool:
        """Whether a term match is negated (negator in its gaps or just before it)."""
        for g in range(1, (m.lastindex or 1)):
            if self.any_in(m.end(g), m.start(g + 1)):
                return True
        s = m.start(1) if m.lastindex else m.start()
        return self.any_in(self.window_before(s, cjk), s)


def find_terms(text: str, neg: NegationIndex, terms: tuple[Term, ...], *, want_negated: bool) -> list[re.Match]:
    """Every match of ``terms`` in ``text`` whose negation is ``want_negated``."""
    out = []
    for t in terms:
        if t.key not in text:
            continue
        for m in t.regex.finditer(text):
            if neg.negated(m, t.cjk) == want_negated:
                out.append(m)
    return out
