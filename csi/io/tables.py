"""Reading tables: CSV/TSV (any delimiter, detected), XLSX and XLS, with a header preview.

A :class:`Table` is opened in two steps so that a platform layout can be detected first:
:func:`open_table` parses only the first lines (``preview``); :meth:`Table.body` then reads the
data rows below ``header_rows`` header lines. CSV bodies are read with pyarrow (typed columns,
fast); a file pyarrow cannot parse (ragged rows, stray quotes) falls back to Python's ``csv``
module, and each row whose field count differs from the header's is returned as a *bad row*
with its reason -- never dropped.

Row numbers are the file's own (issue 13): the body's index is the row number a user sees in
a spreadsheet program -- header rows counted, so the first data row under one header row is
row 2 -- and blank rows are skipped (they are not respondents) without renumbering the rows
below them. A CSV and an XLSX of the same data therefore name the same rows.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from csi.errors import ResponseImportError
from csi.io.encoding import decode_bytes, detect_encoding

__all__ = ["Table", "BadRow", "open_table", "unique_names"]

_PREVIEW_LINES = 8
_PLAIN_STRINGS = {"respondent_id", "submitted_at"}
_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class BadRow:
    """A data row that could not be split into the header's columns."""

    row: int  # the file's own row number (header rows counted, as a spreadsheet shows it)
    raw: str
    reason: str


