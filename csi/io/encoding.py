"""Text encoding detection for response files: BOM, strict UTF-8, UTF-16 by its NULs, then a score.

Order: an explicit ``encoding`` always wins; a BOM; strict UTF-8; UTF-16 without a BOM (ASCII
delimiters and digits leave a NUL in every other byte); otherwise every legacy encoding that
exports are written in -- GB18030 (a superset of GBK/GB2312: Chinese Excel's and Wenjuanxing's
"CSV"), Big5 (Traditional Chinese Excel), Windows-1252 (Western Excel), Shift_JIS, EUC-KR -- is
tried and **scored**: the share of its non-ASCII characters that are typical of text in that
encoding (GB18030: GB2312 level-1 hanzi and CJK punctuation; Big5: its frequent-hanzi block;
EUC-KR: Hangul; Shift_JIS: kana and JIS level-1 kanji; Windows-1252: letters inside Latin
words and typographic punctuation), minus twice how garbled the reading is (charset-normalizer's
mess ratio, MIT), plus a bonus for each text of the survey (labels, item texts, option labels)
found in the reading.
GB18030 and Big5 both decode almost any double-byte text, so the score, not decodability,
decides. When the best reading is garbled, or a different reading scores nearly as well, the
import stops and asks for ``--encoding`` (:class:`~csi.errors.ResponseImportError`, naming the
file); for anything else charset-normalizer's own best guess is taken only when it is clean.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterable

from csi.errors import ResponseImportError

__all__ = ["detect_encoding", "decode_bytes", "LEGACY_ENCODINGS"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: legacy encodings scored when a file is neither UTF-8 nor UTF-16 (Python codec names)
LEGACY_ENCODINGS = ("gb18030", "big5", "cp1252", "shift_jis", "euc_kr")
#: the best reading must score at least this (1 = every character typical, nothing garbled)
_MIN_SCORE = 0.6
#: the runner-up must score this much worse (a different text) for the best to be taken
_MARGIN = 0.15
#: a UTF-16 reading (or charset-normalizer's guess) garbled beyond this mess ratio is not taken
_MAX_MESS = 0.1
#: score bonus per survey text found in a reading (at most _MAX_HITS counted)
_HIT_BONUS = 0.2
_MAX_HITS = 5
_SAMPLE = 1 << 15


def detect_encoding(data: bytes, encoding: str | None = None, *, file_name: str = "the file",
                    evidence: Iterable[str] = ()) -> str:
    """Return the encoding of ``data``: the override, a BOM's, ``utf-8``, UTF-16 or the best-scored.

    ``evidence``: texts the file is expected to contain (the survey's labels and item texts);
    only texts with a non-ASCII character count.

    Raises
    ------
    ResponseImportError
        When ``encoding`` is not a known codec, or no reading is clearly right (names the
        file and asks for ``--encoding``).

    Examples
    --------
    >>> detect_encoding("序号,满意\\n1,很好\\n".encode("gb18030"))
    'gb18030'
    >>> detect_encoding("序號,滿意\\n1,非常滿意\\n".encode("big5"))
    'big5'
    >>> detect_encoding(codecs.BOM_UTF8 + b"a,b")
    'utf-8-sig'
    >>> detect_encoding(b"pq1,pq2")
    'utf-8'
    >>> detect_encoding("name,pq1\\nCrème brûlée,5\\n".encode("cp1252"))
    'cp1252'
    >>> detect_encoding("id,pq1\\n1,5\\n".encode("utf-16-le"))
    'utf-16-le'
    """
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise ResponseImportError(f"{file_name}: unknown encoding {encoding!r}; expected e.g. utf-8, gb18030, cp1252") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:_SAMPLE]
    wide = _utf16_without_bom(sample)  # before UTF-8: NUL bytes are valid UTF-8
    if wide is not None:
        return wide
    if _is_utf8(data):
        return "utf-8"
    ranked = legacy_scores(sample, evidence, complete=len(data) <= _SAMPLE)
    if ranked:
        best_score, best_name, best_text = ranked[0]
        rival = next((r for r in ranked[1:] if r[2] != best_text), None)
        if best_score >= _MIN_SCORE and (rival is None or rival[0] < best_score - _MARGIN):
            return best_name
        if best_score >= _MIN_SCORE:
            raise ResponseImportError(
                f"{file_name}: the text reads as {best_name} or as {rival[1]} equally well; pass --encoding "
                f"to name it (e.g. --encoding {best_name})")
    elif b"\x00" not in sample:
        found = _detected(sample)
        if found is not None:
            return found
    raise ResponseImportError(
        f"{file_name}: cannot tell the text encoding with confidence (not UTF-8, and no legacy encoding "
        "reads it cleanly); pass --encoding to name it (e.g. --encoding cp1252 or --encoding gb18030)")


def legacy_scores(sample: bytes, evidence: Iterable[str] = (), *, complete: bool = True) -> list[tuple[float, str, str]]:
    """``(score, encoding, text)`` of every legacy encoding that decodes ``sample``, best first.

    score = typical share - 2 * mess ratio + bonus for survey texts found (higher is better); ``complete``
    is False when ``sample`` is a cut of a longer file (it may end inside a character).
    """
    from charset_normalizer.md import mess_ratio

    texts = [t for t in dict.fromkeys(evidence) if len(t) >= 2 and any(ord(ch) > 127 for ch in t)]
    out = []
    for name in LEGACY_ENCODINGS:
        text = _decode_cut(sample, name, complete)
        if text is None:
            continue
        hits = sum(1 for t in texts if t in text)
        score = _typical_share(text, name) - 2 * mess_ratio(text, maximum_threshold=1.0)
        out.append((score + min(hits, _MAX_HITS) * _HIT_BONUS, name, text))
    out.sort(key=lambda r: -r[0])
    return out


_WIDE = re.compile(r"[^\x00-\x7f]")
_GLUED = re.compile(r"[^\x00-\x7f](?=[A-Za-z])|(?<=[A-Za-z])[^\x00-\x7f]")
_LATIN_PUNCT = frozenset("\u00a0“”‘’–—…€•°·«»×÷©®™§¶±µ")
#: lead-byte ranges of the frequent characters (symbols, common hanzi/kanji) per double-byte codec
_COMMON_LEADS = {"gb18030": ("gb2312", ((0xA1, 0xA3), (0xB0, 0xD7))),
                 "big5": ("big5", ((0xA1, 0xC6),)),
                 "shift_jis": ("shift_jis", ((0x81, 0x9F),))}


def _typical_share(text: str, name: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are typical of text written in ``name``."""
    counts = Counter(_WIDE.findall(text))
    total = sum(counts.values())
    if not total:
        return 1.0
    if name == "cp1252":
        glued = sum(1 for ch in _GLUED.findall(text) if ch.isalpha())
        return min(1.0, (glued + sum(n for ch, n in counts.items() if ch in _LATIN_PUNCT)) / total)
    return sum(n for ch, n in counts.items() if _typical(ch, name)) / total


def _typical(ch: str, name: str) -> bool:
    if name == "euc_kr":
        return 0xAC00 <= ord(ch) <= 0xD7A3 or 0x3000 <= ord(ch) <= 0x303F  # Hangul, CJK punctuation
    if name == "shift_jis" and 0x3040 <= ord(ch) <= 0x30FF:  # kana
        return True
    codec, ranges = _COMMON_LEADS[name]
    try:
        b = ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and any(lo <= b[0] <= hi for lo, hi in ranges)


def _decode_cut(sample: bytes, name: str, complete: bool) -> str | None:
    for cut in range(1 if complete else 4):  # a cut sample may end inside a (up to 4-byte) character
        try:
            return sample[:len(sample) - cut].decode(name)
        except UnicodeDecodeError:
            continue
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when NULs sit in every other byte and the text reads cleanly."""
    n = len(sample) // 2 * 2
    if n < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[:n:2].count(0) / (n // 2), sample[1:n:2].count(0) / (n // 2)
    name = "utf-16-le" if odd > 0.2 and even < 0.02 else "utf-16-be" if even > 0.2 and odd < 0.02 else None
    if name is None:
        return None
    from charset_normalizer.md import mess_ratio

    text = _decode_cut(sample[:n], name, complete=False)
    return name if text is not None and "\x00" not in text and mess_ratio(text, maximum_threshold=1.0) <= _MAX_MESS else None


def _detected(data: bytes) -> str | None:
    """charset-normalizer's best guess, when clean and unanimous (encodings not scored above)."""
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        return None
    best = min(r.chaos for r in results)
    if best > _MAX_MESS:
        return None
    top = [r for r in results if r.chaos <= best + 1e-9]
    return codecs.lookup(top[0].encoding).name if len({str(r) for r in top}) == 1 else None


def _is_utf8(data: bytes) -> bool:
    """Strict UTF-8 check without building a str: Arrow's SIMD validator (binary -> string cast)."""
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    arr = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        arr.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def decode_bytes(data: bytes, encoding: str, file_name: str = "the file") -> str:
    """Decode ``data`` strictly; a bad byte is a :class:`ResponseImportError` naming its offset."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ResponseImportError(
            f"{file_name}: not valid {encoding} text (byte {exc.start}); pass --encoding to name its encoding"
        ) from None
