"""Timestamp parsing of locale-formatted exports: csi.io.dates vs pandas' per-cell guesser.

Renders N Google Forms (en-US) timestamps and parses them with ``csi.io.dates.parse_timestamps``
(one day-first/month-first decision per column, C++ regex) and with
``pd.to_datetime(format="mixed")`` (dateutil per cell, what the importer used before issue 13).
Prints both times and their ratio; no assertion on time (machine-dependent).

Usage: python benchmarks/bench_dates.py [N]   (default 100000)
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from csi.io.dates import parse_timestamps


def main(n: int) -> None:
    rng = np.random.default_rng(0)
    ts = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s")
    text = pd.Series([f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}" for t in ts])
    t0 = time.perf_counter()
    ours, _ = parse_timestamps(text)
    t1 = time.perf_counter()
    mixed = pd.to_datetime(text, format="mixed", errors="coerce", utc=True)
    t2 = time.perf_counter()
    assert (ours.dt.tz_localize(None) == ts).all() and (mixed.dt.tz_localize(None) == ts).all()
    print(f"n={n}: csi.io.dates {t1 - t0:.2f} s, format='mixed' {t2 - t1:.2f} s, ratio {(t2 - t1) / (t1 - t0):.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
