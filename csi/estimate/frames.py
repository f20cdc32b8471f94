"""Small result tables built fast: tidy DataFrames from column arrays.

A PLS fit at a few hundred respondents is microseconds of algebra on p x p matrices; what a
caller reads are some twenty small tables, and ``pd.DataFrame({...})`` costs ~4x more than
the estimation each (it re-infers and re-checks every column). :func:`frame` builds the same
frame from arrays that are already what the constructor would infer (float64 numbers; label
columns made once per model by :func:`labels`) through pandas' own array constructor
(``DataFrame._from_arrays``, which ``DataFrame.from_records`` also uses), and falls back to
the public constructor when that is unavailable. ``tests/unit/test_frames.py`` asserts both
give equal frames (values, dtypes, index, columns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["columns", "columns_frame", "frame", "labels", "matrix", "square"]

_FROM_ARRAYS = getattr(pd.DataFrame, "_from_arrays", None)
try:  # the blocks DataFrame._from_arrays itself ends in (checked at import: _blocks_work)
    from pandas._libs.internals import BlockPlacement
    from pandas.core.internals.blocks import ExtensionBlock, NumpyBlock
    from pandas.core.internals.managers import BlockManager
except ImportError:  # pragma: no cover - another pandas: the public constructor path
    BlockManager = None
_EXT, _NPEXT = pd.api.extensions.ExtensionArray, pd.arrays.NumpyExtensionArray


@lru_cache(maxsize=1024)
def _index(names: tuple) -> pd.Index:
    # column / row labels are the same in every fit of a model: built once (Index is immutable)
    return pd.Index(list(names))


def columns(names: Sequence[str]) -> pd.Index:
    """``pd.Index(names)``, built once per distinct tuple of names (an Index is immutable)."""
    return _index(tuple(names))


def labels(values: Sequence[str]) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A label column as the DataFrame constructor would infer it from ``values`` (str dtype;
    object when empty), kept per distinct tuple of values (labels and status texts repeat
    from fit to fit; :func:`frame` copies what it is given)."""
    return _labels(tuple(values))


@lru_cache(maxsize=4096)
def _labels(values: tuple):
    return pd.Series(list(values), dtype=None if values else object).array


@lru_cache(maxsize=256)
def _range(n: int) -> pd.RangeIndex:
    return pd.RangeIndex(n)  # immutable: shared by the frames of every fit


def _column(v):
    # a copy: a table must not share memory with the fit's statistics or with the cached
    # label columns (writing to a cell of the frame would change them); cheap at this size
    return v.copy()


def frame(columns: Mapping[str, object], index: pd.Index | None = None) -> pd.DataFrame:
    """``pd.DataFrame(columns, index=index)`` for float64 arrays and :func:`labels` columns.

    Every column is copied (dtype kept), so the frame shares no memory with its inputs.
    ``index`` defaults to a RangeIndex.
    """
    names = tuple(columns)
    if BlockManager is not None and names:
        try:
            return _from_blocks(names, list(columns.values()), index)
        except (TypeError, ValueError, AttributeError):  # pragma: no cover - another pandas
            pass
    arrays = [_column(v) for v in columns.values()]
    n = len(arrays[0]) if arrays else 0
    if _FROM_ARRAYS is not None and arrays:
        try:
            return _FROM_ARRAYS(arrays, columns=_index(names),
                                index=_range(n) if index is None else index,
                                verify_integrity=False)
        except (TypeError, ValueError, AttributeError):  # pragma: no cover - another pandas
            pass
    return pd.DataFrame(dict(zip(names, arrays, strict=True)), index=index, columns=list(names))


