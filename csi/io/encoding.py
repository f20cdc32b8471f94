"""Text encoding detection for response files: BOM first, then strict UTF-8, then GB18030.

Chinese Excel (and Wenjuanxing's "save as CSV") writes GBK/GB18030; GB18030 is a superset of
GBK and GB2312, so one decoder covers all three. An explicit ``encoding`` always wins.
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


def detect_encoding(data: bytes, encoding: str | None = None) -> str:
    """Return the encoding of ``data``: the override, a BOM's, ``utf-8`` or ``gb18030``.

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
    """
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise ResponseImportError(f"unknown encoding {encoding!r}; expected e.g. utf-8, gb18030") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if _is_utf8(data):
        return "utf-8"
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise ResponseImportError(
            "the file is neither UTF-8 nor GB18030 text; pass --encoding to name its encoding"
        ) from None


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


def decode_bytes(data: bytes, encoding: str) -> str:
    """Decode ``data`` strictly; a bad byte is a :class:`ResponseImportError` naming its offset."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ResponseImportError(
            f"the file is not valid {encoding} text (byte {exc.start}); pass --encoding to name its encoding"
        ) from None
