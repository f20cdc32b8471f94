"""The language resources of the comment analysis, read from ``csi/text/language.yaml``.

Negators, words that look negative but are not ("不错"), intensifiers, diminishers, contrast
words, sentiment words with weights, emoji and stopwords, for Chinese and English. The file is
data: edit it to extend the analysis; nothing here is tuned in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["LanguageResources", "language_resources"]


@dataclass(frozen=True)
class LanguageResources:
    """Word lists of both languages merged (comments mix Chinese and English)."""

    negators: tuple[str, ...]
    pseudo_negators: tuple[str, ...]
    intensifiers: tuple[str, ...]
    diminishers: tuple[str, ...]
    contrast: tuple[str, ...]
    sentiment: dict[str, float]  # word -> signed weight (positive > 0)
    stopwords: frozenset[str]


def _merged(block: dict | None) -> tuple[str, ...]:
    out: list[str] = []
    for words in (block or {}).values():
        out += [str(w).lower() for w in words]
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1)
def language_resources() -> LanguageResources:
    """The packaged resources (read once per process).

    >>> r = language_resources()
    >>> "不" in r.negators and "不错" in r.pseudo_negators and r.sentiment["失望"] < 0
    True
    """
    text = resources.files("csi.text").joinpath("language.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    senti: dict[str, float] = {}
    for block in doc["sentiment"].values():
        for sign, key in ((1.0, "positive"), (-1.0, "negative")):
            for word, w in (block.get(key) or {}).items():
                senti[str(word).lower()] = sign * float(w)
    for word in _merged(doc.get("neutral")):
        senti[word] = 0.0
    for sign, key in ((1.0, "positive"), (-1.0, "negative")):
        for e in doc["emoji"].get(key, []):
            senti[str(e)] = sign
    return LanguageResources(
        negators=_merged(doc["negators"]),
        pseudo_negators=_merged(doc["pseudo_negators"]),
        intensifiers=_merged(doc["intensifiers"]),
        diminishers=_merged(doc["diminishers"]),
        contrast=_merged(doc["contrast"]),
        sentiment=senti,
        stopwords=frozenset(_merged(doc["stopwords"])),
    )
