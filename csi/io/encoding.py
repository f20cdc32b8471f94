"""Text encoding detection for response files: BOM, strict UTF-8, then a detector.

Order: an explicit ``encoding`` always wins; a BOM; strict UTF-8; GB18030 when the text is
*plausibly Chinese* (Chinese Excel and Wenjuanxing's "save as CSV" write GBK/GB18030; GB18030
is a superset of GBK and GB2312); otherwise the charset-normalizer detector (MIT), taking
Windows-1252 when it is among its best candidates (Western Excel's "CSV"), or any encoding on
which all best candidates agree. "Plausibly Chinese" means the bytes decode as GB18030 and
nearly every non-ASCII character is a GB2312 character (common hanzi, CJK punctuation):
Windows-1252 text such as "Crème brûlée" also decodes as GB18030, but into rare GBK extension
characters, so it is not taken for Chinese. When no reading is confident the import stops and
asks for ``--encoding`` (:class:`~csi.errors.ResponseImportError`, naming the file).
"""

from __future__ import annotations

import codecs

from csi.errors import ResponseImportError

__all__ = ["detect_encoding", "decode_bytes"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(data: bytes, encoding: str | None = None, *, file_name: str = "the file") -> str:
    """Return the encoding of ``data``: the override, a BOM's, ``utf-8``, ``gb18030`` or detected.

    Raises
    ------
    ResponseImportError
        When ``encoding`` is not a known codec, or the bytes are neither UTF-8 nor GB18030.

    Examples
    --------
    >>> detect_encoding("满意".encode("gb18030"))
    'gb18030'
    >>> detect_encoding(codecs.BOM_UTF8 + b"a,b")
    'utf-8-sig'
    >>> detect_encoding(b"pq1,pq2")
    'utf-8'
    >>> detect_encoding("name,pq1\\nCrème brûlée,5\\n".encode("cp1252"))
    'cp1252'
    """
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise ResponseImportError(f"{file_name}: unknown encoding {encoding!r}; expected e.g. utf-8, gb18030, cp1252") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if _is_utf8(data):
        return "utf-8"
    share = _chinese_share(data)
    if share is not None and share >= _CHINESE_SHARE:
        return "gb18030"
    found = _detected(data) if share is None or share < _AMBIGUOUS_SHARE else None
    if found is None:
        raise ResponseImportError(
            f"{file_name}: cannot tell the text encoding with confidence (not UTF-8, not Chinese "
            "GB18030); pass --encoding to name it (e.g. --encoding cp1252 or --encoding gb18030)")
    return found


#: share of non-ASCII characters that must be GB2312 characters (common hanzi, CJK
#: punctuation) for GB18030 to be taken; between the two shares the text is ambiguous
_CHINESE_SHARE = 0.5
_AMBIGUOUS_SHARE = 0.2
_SAMPLE = 1 << 18


def _chinese_share(data: bytes) -> float | None:
    """Share of non-ASCII characters that are GB2312 characters, or None (not GB18030)."""
    sample = data[:_SAMPLE]
    text = None
    for cut in range(4):  # a sample may end inside a (up to 4-byte) character
        try:
            text = sample[:len(sample) - cut].decode("gb18030")
            break
        except UnicodeDecodeError:
            if len(sample) < _SAMPLE:
                return None
    if text is None:
        return None
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return None
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide)


def _detected(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    if b"\x00" in data[:_SAMPLE]:  # NUL bytes without a UTF-16/32 BOM: binary, not a text table
        return None
    results = list(from_bytes(data[:_SAMPLE]))
    if not results:
        return None
    best = min(r.chaos for r in results)
    if best > 0.1:
        return None
    top = [r for r in results if r.chaos <= best + 1e-9]
    names = [codecs.lookup(r.encoding).name for r in top]
    texts = {str(r) for r in top}
    try:  # Windows-1252 when a best candidate reads the bytes exactly as it does
        if "cp1252" in names or data[:_SAMPLE].decode("cp1252") in texts:
            return "cp1252"
    except UnicodeDecodeError:
        pass
    return names[0] if len(texts) == 1 else None


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
