"""Benchmark: ``csi report`` on the sample data (3,000 respondents, four waves), per format,
against the issue-17 goal of under 20 s for the PDF.

Each run is the whole command as a user starts it (a fresh process: imports, reading the file,
the pooled and per-wave fits with their bootstrap, the drivers, rendering); the printed ratio is
wall time / 20 s (below 1 meets the goal). The CPU time and the load average are printed with
it: on a shared machine the wall time mostly measures the other processes. The time of the content alone (build_management_report)
and of each renderer in one process is printed too, so a slow step is visible.

Usage::

    python benchmarks/bench_report.py [--boot 200] [--formats html,xlsx,pdf]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "surveys" / "ecommerce_csi.yaml"
DATA = ROOT / "sample_data" / "ecommerce_responses.csv"
GOAL_S = 20.0


def _command(fmt: str, boot: int, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+system) of one ``csi report`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "csi", "report", str(SURVEY), str(DATA), "--format", fmt, "--out", str(out),
                    "--lang", "zh", "--boot", str(boot)], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _steps(boot: int) -> None:
    from csi.io import read_responses
    from csi.report import render
    from csi.report.management import build_management_report
    from csi.survey import load_survey

    s = load_survey(SURVEY)
    frame = read_responses(DATA, s).valid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        rep = build_management_report(s, frame, lang="zh", n_boot=boot)
        print(f"  content (fits, drivers)  {time.perf_counter() - t0:6.1f} s")
        for name, fn in (("html", render.to_html), ("xlsx", render.to_xlsx), ("pdf", render.to_pdf)):
            t0 = time.perf_counter()
            fn(rep)
            print(f"  render {name:<17} {time.perf_counter() - t0:6.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--formats", default="html,xlsx,pdf")
    args = ap.parse_args()
    print(f"csi report on {DATA.name} (3,000 respondents), --boot {args.boot}, --lang zh")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            secs, cpu = _command(fmt, args.boot, Path(tmp) / f"r.{fmt}")
            print(f"{fmt:<5} whole command {secs:6.1f} s (CPU {cpu:5.1f} s; load average {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} cores)   ratio to the {GOAL_S:.0f} s goal {secs / GOAL_S:5.2f}")
    print("steps in one process:")
    _steps(args.boot)


if __name__ == "__main__":
    main()
