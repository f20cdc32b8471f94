"""Benchmark: ``csi report`` on the sample data (3,000 respondents, four waves), per format,
against the issue-17 goal of under 20 s for the PDF.

Each run is the whole command as a user starts it (a fresh process: imports, reading the file,
the pooled and per-wave fits with their bootstrap, the drivers, rendering); the printed ratio is
wall time / 20 s (below 1 meets the goal). The CPU time and the load average are printed with
it: on a shared machine the wall time mostly measures the other processes. The time of the content alone (build_management_report)
and of each renderer in one process is printed too, so a slow step is visible.

Usage::

    python benchmarks/bench_report.py [--boot 200] [--formats html,xlsx,pdf] [--runs 3] [--no-steps]

Each format is run ``--runs`` times; the table gives the median and the spread (min-max) of
the wall and CPU seconds and the load average (1 min) before each run.
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
    """CPU and wall seconds of the content and of each renderer in one process (after imports)."""
    from csi.io import read_responses
    from csi.report import render
    from csi.report.management import build_management_report
    from csi.survey import load_survey

    s = load_survey(SURVEY)
    frame = read_responses(DATA, s).valid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        rep = build_management_report(s, frame, lang="zh", n_boot=boot)
        print(f"  content (fits, drivers)  wall {time.perf_counter() - t0:6.1f} s  CPU {time.process_time() - c0:5.1f} s")
        for name, fn in (("html", render.to_html), ("xlsx", render.to_xlsx), ("pdf", render.to_pdf)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn(rep)
            print(f"  render {name:<17} wall {time.perf_counter() - t0:6.1f} s  CPU {time.process_time() - c0:5.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--formats", default="html,xlsx,pdf")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-steps", action="store_true", help="skip the in-process step timings")
    args = ap.parse_args()
    print(f"csi report on {DATA.name} (3,000 respondents), --boot {args.boot}, --lang zh, "
          f"{args.runs} runs, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            walls, cpus, loads = [], [], []
            for k in range(args.runs):
                loads.append(os.getloadavg()[0])
                secs, cpu = _command(fmt, args.boot, Path(tmp) / f"r.{fmt}")
                walls.append(secs)
                cpus.append(cpu)
                print(f"  {fmt} run {k + 1}: wall {secs:5.1f} s, CPU {cpu:5.1f} s, load {loads[-1]:.1f}", flush=True)
            w, c = sorted(walls), sorted(cpus)
            print(f"{fmt:<5} whole command: wall median {w[len(w) // 2]:5.1f} s ({w[0]:.1f}-{w[-1]:.1f}), "
                  f"CPU median {c[len(c) // 2]:5.1f} s ({c[0]:.1f}-{c[-1]:.1f}), load {min(loads):.1f}-{max(loads):.1f}; "
                  f"ratio to the {GOAL_S:.0f} s goal {w[len(w) // 2] / GOAL_S:4.2f} (wall), "
                  f"{c[len(c) // 2] / GOAL_S:4.2f} (CPU)")
    if not args.no_steps:
        print("steps in one process:")
        _steps(args.boot)


if __name__ == "__main__":
    main()
