"""Recovery of known driver effects from `csi simulate` data (slow statistical checks).

The simulation draws actual repurchase from a logit of the equal-weight 0-100 loyalty index
and lever scores (per 10 points; ``truth["behaviour"]``) and gives each lever a known unique
effect on loyalty (``truth["drivers"]["effects_on_outcome"]``). On complete answers the
``drivers`` logit is correctly specified, so its 95% Wald intervals must cover the true
coefficients about 95% of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from csi.drivers import relative_importance, repurchase_logit
from csi.simulate import simulate_responses

Z = 1.959963984540054


def _complete(survey, frame):
    items = list(survey.items)
    ok = frame[items].apply(lambda c: c.between(0, 10)).all(axis=1)
    return frame[ok]


@pytest.mark.slow
def test_logit_recovers_true_coefficients(flagship):
    rows = []
    for seed in range(20):
        frame, truth = simulate_responses(flagship, n=3000, seed=seed)
        lg = repurchase_logit(flagship, _complete(flagship, frame)).set_index("term")
        se = np.log(lg["ci_high"] / lg["odds_ratio"]) / Z
        for term, b in truth["behaviour"]["coefficients_per_10_points"].items():
            rows.append({"seed": seed, "term": term,
                         "covered": abs(lg.loc[term, "coefficient"] - b) <= Z * se[term]})
    r = pd.DataFrame(rows)
    assert r["covered"].mean() >= 0.90, r.groupby("term")["covered"].mean()
    assert r.groupby("term")["covered"].mean().min() >= 0.75


@pytest.mark.slow
def test_stated_driver_ranking_matches_truth(flagship):
    rhos = []
    for seed in range(5):
        frame, truth = simulate_responses(flagship, n=3000, seed=100 + seed)
        ri = relative_importance(flagship, frame, n_boot=0)
        true = truth["drivers"]["effects_on_outcome"]
        rhos.append(spearmanr([true[lv] for lv in ri["lever"]], ri["raw_weight"]).statistic)
        top = ri.sort_values("raw_weight", ascending=False)["lever"].iloc[0]
        assert top == truth["drivers"]["true_ranking"][0]
    assert min(rhos) >= 0.8 and np.mean(rhos) >= 0.9