def _from_blocks(names: tuple, values: list, index: pd.Index | None) -> pd.DataFrame:
    """The frame :func:`frame` builds, made from its blocks directly: the float64 columns
    copied into one 2-D block, each label column (an extension array) copied into a block
    of its own -- the blocks ``DataFrame._from_arrays`` forms, without its per-column type
    dispatch (half the cost of a small table). Other column kinds raise TypeError (the
    caller then takes the general path)."""
    n = len(values[0])
    fpos, blocks = [], []
    for pos, v in enumerate(values):
        if type(v) is np.ndarray:
            if v.dtype != np.float64 or v.shape != (n,):
                raise TypeError("not a float64 column of the frame's length")
            fpos.append(pos)
        elif isinstance(v, _EXT) and not isinstance(v, _NPEXT):  # (pandas unpacks that one)
            if len(v) != n:
                raise ValueError("columns of different lengths")
            blocks.append(ExtensionBlock(v.copy(), BlockPlacement(slice(pos, pos + 1)), 2))
        else:
            raise TypeError("not an array column")
    if fpos:
        block = np.empty((len(fpos), n))
        for r, pos in enumerate(fpos):
            block[r] = values[pos]
        place = slice(fpos[0], fpos[-1] + 1) if fpos[-1] - fpos[0] + 1 == len(fpos) else \
            np.asarray(fpos, dtype=np.intp)
        blocks.append(NumpyBlock(block, BlockPlacement(place), 2))
    mgr = BlockManager(blocks, [_index(names), _range(n) if index is None else index],
                       verify_integrity=False)
    return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)


def columns_frame(values: np.ndarray, index: pd.Index, names: pd.Index) -> pd.DataFrame:
    """The frame ``pd.DataFrame(values.T, index=index, columns=names, copy=False)`` for a
    float64 array ``values`` (columns x rows, C-contiguous), which becomes the frame's one
    block as it is (no copy: the frame owns it from now on; construct scores of a million
    respondents are 56 MB)."""
    if BlockManager is not None and values.dtype == np.float64 and values.flags.c_contiguous \
            and values.shape == (len(names), len(index)):
        mgr = BlockManager([NumpyBlock(values, BlockPlacement(slice(0, len(names))), 2)],
                           [names, index], verify_integrity=False)
        return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)
    return pd.DataFrame(values.T, index=index, columns=names, copy=False)


def _blocks_work() -> bool:
    """Whether this pandas builds from blocks the frames its public constructor builds (a
    probe of every column kind and layout used; otherwise the public path is taken)."""
    try:
        lab = pd.Series(["a", "b"]).array
        cols = {"x": lab, "v": np.array([1.0, np.nan]), "y": lab, "w": np.array([2.0, 3.0])}
        ref = pd.DataFrame({k: np.asarray(v) if k in "xy" else v for k, v in cols.items()})
        got = _from_blocks(tuple(cols), list(cols.values()), None)
        sc = columns_frame(np.array([[1.0, 2.0]]), pd.RangeIndex(2), pd.Index(["s"]))
        m = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        return (got.equals(ref) and list(got.dtypes) == list(ref.dtypes)
                and sc.equals(pd.DataFrame({"s": [1.0, 2.0]}))
                and matrix(m, ["r", "q"], ["a", "b", "c"]).equals(
                    pd.DataFrame(m, index=["r", "q"], columns=["a", "b", "c"])))
    except Exception:  # pragma: no cover - another pandas: the public constructor path
        return False


def square(values: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """A labelled square matrix (rows and columns ``names``), as ``pd.DataFrame(values,
    index=names, columns=names)``; ``values`` is copied."""
    ix = _index(tuple(names))
    return _matrix(np.array(values, dtype=np.float64), ix, ix)


def matrix(values: np.ndarray, rows: Sequence[str], cols: Sequence[str]) -> pd.DataFrame:
    """A labelled (rows x cols) matrix; ``values`` is copied."""
    return _matrix(np.array(values, dtype=np.float64), _index(tuple(rows)), _index(tuple(cols)))


def _matrix(values: np.ndarray, index: pd.Index, cols: pd.Index) -> pd.DataFrame:
    """``pd.DataFrame(values, index=index, columns=cols)`` for a fresh 2-D float64 array: one
    block, its transpose (the layout the public constructor keeps, without its dispatch)."""
    if BlockManager is not None and values.ndim == 2 and values.shape == (len(index), len(cols)):
        mgr = BlockManager([NumpyBlock(values.T, BlockPlacement(slice(0, len(cols))), 2)],
                           [cols, index], verify_integrity=False)
        return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)
    return pd.DataFrame(values, index=index, columns=cols)  # pragma: no cover


if BlockManager is not None and not _blocks_work():  # pragma: no cover
    BlockManager = None
