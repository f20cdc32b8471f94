"""Simulation recovery: data from an ACSI-shaped model with known paths.

The generator (test-side; ``csi simulate`` is separate) draws standardized construct scores
from the ACSI structural model and items ``x = loading * construct + noise``. Under this
common-factor truth consistent PLS (PLSc) estimates the construct paths without bias;
classic PLS estimates the composite paths, whose population values are computed from a
1,000,000-respondent sample for the coverage check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.estimate.fit import fit
from csi.estimate.moments import compute_moments
from csi.estimate.pls.model import PLSPathModel
from csi.survey.model import ACSI_DEFAULT_PATHS, ModelSpec

BLOCKS = {
    "expectation": ["ce1", "ce2", "ce3"],
    "quality": ["pq1", "pq2", "pq3"],
    "value": ["pv1", "pv2"],
    "satisfaction": ["cs1", "cs2", "cs3"],
    "complaint": ["cc1"],
    "loyalty": ["cl1", "cl2"],
}
TRUE = {
    ("expectation", "quality"): 0.55,
    ("expectation", "value"): 0.15,
    ("expectation", "satisfaction"): 0.10,
    ("quality", "value"): 0.50,
    ("quality", "satisfaction"): 0.45,
    ("value", "satisfaction"): 0.30,
    ("satisfaction", "complaint"): -0.35,
    ("satisfaction", "loyalty"): 0.55,
    ("complaint", "loyalty"): -0.15,
}
LOADINGS = (0.85, 0.8, 0.75)
MODEL = ModelSpec.from_blocks(BLOCKS, ACSI_DEFAULT_PATHS, scale=(-10, 10))


def simulate_acsi(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Items (n x 14) from the ACSI model with unit-variance constructs."""
    names = list(BLOCKS)
    k = len(names)
    B = np.zeros((k, k))
    for (s, t), b in TRUE.items():
        B[names.index(s), names.index(t)] = b
    # residual variances so every construct has variance 1 (constructs are in causal order)
    sigma = np.zeros((k, k))
    psi = np.zeros(k)
    for j in range(k):
        b = B[:j, j]
        psi[j] = 1.0 - b @ sigma[:j, :j] @ b
        sigma[j, :j] = sigma[:j, :j] @ b
        sigma[:j, j] = sigma[j, :j]
        sigma[j, j] = 1.0
    zeta = rng.normal(size=(n, k)) * np.sqrt(psi)
    eta = zeta @ np.linalg.inv(np.eye(k) - B)
    cols = {}
    for j, c in enumerate(names):
        items = BLOCKS[c]
        for i, it in enumerate(items):
            lam = 1.0 if len(items) == 1 else LOADINGS[i]
            cols[it] = lam * eta[:, j] + np.sqrt(1 - lam**2) * rng.normal(size=n)
    return pd.DataFrame(cols)


def test_generator_has_unit_variance_constructs():
    d = simulate_acsi(200_000, np.random.default_rng(0))
    # satisfaction item 1: variance lam^2 * 1 + (1 - lam^2) = 1
    assert d["cs1"].var() == pytest.approx(1.0, abs=0.02)


def test_plsc_recovers_paths_at_n5000():
    ests = []
    for seed in range(6):
        d = simulate_acsi(5000, np.random.default_rng(seed))
        est = PLSPathModel(consistent=True).fit(MODEL, d)
        assert est.converged_
        ests.append(est.path_coefficients_.set_index(["source", "target"])["estimate"])
    mean = pd.concat(ests, axis=1).mean(axis=1)
    bias = {k: mean[k] - v for k, v in TRUE.items()}
    assert max(abs(b) for b in bias.values()) < 0.02, bias


def test_classic_pls_attenuates_then_plsc_corrects():
    d = simulate_acsi(20_000, np.random.default_rng(11))
    plain = PLSPathModel().fit(MODEL, d).path_coefficients_.set_index(["source", "target"])["estimate"]
    plsc = PLSPathModel(consistent=True).fit(MODEL, d).path_coefficients_.set_index(
        ["source", "target"])["estimate"]
    key = ("expectation", "quality")  # both reflective multi-item: attenuated by PLS
    assert plain[key] < TRUE[key] - 0.03
    assert abs(plsc[key] - TRUE[key]) < 0.02


@pytest.mark.slow
def test_percentile_ci_coverage():
    rng = np.random.default_rng(2024)
    # population values of the classic-PLS (composite) paths from one huge sample
    big = simulate_acsi(1_000_000, rng)
    pop = PLSPathModel().fit_moments(MODEL, compute_moments(big.to_numpy()))
    truth = pop.path_coefficients_.set_index(["source", "target"])["estimate"]
    del big
    reps, hits, total = 200, 0, 0
    for r in range(reps):
        d = simulate_acsi(300, rng)
        res = fit(MODEL, d, n_boot=499, seed=r)
        pc = res.path_coefficients.set_index(["source", "target"])
        inside = (pc["ci_low"] <= truth) & (truth <= pc["ci_high"])
        hits += int(inside.sum())
        total += len(inside)
    coverage = hits / total
    print(f"95% percentile-CI coverage over {reps} replications x {len(truth)} paths: {coverage:.3f}")
    assert 0.90 <= coverage <= 0.99
