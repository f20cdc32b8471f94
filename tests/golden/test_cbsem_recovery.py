"""Simulation recovery: CB-SEM recovers known standardized ACSI paths and loadings.

Data come from a correctly specified ACSI model (constructs with unit variance, standardized
paths below, three items per construct with standardized loading 0.8, normal errors,
N = 2000, seed 11). Tolerance 0.05 (about 2.5 SEs at this N).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.estimate.cbsem.fit import fit_cbsem
from csi.survey.model import ModelSpec

ORDER = ("expectation", "quality", "value", "satisfaction", "loyalty")
TRUE_PATHS = {
    ("expectation", "quality"): 0.6,
    ("expectation", "value"): 0.2,
    ("quality", "value"): 0.5,
    ("expectation", "satisfaction"): 0.1,
    ("quality", "satisfaction"): 0.45,
    ("value", "satisfaction"): 0.3,
    ("satisfaction", "loyalty"): 0.7,
}
LOADING = 0.8


def simulate(n: int = 2000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = len(ORDER)
    B = np.zeros((k, k))
    for (s, t), b in TRUE_PATHS.items():
        B[ORDER.index(t), ORDER.index(s)] = b
    # residual variances so that every construct has unit variance
    phi = np.zeros((k, k))
    psi = np.zeros(k)
    for j in range(k):
        b = B[j, :j]
        explained = b @ phi[:j, :j] @ b
        psi[j] = 1.0 - explained if j else 1.0
        phi[j, :j] = phi[:j, j] = phi[:j, :j] @ b
        phi[j, j] = 1.0
    C = np.linalg.inv(np.eye(k) - B)
    eta = rng.standard_normal((n, k)) * np.sqrt(psi) @ C.T
    cols = {}
    for j, c in enumerate(ORDER):
        for i in (1, 2, 3):
            x = LOADING * eta[:, j] + np.sqrt(1 - LOADING**2) * rng.standard_normal(n)
            cols[f"{c[:3]}{i}"] = 5.0 + 1.5 * x
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def result():
    blocks = {c: [f"{c[:3]}{i}" for i in (1, 2, 3)] for c in ORDER}
    model = ModelSpec.from_blocks(blocks, list(TRUE_PATHS), scale=(-20, 30))
    return fit_cbsem(model, simulate())


def test_paths_recovered(result):
    pc = result.path_coefficients.set_index(["source", "target"])["estimate"]
    for key, true in TRUE_PATHS.items():
        assert pc[key] == pytest.approx(true, abs=0.05), key


def test_loadings_recovered(result):
    np.testing.assert_allclose(result.loadings["estimate"], LOADING, atol=0.05)


def test_fit_is_good_for_the_true_model(result):
    assert result.fit["cfi"] > 0.99 and result.fit["rmsea"] < 0.03
    assert result.fit["p_value"] > 0.001
    assert (result.admissibility["status"] == "ok").all()


def test_r2_recovered(result):
    # R2 of loyalty = 0.7^2 = 0.49
    r2 = result.r2.set_index("construct")["r2"]
    assert r2["loyalty"] == pytest.approx(0.49, abs=0.05)
