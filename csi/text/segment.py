"""Words of a comment: language detection and keywords (Chinese segmented with jieba).

Chinese is segmented by ``rjieba`` (the jieba-rs dictionary and algorithm, MIT); English words
are runs of letters. Keywords are the words of two or more characters (Chinese) or three or more
letters (English) that are not stopwords (``language.yaml``), each counted once per comment.
"""

from __future__ import annotations

import re

import rjieba

from csi.text.resources import language_resources

__all__ = ["detect_language", "keywords"]

_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]")
_EN_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


def detect_language(text: str) -> str:
    """``zh`` when Chinese characters are at least a quarter of the letters, ``en`` when
    there are Latin letters, else ``und`` (emoji, digits, empty).

    >>> detect_language("物流too slow"), detect_language("too slow"), detect_language("👍")
    ('zh', 'en', 'und')
    """
    n_cjk = len(_CJK_CHAR.findall(text))
    n_lat = len(_LATIN.findall(text.lower()))
    if n_cjk and n_cjk * 4 >= n_lat:
        return "zh"
    if n_lat:
        return "en"
    return "und"


def keywords(text: str) -> list[str]:
    """Keywords of normalised ``text``, in order of appearance, each once.

    >>> keywords("物流太慢了，客服态度差 terrible service")
    ['物流', '太慢', '客服', '态度', 'terrible', 'service']
    """
    stop = language_resources().stopwords
    out: dict[str, None] = {}
    if _HAS_CJK.search(text):
        for tok in rjieba.cut(text):
            tok = tok.strip()
            if tok not in stop and ((len(tok) >= 2 and _HAS_CJK.search(tok)) or _EN_WORD.fullmatch(tok)):
                out[tok] = None
    else:
        for tok in _EN_WORD.findall(text):
            tok = tok.strip("'-")
            if len(tok) >= 3 and tok not in stop:
                out[tok] = None
    return list(out)
