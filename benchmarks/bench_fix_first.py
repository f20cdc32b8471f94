"""What to fix first (the Overview's decision panel): CPU seconds at the sample size and at
100,000 responses.

For each n, simulates the flagship survey (``csi.simulate.simulate_responses``), fits the
pooled point estimates once (``csi.estimate.waves.fit_by_wave``, ``n_boot=0``, not timed), then
times what the Overview computes for the panel (``app_pages/driver_data.fix_first_ranking``):

- ``ipma``: :func:`csi.drivers.ipma.importance_performance` at both levels with ``--ipma-boot``
  resamples (500, the app default; shared with the Drivers page's cache);
- ``fix_first``: :func:`csi.drivers.fix_first.fix_first` on that IPMA with ``--n-boot``
  resamples of the top levers' gains (100, ``FIX_FIRST_N_BOOT``);
- ``panel``: the two together.

BLAS runs single-threaded, as in the dashboard server (``app_pages.common.limit_blas_threads``;
``--blas-threads N`` to change). Each row gives the process CPU seconds (``time.process_time``) of the first call (cold, apart
from the numba kernels the fit compiled) and the best of ``--repeat`` calls. ``reference gains``
is the gains part alone (fix_first's candidate rows and ranking come on top). The load average is printed alongside:
on a shared machine compare rows of one run, not across runs.

``--reference`` also times the reference computation of the same gains: one
:func:`csi.drivers.whatif.what_if` per candidate (point gains) and per top candidate (its
bootstrap), as fix_first computed them before the batched :mod:`csi.drivers.gains`; so one run
prints before and after.

Usage::

    python benchmarks/bench_fix_first.py [--n 3000 100000] [--n-boot 100] [--ipma-boot 500]
        [--repeat 2] [--reference] [--profile] [--blas-threads 1]

Prints a table; not a test (no assertions on time).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu(fn, repeat: int):
    """(CPU seconds of the first call, best of ``repeat`` calls, the result)."""
    times, out = [], None
    for _ in range(max(repeat, 1)):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return times[0], min(times), out


def measure(survey, n: int, args) -> None:
    """Print the rows for ``n`` simulated respondents (see the module docstring)."""
    from csi.drivers.fix_first import fix_first
    from csi.drivers.ipma import importance_performance
    from csi.drivers.whatif import what_if
    from csi.errors import ParameterError
    from csi.estimate import waves
    from csi.simulate import simulate_responses

    frame, _ = simulate_responses(survey, n, seed=args.seed)
    pooled = waves.fit_by_wave(survey, frame, n_boot=0, seed=0).pooled
    c_ipma, t_ipma, table = _cpu(lambda: importance_performance(survey, frame, pooled, target="loyalty", level="both",
                                                        n_boot=args.ipma_boot, seed=0), args.repeat)

    def ff():
        return fix_first(survey, frame, pooled, target="loyalty", ipma=table, n_boot=args.n_boot, seed=0)

    c_ff, t_ff, got = _cpu(ff, args.repeat)
    rows = [("ipma", c_ipma, t_ipma), ("fix_first", c_ff, t_ff),
            ("panel (ipma+fix_first)", c_ipma + c_ff, t_ipma + t_ff)]
    if args.reference:
        def reference():
            for cid in got.table["id"]:
                with contextlib.suppress(ParameterError):
                    what_if(survey, frame, {cid: 5.0}, pooled, target="loyalty", n_boot=0)
            for cid in got.top["id"]:
                what_if(survey, frame, {cid: 5.0}, pooled, target="loyalty", n_boot=args.n_boot, seed=0,
                        repurchase=False)

        t_ref = _cpu(reference, 1)[0]
        rows.append(("reference gains", t_ref, t_ref))
    for name, c, t in rows:
        print(f"{n:>8} {name:<22} {c:8.3f} {t:8.3f}  {os.getloadavg()[0]:.1f}", flush=True)
    if args.profile and n == max(args.n):
        prof = cProfile.Profile()
        prof.runcall(ff)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[3000, 100_000])
    ap.add_argument("--n-boot", type=int, default=100)
    ap.add_argument("--ipma-boot", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference", action="store_true", help="also time the per-candidate reference path")
    ap.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1, as the server)")
    ap.add_argument("--profile", action="store_true", help="cProfile fix_first at the largest n")
    args = ap.parse_args()

    from threadpoolctl import threadpool_limits

    from csi.survey import load_survey

    threadpool_limits(limits=args.blas_threads, user_api="blas")
    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    print(f"{'n':>8} {'step':<22} {'first_s':>8} {'best_s':>8}  load")
    for n in args.n:
        measure(survey, n, args)


if __name__ == "__main__":
    main()
