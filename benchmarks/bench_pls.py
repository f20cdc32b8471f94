"""Benchmark csi's PLS-PM against seminr, plspm and a numpy floor (also ``csi bench``).

One run, same data for every tool: an ECSI-sized model (7 constructs, 24 items, 1-10 scale,
``benchmarks/ecsi.py``) simulated at N = 250, 10k, 100k, 1M. Each tool runs in its own
subprocess: csi in the project env, seminr and plspm (GPL; used only as outside references)
in a separate env ``.bench-venv`` that this script creates on first use
(``pip install seminr plspm "pandas<3" psutil``). plspm gets per-column pre-standardized
data with ``scaled=False`` (its own standardization pools one SD over all items).

Reported (ratios in the same run):
- single fit: csi ``PLSPathModel.fit`` (estimation; result tables are built lazily),
  ``csi.fit`` (no bootstrap; its tables are built on first access) and ``csi.fit`` + reading
  the full result (every table a result has: index, both scores, paths, total effects,
  loadings, weights, reliability, R², HTMT, admissibility, SRMR, effects, f², both VIFs,
  cross-loadings, Fornell-Larcker, construct correlations: "full";
  ``_csi_worker.FULL_RESULT``) vs seminr ``estimate_pls``, plspm ``Plspm`` and the numpy floor (centring +
  X'X); targets: estimation >= 10x faster than seminr at N=250 and <= 2x the floor at
  N >= 100k; the full result >= 3x faster than seminr at N=250 and <= 1.5x the floor at N=1M;
- bootstrap of 5,000 resamples: csi vs seminr ``bootstrap_model(cores=2)`` at N=250
  (target >= 200x) and vs the count-matrix x cross-products floor at N=10k (target <= 3x);
  each tool's best of ``--boot-repeats`` runs (default 3) after its point estimate. Two csi
  columns: the whole ``csi.fit`` with the bootstrap, and that minus ``csi.fit`` without it (the
  bootstrap alone, as seminr's ``bootstrap_model`` is timed on an estimated model);
- peak RSS of one csi fit at N=1M (target < 1 GB; includes the data itself);
- the full result and the floor again in process CPU time (``time.process_time``), with
  seminr's ``estimate_pls`` CPU time: on a shared machine other processes stretch wall time
  but not (much) the CPU time a process spends;
- path coefficients equal seminr's to 1e-6 (asserted).

Timings are best-of-20 up to N=1k, best-of-5 up to 10k and best-of-3 up to 100k for every tool; at N=1M csi and
the floor take the best of 3 and the peers a single run (plspm needs ~45 s there).

Usage: ``python benchmarks/bench_pls.py [--sizes 250,10000] [--n-boot 5000] [--timeout 900] [--skip-plspm]``.
Benchmarks are not tests: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH_VENV = ROOT / ".bench-venv"
sys.path.insert(0, str(HERE))
from ecsi import simulate  # noqa: E402

SIZES = (250, 10_000, 100_000, 1_000_000)
# Same settings for every tool: single-threaded BLAS inside each process (a shared 2-core
# machine makes multi-threaded OpenBLAS erratic); the bootstraps use 2 workers each
# (seminr cores=2, csi 2 threads).
ENV = {**os.environ, "PYTHONWARNINGS": "ignore", "OPENBLAS_NUM_THREADS": "1",
       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def ensure_bench_env() -> Path:
    """Create ``.bench-venv`` with seminr and plspm on first use; return its python."""
    py = BENCH_VENV / "bin" / "python"
    if py.exists():
        ok = subprocess.run([str(py), "-c", "import seminr, plspm"], capture_output=True)
        if ok.returncode == 0:
            return py
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "seminr", "plspm", "pandas<3", "psutil"],
                   check=True)
    return py


# ``import csi`` is lazy (PEP 562): the first ``csi.fit`` would import scipy/statsmodels inside
# the timed region of the worker. The csi worker runs after importing the estimator modules,
# so imports are not timed (as R package loading is not timed for the peers).
# The compiled kernels are loaded there too (numba's import and the on-disk kernel cache: ~0.2 s
# once per process, like the imports; a bootstrap loads them, and single fits then use them).
CSI_PRELUDE = ("import sys, runpy, csi.estimate.fit, csi.estimate.pls.model, csi.estimate.pls.kernel as k; "
               "k.available(); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")


def csi_worker(*args: str) -> list[str]:
    """Command line of ``_csi_worker.py args`` with the estimator modules imported first."""
    return [sys.executable, "-c", CSI_PRELUDE, str(HERE / "_csi_worker.py"), *args]


def run(cmd: list[str], timeout: float) -> dict:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def fmt_t(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    return f"{v * 1e3:.2f} ms" if v < 1 else f"{v:.2f} s"


def fmt_r(a, b) -> str:
    if a is None or b is None:
        return "-"
    return f"{a / b:.1f}x"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--n-boot", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--skip-peers", action="store_true", help="csi and the numpy floor only")
    ap.add_argument("--skip-plspm", action="store_true", help="no plspm column (~45 s at N=1M)")
    ap.add_argument("--boot-repeats", type=int, default=3,
                    help="bootstrap runs per tool, best taken (seminr ~15-45 s a run at N=250)")
    args = ap.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    peer_py = None if args.skip_peers else ensure_bench_env()
    rows, boot_rows, failures = [], [], []
    mem = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = str(Path(tmp) / f"ecsi_{n}.npy")
            np.save(path, simulate(n, seed=42))
            c = run(csi_worker("fit", path), args.timeout)
            s = p = {}
            if peer_py is not None:
                s = run([str(peer_py), str(HERE / "_peer.py"), "seminr", "fit", path], args.timeout)
                if not args.skip_plspm:
                    p = run([str(peer_py), str(HERE / "_peer.py"), "plspm", "fit", path], args.timeout)
            diff = None
            if "paths" in c and "paths" in s:
                diff = max(abs(c["paths"][k] - s["paths"][k]) for k in s["paths"])
                if diff > 1e-6:
                    failures.append(f"N={n}: csi paths differ from seminr by {diff:.2e} > 1e-6")
            rows.append((n, c, s, p, diff))
            if n == 1_000_000:
                mem = run(csi_worker("mem", path), args.timeout)
            if n in (250, 10_000) and args.n_boot:
                reps = str(args.boot_repeats)
                cb = run(csi_worker("boot", path, str(args.n_boot), reps), args.timeout)
                sb = {}
                if n == 250 and peer_py is not None:
                    sb = run([str(peer_py), str(HERE / "_peer.py"), "seminr", "boot", path,
                              str(args.n_boot), reps], args.timeout * args.boot_repeats)
                boot_rows.append((n, cb, sb))

    print(f"\nSingle fit (ECSI model: 7 constructs, 24 items, 1-10 scale; best of repeats; "
          f"{os.cpu_count()} cores)")
    hdr = (f"{'N':>9} | {'csi fit':>10} | {'csi.fit()':>10} | {'full':>10} | {'seminr':>10} | "
           f"{'plspm':>10} | {'floor':>10} | {'seminr/csi':>10} | {'csi/floor':>9} | "
           f"{'seminr/full':>11} | {'full/floor':>10} | {'max|Δpath| vs seminr':>20}")
    print(hdr)
    print("-" * len(hdr))
    for n, c, s, p, diff in rows:
        print(f"{n:>9} | {fmt_t(c.get('est_time')):>10} | {fmt_t(c.get('fit_time')):>10} | "
              f"{fmt_t(c.get('full_time')):>10} | "
              f"{fmt_t(s.get('fit_time')) if 'error' not in s else s['error'][:10]:>10} | "
              f"{fmt_t(p.get('fit_time')) if 'error' not in p else p['error'][:10]:>10} | "
              f"{fmt_t(c.get('floor_time')):>10} | {fmt_r(s.get('fit_time'), c.get('est_time')):>10} | "
              f"{fmt_r(c.get('est_time'), c.get('floor_time')):>9} | "
              f"{fmt_r(s.get('fit_time'), c.get('full_time')):>11} | "
              f"{fmt_r(c.get('full_time'), c.get('floor_time')):>10} | "
              f"{'-' if diff is None else f'{diff:.1e}':>20}")
    print("\nThe full result in process CPU time (best of the same repeats; less disturbed than wall "
          "time when other processes share the cores)")
    hdr = (f"{'N':>9} | {'full cpu':>10} | {'seminr cpu':>10} | {'floor cpu':>10} | "
           f"{'seminr/full':>11} | {'full/floor':>10}")
    print(hdr)
    print("-" * len(hdr))
    for n, c, s, _p, _d in rows:
        print(f"{n:>9} | {fmt_t(c.get('full_cpu')):>10} | {fmt_t(s.get('fit_cpu')):>10} | "
              f"{fmt_t(c.get('floor_cpu')):>10} | {fmt_r(s.get('fit_cpu'), c.get('full_cpu')):>11} | "
              f"{fmt_r(c.get('full_cpu'), c.get('floor_cpu')):>10}")
    if boot_rows:
        print(f"\nBootstrap ({args.n_boot} resamples; best of {args.boot_repeats} runs per tool). "
              "csi fit+boot: the whole csi.fit with the bootstrap; csi boot: that minus csi.fit "
              "without it,\nthe bootstrap itself as seminr's bootstrap_model times it on an "
              "estimated model; floor: count matrix x cross-products")
        hdr = (f"{'N':>9} | {'csi fit+boot':>12} | {'csi boot':>10} | {'seminr':>10} | {'floor':>10} | "
               f"{'seminr/csi fit+boot':>19} | {'seminr/csi boot':>15} | {'csi boot/floor':>14}")
        print(hdr)
        print("-" * len(hdr))
        for n, cb, sb in boot_rows:
            print(f"{n:>9} | {fmt_t(cb.get('boot_time')):>12} | {fmt_t(cb.get('boot_only')):>10} | "
                  f"{fmt_t(sb.get('boot_time')):>10} | {fmt_t(cb.get('floor_time')):>10} | "
                  f"{fmt_r(sb.get('boot_time'), cb.get('boot_time')):>19} | "
                  f"{fmt_r(sb.get('boot_time'), cb.get('boot_only')):>15} | "
                  f"{fmt_r(cb.get('boot_only'), cb.get('floor_time')):>14}")
    if mem:
        print(f"\nPeak RSS, one csi.fit at N=1,000,000: {mem.get('peak_rss_mb', float('nan')):.0f} MB "
              f"(after loading the data: {mem.get('rss_before_fit_mb', float('nan')):.0f} MB; "
              f"fit {fmt_t(mem.get('fit_time'))})")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
