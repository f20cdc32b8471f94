"""Benchmark: ``csi`` import of N plain rows of the flagship survey vs ``pd.read_csv(engine="pyarrow")``.

Same file, same run. csi's time covers read + validate + canonical frame
(:func:`csi.io.read_responses`, quality flags included); ``--store`` also times storing the batch
in a fresh SQLite store. Peak memory is the process's peak RSS growth during each step
(``resource.getrusage``; Linux reports KiB) -- steps run in fresh subprocesses so that one does not
hide another's peak.

Usage::

    python benchmarks/bench_import.py --rows 1000000 [--store] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "surveys" / "ecommerce_csi.yaml"


def make_file(path: Path, rows: int) -> None:
    """Simulate 20,000 respondents and tile them (new ids) up to ``rows`` rows."""
    import pandas as pd

    from csi.simulate import simulate_responses
    from csi.survey import load_survey

    base, _ = simulate_responses(load_survey(SURVEY), n=min(rows, 20000), seed=1)
    reps = -(-rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:rows].copy()
    big["respondent_id"] = [f"R{k:08d}" for k in range(rows)]
    big.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S")


_STEP = r"""
import json, resource, sys, time
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
step, path, db = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas as pd
from csi.survey import load_survey
survey = load_survey(sys.argv[4])
from csi.io import read_responses  # imports and store creation are not timed
if step == "store":
    from csi.store import open_store
    store = open_store(db)
t0 = time.perf_counter()
if step == "pandas":
    n = len(pd.read_csv(path, engine="pyarrow"))
else:
    res = read_responses(path, survey)
    n = len(res.valid)
    if step == "store":
        store.import_frame(survey, res.valid, source_name="bench.csv", file_hash=res.file_hash,
                                    rejected=res.rejected, rows_read=res.rows_read)
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "rows": n, "peak_mib": peak / 1024, "growth_mib": (peak - before) / 1024}))
"""


def run_step(step: str, path: Path, db: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _STEP, step, str(path), db, str(SURVEY)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--store", action="store_true", help="also time storing into a fresh SQLite store")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plain.csv"
        t0 = time.perf_counter()
        make_file(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"file: {args.rows:,} rows, {size:.0f} MiB (made in {time.perf_counter() - t0:.1f} s)")
        steps = ["pandas", "csi"] + (["store"] if args.store else [])
        best: dict[str, dict] = {}
        for k in range(args.repeat):
            for step in steps:
                if step == "store" and k > 0:
                    continue
                r = run_step(step, path, f"sqlite:///{tmp}/bench{k}.sqlite")
                if step not in best or r["seconds"] < best[step]["seconds"]:
                    best[step] = r
        base = best["pandas"]["seconds"]
        print(f"{'step':<34}{'best s':>9}{'ratio':>8}{'peak RSS MiB':>14}{'rows':>11}")
        names = {"pandas": 'pd.read_csv(engine="pyarrow")', "csi": "csi read_responses (validated)",
                 "store": "csi read_responses + SQLite store"}
        for step in steps:
            r = best[step]
            print(f"{names[step]:<34}{r['seconds']:>9.2f}{r['seconds'] / base:>8.2f}{r['peak_mib']:>14.0f}{r['rows']:>11,}")


if __name__ == "__main__":
    main()
