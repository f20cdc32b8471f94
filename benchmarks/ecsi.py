"""The ECSI-sized benchmark model (7 constructs, 24 items, 1-10 scale) and a data simulator.

Shared by ``bench_pls.py`` (csi side) and ``_peer.py`` (seminr/plspm side, separate env):
plain numpy only.
"""

from __future__ import annotations

import numpy as np

BLOCKS = {
    "image": ["imag1", "imag2", "imag3", "imag4", "imag5"],
    "expectation": ["expe1", "expe2", "expe3"],
    "quality": ["qual1", "qual2", "qual3", "qual4", "qual5", "qual6", "qual7"],
    "value": ["val1", "val2"],
    "satisfaction": ["sat1", "sat2", "sat3"],
    "complaint": ["comp1"],
    "loyalty": ["loy1", "loy2", "loy3"],
}
PATHS = [
    ("image", "expectation"), ("image", "satisfaction"), ("image", "loyalty"),
    ("expectation", "quality"), ("expectation", "value"), ("expectation", "satisfaction"),
    ("quality", "value"), ("quality", "satisfaction"), ("value", "satisfaction"),
    ("satisfaction", "complaint"), ("satisfaction", "loyalty"), ("complaint", "loyalty"),
]
TRUE = {
    ("image", "expectation"): 0.5, ("image", "satisfaction"): 0.2, ("image", "loyalty"): 0.2,
    ("expectation", "quality"): 0.55, ("expectation", "value"): 0.1,
    ("expectation", "satisfaction"): 0.05, ("quality", "value"): 0.5,
    ("quality", "satisfaction"): 0.4, ("value", "satisfaction"): 0.25,
    ("satisfaction", "complaint"): 0.5, ("satisfaction", "loyalty"): 0.45,
    ("complaint", "loyalty"): 0.1,
}
ITEMS = [i for b in BLOCKS.values() for i in b]


def simulate(n: int, seed: int = 0) -> np.ndarray:
    """(n, 24) float64 items on a 1-10 scale from the ECSI structural model."""
    rng = np.random.default_rng(seed)
    names = list(BLOCKS)
    lat = {}
    for c in names:  # BLOCKS is in topological order
        preds = [(s, b) for (s, t), b in TRUE.items() if t == c]
        mean = sum(b * lat[s] for s, b in preds) if preds else 0.0
        var_expl = np.var(mean) if preds else 0.0
        lat[c] = mean + rng.normal(scale=np.sqrt(max(1.0 - var_expl, 0.2)), size=n)
        lat[c] = (lat[c] - lat[c].mean()) / lat[c].std()
    x = np.empty((n, len(ITEMS)))
    col = 0
    for c in names:
        for _ in BLOCKS[c]:
            lam = 0.7 + 0.2 * rng.random()
            raw = 6.5 + 1.8 * (lam * lat[c] + np.sqrt(1 - lam**2) * rng.normal(size=n))
            x[:, col] = np.clip(np.round(raw), 1, 10)
            col += 1
    return x
