"""Benchmark MICOM and PLSpredict on the sample data against seminr-py, in one run.

Data: ``sample_data/ecommerce_responses.csv`` (3,000 respondents, the flagship survey's model:
6 constructs, 20 items). csi: :func:`csi.estimate.analysis.micom.micom` with 1,000 permutations (waves
2026Q1+Q2 vs Q3+Q4) and :func:`csi.estimate.analysis.predict.predict_pls` with 10 folds x 10
repetitions, each best of 3 after one warm-up call. seminr-py (GPL; an outside reference in
``.bench-venv``, see ``bench_pls.py``): ``predict_pls`` with 10 folds, called 10 times (it has
no repetitions), and -- it has no MICOM -- the two per-group ``estimate_pls`` fits one MICOM
permutation needs, measured over ``--peer-perms`` permutations and scaled to 1,000 (printed as
such). Same recoded item matrix for both tools; single-threaded BLAS in both processes.
Targets (issue 16): each csi task under 2 s.

Usage: ``python benchmarks/bench_analyst.py [--peer-perms 20] [--skip-peers]``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_pls import ENV, ensure_bench_env, fmt_r, fmt_t  # noqa: E402


def _best(fn, repeats=3):
    fn()  # warm-up (imports, compiled kernels)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-perms", type=int, default=20)
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--timeout", type=float, default=1800.0)
    args = ap.parse_args(argv)

    import numpy as np

    import csi
    from csi.estimate.analysis.micom import micom
    from csi.estimate.analysis.predict import predict_pls
    from csi.estimate.prepare import prepare_data

    survey = csi.load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    frame = csi.read_responses(ROOT / "sample_data" / "ecommerce_responses.csv", survey).valid
    model = survey.to_model()
    items = prepare_data(model, frame, missing="listwise").items
    group = frame.loc[items.index, "wave"].isin(["2026Q3", "2026Q4"]).astype(int).to_numpy()
    data = items.assign(group=group).reset_index(drop=True)  # recoded items, for seminr-py
    own = frame.loc[items.index].assign(group=group)  # csi recodes (reverse items) itself
    t_micom = _best(lambda: micom(model, own, "group", 0, 1, n_perm=1000, seed=0))
    t_pred = _best(lambda: predict_pls(model, own, folds=10, reps=10, seed=0))
    peer = {}
    if not args.skip_peers:
        py = ensure_bench_env()
        with tempfile.TemporaryDirectory() as tmp:
            spec = {"blocks": {c.id: list(c.items) for c in model.constructs},
                    "formative": [c.id for c in model.constructs if c.mode == "formative"],
                    "paths": [list(p) for p in model.paths]}
            (Path(tmp) / "spec.json").write_text(json.dumps(spec))
            data.to_csv(Path(tmp) / "data.csv", index=False)
            p = subprocess.run([str(py), str(HERE / "_peer_analyst.py"), str(Path(tmp) / "spec.json"),
                                str(Path(tmp) / "data.csv"), str(args.peer_perms)],
                               capture_output=True, text=True, env=ENV, timeout=args.timeout)
            if p.returncode == 0:
                peer = json.loads(p.stdout.strip().splitlines()[-1])
            else:
                peer = {"error": (p.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    n = len(data)
    print(f"MICOM and PLSpredict, sample data (N={n}, {len(model.item_ids)} items, "
          f"{len(model.constructs)} constructs)\n")
    print("| task | csi | seminr-py | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    sp = peer.get("predict_time")
    sm = None if "micom_perm_time" not in peer else 1000 * peer["micom_perm_time"]
    print(f"| PLSpredict 10 folds x 10 reps | {fmt_t(t_pred)} | {fmt_t(sp)} | {fmt_r(sp, t_pred)} | < 2 s |")
    print(f"| MICOM 1,000 permutations | {fmt_t(t_micom)} | {fmt_t(sm)} (scaled from "
          f"{args.peer_perms} perms; no MICOM in seminr-py) | {fmt_r(sm, t_micom)} | < 2 s |")
    if "error" in peer:
        print(f"\nseminr-py failed: {peer['error']}")
    ok = t_micom < 2 and t_pred < 2
    print(f"\ntargets met: {ok}")
    return 0 if np.isfinite(t_micom) else 1


if __name__ == "__main__":
    sys.exit(main())
