"""Driver analyses: hand-computed values on tiny frames, bad input, and checks on simulated data."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from csi.cli.main import app
from csi.drivers import (
    compare_groups,
    complaint_rate,
    complaint_test,
    complaint_types,
    complaints_by,
    group_results,
    handling_summary,
    importance_performance,
    item_scores,
    lever_scores,
    relative_importance,
    repurchase_analysis,
    repurchase_logit,
    service_recovery,
    what_if,
)
from csi.drivers.complaints import _holm
from csi.drivers.repurchase import auc_delong, fit_logit, wilson_interval
from csi.errors import DataError, MissingDataWarning, ParameterError, SmallSampleWarning
from csi.simulate import simulate_responses, write_plain_csv


@pytest.fixture(scope="module")
def sim(flagship):
    frame, truth = simulate_responses(flagship, n=1500, seed=7)
    return frame, truth


# -- scores ---------------------------------------------------------------------------------
def test_item_scores_rescale_dont_know_and_reverse(flagship):
    f = pd.DataFrame({"cs1": [1.0, 10.0, 99.0, np.nan, 4.0]})
    assert item_scores(flagship, f, ["cs1"])["cs1"].tolist()[:2] == [0.0, 100.0]
    out = item_scores(flagship, f, ["cs1"])["cs1"]
    assert np.isnan(out[2]) and np.isnan(out[3]) and out[4] == pytest.approx(100 / 3)


def test_lever_scores_mean_of_answered_items(flagship):
    f = pd.DataFrame({i: [10.0, 1.0] for lv in flagship.driver_items.values() for i in lv})
    f.loc[0, "dr_product_value"] = 99.0  # don't know: product = dr_product_quality only
    f.loc[1, "dr_product_value"] = 10.0
    lv = lever_scores(flagship, f)
    assert lv.loc[0, "product"] == 100.0
    assert lv.loc[1, "product"] == 50.0  # (0 + 100) / 2


# -- bad input ------------------------------------------------------------------------------
def test_target_must_be_endogenous(flagship, sim):
    frame, _ = sim
    with pytest.raises(ParameterError, match="'expectation' is not endogenous"):
        importance_performance(flagship, frame, target="expectation", n_boot=0)
    with pytest.raises(ParameterError, match="'nps' is not a construct"):
        importance_performance(flagship, frame, target="nps", n_boot=0)


def test_zero_variance_driver_is_named(flagship, sim):
    frame = sim[0].assign(dr_brand=7.0)
    with pytest.raises(DataError, match="brand have zero variance"):
        relative_importance(flagship, frame, n_boot=0)


def test_no_behaviour_column_is_skipped_with_reason(flagship, sim):
    frame = sim[0].drop(columns=["repurchased_90d"])
    out = repurchase_analysis(flagship, frame)
    assert list(out) == ["skipped"]
    assert "no 'repurchased_90d' column" in out["skipped"]
    with pytest.raises(DataError, match="actual repurchase is not available"):
        repurchase_logit(flagship, frame)


def test_perfect_separation_is_a_clear_error():
    x = pd.DataFrame({"service": np.linspace(0, 100, 60)})
    y = pd.Series((x["service"] > 50).astype(float))
    with pytest.raises(DataError, match="perfect separation"):
        fit_logit(x, y)
    with pytest.raises(DataError, match="every respondent has repurchase = 1"):
        fit_logit(x, pd.Series(np.ones(60)))


def test_segment_of_three(flagship, sim):
    frame = sim[0].copy()
    frame.loc[frame.index[:3], "region"] = "overseas"
    with pytest.raises(DataError, match="region='overseas' has 3 respondents"):
        compare_groups(flagship, frame, "region", "overseas", "east", n_perm=10, n_boot=10)
    with pytest.warns(SmallSampleWarning, match="overseas \\(n=3\\)"):
        g = group_results(flagship, frame, "region")
    assert g.loc[g["group"] == "overseas", "small_n"].all()
    assert not g.loc[g["group"] == "east", "small_n"].any()
    with pytest.raises(ParameterError, match="does not occur"):
        compare_groups(flagship, frame, "region", "mars", "east")


def test_what_if_refuses_to_extrapolate(flagship, sim):
    frame, _ = sim
    with pytest.raises(ParameterError, match="csi does not extrapolate. The largest possible change is \\+"):
        what_if(flagship, frame, {"service": 60}, n_boot=0)
    with pytest.raises(ParameterError, match="cannot change 'price'"):
        what_if(flagship, frame, {"price": 5}, n_boot=0)
    with pytest.raises(ParameterError, match="at least one change"):
        what_if(flagship, frame, {}, n_boot=0)


def test_what_if_moves_outcomes_up(flagship, sim):
    frame, _ = sim
    w = what_if(flagship, frame, {"service": 5, "quality": 5}, n_boot=50, seed=1).set_index("outcome")
    assert list(w.index) == ["satisfaction", "loyalty", "repurchase_probability"]
    assert (w["change"] > 0).all()
    assert (w["ci_low"] <= w["change"]).all() and (w["change"] <= w["ci_high"]).all()
    assert w.loc["satisfaction", "predicted"] <= 100


# -- hand-computed values ---------------------------------------------------------------------
def test_wilson_and_auc_by_hand():
    # Wilson 5/10, z=1.959964: centre (0.5 + z^2/20)/(1 + z^2/10) = 0.5; half-width 0.2634
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.23659, abs=1e-5) and hi == pytest.approx(0.76341, abs=1e-5)
    # pairs (pos, neg): (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4): 3 of 4
    assert auc_delong([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])[0] == 0.75


def test_holm_by_hand():
    # sorted .01, .02, .04 -> 3*.01=.03, 2*.02=.04, 1*.04=.04 (monotone)
    assert _holm(np.array([0.04, 0.01, 0.02])).tolist() == pytest.approx([0.04, 0.03, 0.04])


def test_complaints_on_tiny_frame(flagship):
    f = pd.DataFrame({
        "cc1": [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "complaint_type": ["late;damaged", "poor_quality", "late", np.nan, np.nan, np.nan, np.nan, np.nan],
        "complaint_handling": [9.0, 2.0, 99.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        "complaint_resolved": [1.0, 0.0, 1.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        "wave": ["a", "a", "b", "a", "b", "b", "b", "a"],
    })
    assert complaint_rate(flagship, f)["rate"].item() == 3 / 8
    t = complaint_types(flagship, f).set_index("type")
    assert t.loc["logistics", "count"] == 2 and t.loc["logistics", "rate"] == pytest.approx(2 / 3)
    assert t.loc["late", "count"] == 2 and t.loc["damaged", "count"] == 1
    assert t.loc["product", "count"] == 1 and t.loc["communication", "count"] == 0
    by = complaints_by(flagship, f, "wave").set_index("group")
    # a: 2/4, b: 1/4; pooled 3/8: z = .25 / sqrt(3/8 * 5/8 * (1/4 + 1/4)) = .7303 -> p = .4652
    assert by.loc["a", "rate"] == 0.5 and by.loc["b", "rate"] == 0.25
    assert by.loc["a", "p_value"] == pytest.approx(0.46521, abs=1e-4)
    assert by["small_n"].all()
    assert complaint_test(flagship, f, "wave")["df"].item() == 1
    h = handling_summary(flagship, f).set_index("measure")
    # handling 9 -> 88.9, 2 -> 11.1 (99 = don't know): mean 50; handled well 1 of 2; resolved 2 of 3
    assert h.loc["handling_index", "estimate"] == pytest.approx(50.0)
    assert h.loc["handled_well", "estimate"] == 0.5 and h.loc["resolved", "estimate"] == pytest.approx(2 / 3)


def test_service_recovery_groups(flagship, sim):
    frame, _ = sim
    sr = service_recovery(flagship, frame).set_index("group")
    assert list(sr.index) == ["no complaint", "complaint handled well", "complaint handled badly"]
    # the simulation has a service-recovery effect and complaints lower loyalty
    assert sr.loc["no complaint", "loyalty_index"] > sr.loc["complaint handled well", "loyalty_index"]
    assert sr.loc["complaint handled well", "loyalty_index"] > sr.loc["complaint handled badly", "loyalty_index"]
    assert sr["n"].sum() == (frame["cc1"].isin([0, 1])).sum()


# -- simulated data with known truth --------------------------------------------------------------
def test_relative_importance_sums_and_ranking(flagship):
    frame, truth = simulate_responses(flagship, n=3000, seed=21)
    ri = relative_importance(flagship, frame, n_boot=100, seed=0)
    assert ri["raw_weight"].sum() == pytest.approx(ri["r2"].iloc[0], rel=1e-10)
    assert ri["lmg"].sum() == pytest.approx(ri["r2"].iloc[0], rel=1e-10)
    assert (ri["raw_weight_ci_low"] <= ri["raw_weight"]).all()
    assert (ri["raw_weight"] <= ri["raw_weight_ci_high"]).all()
    true = truth["drivers"]["effects_on_outcome"]
    rho = spearmanr([true[lv] for lv in ri["lever"]], ri["raw_weight"]).statistic
    assert rho > 0.85
    top3 = set(ri.sort_values("raw_weight", ascending=False)["lever"][:3])
    assert top3 == set(truth["drivers"]["true_ranking"][:3])


def test_ipma_on_simulation(flagship, sim):
    frame, _ = sim
    t = importance_performance(flagship, frame, n_boot=100, seed=0)
    con = t[t["level"] == "construct"]
    assert set(con["name"]) == {"expectation", "quality", "value", "satisfaction"}  # complaint left out
    assert set(t["quadrant"]) <= {"fix first", "keep up", "low priority", "possible overkill"}
    assert (con["importance"] > 0).all()
    assert (t["importance_ci_low"] <= t["importance"]).all()
    items = t[t["level"] == "item"]
    # item importances of a construct add up to its importance (weights sum to 1)
    s = items.groupby("construct")["importance"].sum()
    np.testing.assert_allclose(s[con["name"]].to_numpy(), con["importance"].to_numpy())
    sat = importance_performance(flagship, frame, target="satisfaction", level="construct", n_boot=0)
    assert set(sat["name"]) == {"expectation", "quality", "value"}


def test_compare_waves(flagship, sim):
    frame, _ = sim
    c = compare_groups(flagship, frame, "channel", "jd", "tmall", n_perm=200, n_boot=100, seed=0)
    assert {"construct", "lever", "path"} == set(c["kind"])
    assert ((c["p_value"] > 0) & (c["p_value"] <= 1)).all()
    assert np.allclose(c["difference"], c["estimate_a"] - c["estimate_b"])


# -- CLI --------------------------------------------------------------------------------------
def test_cli_drivers(flagship_path, flagship, tmp_path):
    frame, _ = simulate_responses(flagship, n=600, seed=3)
    csv = tmp_path / "r.csv"
    write_plain_csv(frame, csv)
    out = tmp_path / "d.json"
    runner = CliRunner()
    res = runner.invoke(app, ["drivers", str(flagship_path), str(csv), "--json", str(out), "--boot", "30"])
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text(encoding="utf-8"))
    for key in ("ipma", "relative_importance", "repurchase_logit", "auc", "complaints", "whatif"):
        assert d[key], key
    assert set(d["ipma"][0]) >= {"level", "name", "importance", "importance_ci_low",
                                 "importance_ci_high", "performance", "quadrant"}
    assert set(d["repurchase_logit"][0]) >= {"term", "odds_ratio", "ci_low", "ci_high", "p_value",
                                             "marginal_effect"}
    assert set(d["complaints"][0]) >= {"type", "rate", "ci_low", "ci_high", "n"}
    # a segment
    res = runner.invoke(app, ["drivers", str(flagship_path), str(csv), "--json", str(out), "--boot", "0",
                              "--segment", "channel=jd", "--target", "satisfaction"])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["target"] == "satisfaction"
    # bad input: clear messages, exit 2, no traceback
    frame["region"] = "east"
    frame.loc[frame.index[:3], "region"] = "north"
    write_plain_csv(frame.drop(columns=["repurchased_90d"]), csv)
    res = runner.invoke(app, ["drivers", str(flagship_path), str(csv), "--json", str(out), "--boot", "0",
                              "--segment", "region=north"])
    assert res.exit_code == 2 and "3 respondents" in res.output
    res = runner.invoke(app, ["drivers", str(flagship_path), str(csv), "--json", str(out), "--boot", "0",
                              "--target", "expectation"])
    assert res.exit_code == 2 and "not endogenous" in res.output
    res = runner.invoke(app, ["drivers", str(flagship_path), str(csv), "--json", str(out), "--boot", "0"])
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["repurchase_logit"] == [] and any("repurchased_90d" in n for n in d["notes"])


def test_cli_drivers_from_database(flagship_path, flagship, tmp_path):
    from csi.io import read_responses
    from csi.store import close_store, open_store

    frame, _ = simulate_responses(flagship, n=300, seed=5)
    csv = tmp_path / "r.csv"
    write_plain_csv(frame, csv)
    imp = read_responses(csv, flagship)
    url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
    store = open_store(url)
    store.save_survey(flagship)
    store.import_frame(flagship, imp.valid, source_name="r.csv", file_hash=imp.file_hash)
    out = tmp_path / "d.json"
    try:
        res = CliRunner().invoke(app, ["drivers", str(flagship_path), "--db", url, "--json", str(out),
                                       "--boot", "0"])
    finally:
        close_store(url)
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["n"] == 300 and d["ipma"] and d["repurchase_logit"]


def test_resampling_parameters_are_checked(flagship, sim):
    frame, _ = sim
    with pytest.raises(ParameterError, match="'n_boot' parameter of importance_performance must be an int"):
        importance_performance(flagship, frame, n_boot=-1)
    with pytest.raises(ParameterError, match="'alpha' parameter of relative_importance"):
        relative_importance(flagship, frame, alpha=0.7)
    with pytest.raises(ParameterError, match="'n_perm' parameter of compare_groups"):
        compare_groups(flagship, frame, "channel", "jd", "tmall", n_perm=1.5)


def test_ipma_importance_equals_engine_total_effect_rescaled(flagship, sim):
    # 0-100 scores are affine in the standardized scores, so the unstandardized total effect
    # from the score regressions = the engine's standardized total effect x sd(target)/sd(driver).
    from csi.estimate.fit import fit

    # (an identity of complete-data scores: with missing="em" an incomplete respondent's
    # score uses renormalised weights, so the fit is listwise here)
    frame, _ = sim
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        res = fit(flagship, frame, n_boot=60, seed=0, missing="listwise")
    t = importance_performance(flagship, frame, res, level="construct", ci_source="engine")
    sd = res.scores.std(ddof=1)
    te = res.total_effects.set_index(["source", "target"])["estimate"]
    for r in t.itertuples():
        assert r.importance == pytest.approx(te[(r.name, "loyalty")] * sd["loyalty"] / sd[r.name], rel=1e-6)
        assert r.importance_ci_low <= r.importance <= r.importance_ci_high
    with pytest.raises(ParameterError, match="ci_source"):
        importance_performance(flagship, frame, res, ci_source="magic")


def test_ipma_by_group(flagship, sim):
    from csi.drivers import ipma_by_group

    frame, _ = sim
    t = ipma_by_group(flagship, frame, "channel", n_boot=0)
    assert set(t["group"]) == {"jd", "taobao", "tmall"}
    assert set(t["name"]) == {"expectation", "quality", "value", "satisfaction"}
    frame = frame.copy()
    frame.loc[frame.index[:3], "region"] = "nowhere"
    with pytest.warns(SmallSampleWarning, match="nowhere \\(n=3\\) left out"):
        t = ipma_by_group(flagship, frame, "region", n_boot=0)
    assert "nowhere" not in set(t["group"])


def test_cli_drivers_without_json_prints_the_summary(flagship_path, flagship, tmp_path):
    """Issue 17: `csi drivers` without --json prints what to fix first and writes no file."""
    frame, _ = simulate_responses(flagship, n=400, seed=5)
    csv = tmp_path / "r.csv"
    write_plain_csv(frame, csv)
    res = CliRunner().invoke(app, ["drivers", str(flagship_path), str(csv), "--boot", "0"])
    assert res.exit_code == 0, res.output
    assert "respondents; fix first:" in res.output and "wrote" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_what_if_resample_from_counts_equals_the_copied_rows():
    """A bootstrap resample evaluated from per-respondent counts (weighted means, cross-products
    and logit) gives the numbers of the same resample's rows copied out (what_if's bootstrap)."""
    from csi.drivers.whatif import _scenario

    rng = np.random.default_rng(5)
    n = 400
    a = rng.uniform(20, 90, n)
    lv1, lv2 = rng.uniform(10, 95, n), rng.uniform(10, 95, n)
    b = np.clip(0.5 * a + 0.2 * lv1 + rng.normal(0, 8, n), 0, 100)
    y = (rng.random(n) < 1 / (1 + np.exp(-(b - 50) / 15))).astype(float)
    x = np.column_stack([a, b, lv1, lv2, y])
    args = (["a", "b", "lv1", "lv2", "y"], [("a", "b")], ["b"], ["lv1", "lv2"], {"a": 5.0, "lv1": 3.0}, "b", "y")
    draws = rng.integers(0, n, n)
    rows = _scenario(x[draws], *args)
    counts = _scenario(x, *args, w=np.bincount(draws, minlength=n).astype(float))
    assert rows.keys() == counts.keys() == {"b", "repurchase_probability"}
    for k in rows:
        np.testing.assert_allclose(counts[k], rows[k], rtol=1e-9)
