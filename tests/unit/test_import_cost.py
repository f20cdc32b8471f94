"""What the dashboard's first page imports: no scipy.stats (~0.6 s) before it is needed, and
the scipy.special functions that replace it give bit-for-bit the same numbers; the server's
objects are frozen out of the cyclic GC before the first run's imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

from csi.drivers.complaints import mean_interval
from csi.drivers.repurchase import wilson_interval
from csi.report.overview import Headline, wave_change

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_overview_modules_do_not_import_scipy_stats():
    mods = _modules_after("import csi.drivers.complaints, csi.report.overview, csi.report.figures, "
                          "csi.estimate.fit")
    assert "scipy.stats" not in mods
    assert "statsmodels" not in mods


def test_a_point_estimate_does_not_load_numba():
    # numba (~0.2 s with the cached kernels) is loaded by the first bootstrap, not before
    fit = ("import numpy as np, pandas as pd, csi; rng = np.random.default_rng(0); "
           "df = pd.DataFrame(rng.integers(1, 8, size=(60, 4)).astype(float), columns=['a', 'b', 'c', 'd']); "
           "csi.fit('A =~ a + b\\nC =~ c + d\\nC ~ A', df, scale=(1, 7), n_boot={})")
    assert "numba" not in _modules_after(fit.format(0))
    assert "numba" in _modules_after(fit.format(20))


def test_the_store_does_not_load_the_response_readers():
    mods = _modules_after("import csi.store")
    assert "csi.io.canonical" in mods and "csi.io.responses" not in mods
    assert "alembic" not in mods


def test_app_pages_freezes_the_server_objects_once():
    code = ("import gc, sys; n0 = gc.get_freeze_count(); import app_pages; n1 = gc.get_freeze_count(); "
            "import app_pages.common; print(n0 == 0, n1 > 1000, gc.get_freeze_count() <= n1)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["True", "True", "True"]


# -- exactness: the scipy.stats calls replaced by scipy.special -----------------------------
_Z = np.concatenate([np.linspace(0, 40, 4001), np.random.default_rng(0).normal(0, 3, 2000),
                     [1e-300, 5e-324, np.inf]])
_Q = np.concatenate([np.random.default_rng(1).uniform(0, 1, 2000), [0.0, 1.0, 0.5, 0.975, 0.995]])


def test_ndtr_is_norm_sf():
    z = np.abs(_Z)
    assert np.array_equal(stats.norm.sf(z), special.ndtr(-z))


def test_ndtri_is_norm_ppf():
    assert np.array_equal(stats.norm.ppf(_Q), special.ndtri(_Q))


@pytest.mark.parametrize("df", [1, 2, 4, 9, 29, 99, 999, 99_999])
def test_stdtrit_is_t_ppf(df):
    q = _Q[(_Q > 0) & (_Q < 1)]
    assert np.array_equal(stats.t.ppf(q, df), special.stdtrit(df, q))


def test_functions_match_their_scipy_stats_formulas():
    # the formulas as they were written with scipy.stats
    for k, n, a in [(5, 10, 0.05), (0, 7, 0.05), (7, 7, 0.01), (123, 1000, 0.1)]:
        z = stats.norm.ppf(1 - a / 2)
        p = k / n
        den = 1 + z ** 2 / n
        mid = (p + z ** 2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / den
        lo, hi = wilson_interval(k, n, a)
        assert float(lo) == (0.0 if k == 0 else float(np.clip(mid - half, 0, 1)))
        assert float(hi) == (1.0 if k == n else float(np.clip(mid + half, 0, 1)))
    x = np.array([3.0, 5.5, 7.25, 9.0, 4.0])
    m, lo, hi, n = mean_interval(x)
    h = float(stats.t.ppf(0.975, 4) * x.std(ddof=1) / np.sqrt(5))
    assert (m, lo, hi, n) == (float(x.mean()), float(x.mean()) - h, float(x.mean()) + h, 5)
    c = wave_change(Headline("satisfaction", 75.0, 0.3, 74.4, 75.6, 800),
                    Headline("satisfaction", 74.1, 0.4, 73.2, 74.8, 800), "2026Q1")
    assert c.p_value == float(2 * stats.norm.sf(abs(c.z)))