def unique_names(names: list[str]) -> list[str]:
    """Make header names unique and non-empty (``x``, ``x.1``; blanks -> ``unnamed_3``).

    >>> unique_names(["a", "", "a", " b "])
    ['a', 'unnamed_2', 'a.1', 'b']
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names, start=1):
        name = str(raw).strip() or f"unnamed_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


@dataclass
class Table:
    """An opened response table: its kind, encoding, delimiter and the first lines as text."""

    kind: str  # "csv" | "excel"
    encoding: str
    delimiter: str
    preview: list[list[str]]
    _text_bytes: bytes = b""  # UTF-8 bytes of a CSV
    _excel: pd.DataFrame | None = None
    bad_rows: list[BadRow] = field(default_factory=list)
    #: spreadsheet row number of the first (header) row; 1 for CSV
    first_row: int = 1

    def body(self, header_rows: int, names: list[str], *, typed: bool = True,
             string_columns: set[str] | None = None) -> tuple[pd.DataFrame, list[BadRow]]:
        """The data rows below ``header_rows`` lines, with columns ``names``.

        ``typed``: let pyarrow infer numeric/timestamp columns (the fast path for plain files);
        ``string_columns`` are always read as text. Otherwise every cell is text (``""`` empty).
        Returns the frame (index = 1-based data-row number) and the rows that could not be split.
        """
        if self.kind == "excel":
            if self._excel is None:  # pragma: no cover - set by open_table
                raise ResponseImportError("the spreadsheet was not read")
            frame = self._excel.iloc[header_rows:].copy()
            frame = frame.reindex(columns=range(len(names)))
            frame.columns = names
            frame = frame.map(_cell_text) if not typed else frame
            # spreadsheet row numbers: the raw frame's positions start at row 1 (header rows counted)
            frame.index = pd.Index(frame.index.to_numpy() + 1)
            blank = frame.map(lambda v: _cell_text(v) == "").all(axis=1) if len(frame) else None
            if blank is not None and blank.any():
                frame = frame.loc[~blank]
            return frame, []
        if typed and not _has_blank_lines(self._text_bytes):
            try:
                return self._arrow_body(header_rows, names, string_columns or set()), []
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                pass
        return self._python_body(header_rows, names)

    def _arrow_body(self, header_rows: int, names: list[str], string_columns: set[str]) -> pd.DataFrame:
        read = pacsv.ReadOptions(column_names=names, skip_rows=header_rows)
        # Text fields are dictionary-encoded (pandas categoricals): their conversion then works on
        # the few distinct values only. Ids stay plain strings.
        conv = pacsv.ConvertOptions(
            column_types={n: (pa.string() if n in _PLAIN_STRINGS else pa.dictionary(pa.int32(), pa.string()))
                          for n in names if n in string_columns},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        )
        try:  # fast: parallel parsing; a quoted cell with a line break makes it fail ...
            tbl = pacsv.read_csv(io.BytesIO(self._text_bytes), read,
                                 pacsv.ParseOptions(delimiter=self.delimiter), conv)
        except pa.ArrowInvalid:  # ... then parse quote-aware
            tbl = pacsv.read_csv(io.BytesIO(self._text_bytes), read,
                                 pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True), conv)
        frame = tbl.to_pandas()
        frame.index = pd.RangeIndex(header_rows + 1, header_rows + 1 + len(frame))
        if len(frame) and tbl.num_columns:
            blank = frame.isna().all(axis=1)  # a row of empty cells (",,,") is a blank row
            if blank.any():
                frame = frame.loc[~blank]
        return frame

    def _python_body(self, header_rows: int, names: list[str]) -> tuple[pd.DataFrame, list[BadRow]]:
        text = self._text_bytes.decode("utf-8")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        width = len(names)
        rows: list[list[str]] = []
        index: list[int] = []
        bad: list[BadRow] = []
        try:
            for i, rec in enumerate(reader):
                if i < header_rows:
                    continue
                n = i + 1  # the file's own row number (records, as a spreadsheet numbers them)
                if not rec or not any(c.strip() for c in rec):  # a blank line is not a respondent
                    continue
                if len(rec) > width and not any(c.strip() for c in rec[width:]):
                    rec = rec[:width]
                if len(rec) != width:
                    bad.append(BadRow(n, self.delimiter.join(rec),
                                      f"row has {len(rec)} fields; the header has {width}"))
                    continue
                rows.append(rec)
                index.append(n)
        except csv.Error as exc:
            raise ResponseImportError(f"the file is not a readable table: {exc}") from None
        frame = pd.DataFrame(rows, columns=names, index=index, dtype="str") if rows else \
            pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
        return frame, bad


def _has_blank_lines(data: bytes) -> bool:
    """Whether a CSV has an empty line (pyarrow would skip it and renumber the rows below)."""
    body = data.rstrip(b"\r\n")
    return b"\n\n" in body or b"\n\r\n" in body


def _cell_text(v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ")
    return str(v).strip()


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:_PREVIEW_LINES] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _preview_rows(text: str, delimiter: str) -> list[list[str]]:
    head = text[: 1 << 16]
    out: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
            out.append(rec)
            if len(out) >= _PREVIEW_LINES:
                break
    except csv.Error as exc:
        raise ResponseImportError(f"the file is not a readable table: {exc}") from None
    return out


def _is_excel(data: bytes, name: str) -> str | None:
    low = name.lower()
    if data[:4] == b"PK\x03\x04" or low.endswith((".xlsx", ".xlsm")):
        return "openpyxl"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or low.endswith(".xls"):
        return "xlrd"
    return None


def open_table(data: bytes, *, file_name: str = "<data>", encoding: str | None = None,
               evidence: tuple[str, ...] = ()) -> Table:
    """Open ``data`` (the file's bytes) as a table and parse its first lines.

    ``evidence``: texts the file should contain (the survey's labels), which help to tell a
    legacy encoding (:func:`csi.io.encoding.detect_encoding`).

    Raises
    ------
    ResponseImportError
        Empty file, undecodable text, a spreadsheet that cannot be opened, or binary data.
    """
    if not data or data.isspace():  # (no copy of a large file)
        raise ResponseImportError(f"{file_name}: the file is empty")
    engine = _is_excel(data, file_name)
    if engine is not None:
        try:
            with warnings.catch_warnings():
                # pandas 3 deprecates its xlrd engine (for .xls); xlrd still reads them correctly.
                warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
                raw = pd.read_excel(io.BytesIO(data), header=None, dtype=object, engine=engine)
        except Exception as exc:  # noqa: BLE001 - any reader failure means "not a spreadsheet"
            raise ResponseImportError(
                f"{file_name}: not a readable spreadsheet ({exc.__class__.__name__})") from None
        filled = raw.notna().any(axis=1).to_numpy()
        if not filled.any():
            raise ResponseImportError(f"{file_name}: the spreadsheet's first sheet is empty")
        # blank rows above the header are not part of the table; row numbers stay the sheet's
        start = int(filled.argmax())
        raw = raw.iloc[start:]
        raw.index = pd.RangeIndex(start, start + len(raw))
        preview = [[_cell_text(v) for v in row] for row in raw.head(_PREVIEW_LINES).itertuples(index=False)]
        return Table("excel", "binary", "", preview, _excel=raw)
    enc = detect_encoding(data, encoding, file_name=file_name, evidence=evidence)
    if enc in ("utf-8", "ascii"):  # already validated by detect_encoding: decode only the head
        head_bytes = data[: 1 << 16]
        text = head_bytes.decode("utf-8", errors="ignore") if encoding is None else decode_bytes(data, enc, file_name)
        utf8 = data
    else:
        text = decode_bytes(data, enc, file_name)
        utf8 = None
    if text.startswith("\ufeff"):
        text = text[1:]
    head = text[:4096]
    if head.count("\x00") > max(8, len(head) // 20):
        raise ResponseImportError(f"{file_name}: binary data, not a text table")
    delimiter = _sniff_delimiter(text[: 1 << 16])
    preview = _preview_rows(text, delimiter)
    if not preview or not any(c.strip() for c in preview[0]):
        raise ResponseImportError(f"{file_name}: no header row")
    if utf8 is None:
        utf8 = text.encode("utf-8")
    if utf8.startswith(b"\xef\xbb\xbf"):
        utf8 = utf8[3:]
    return Table("csv", enc, delimiter, preview, _text_bytes=utf8)
