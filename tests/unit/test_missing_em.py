"""Pattern moments, EM, the compiled kernel, renormalised scores and the missing policies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.errors import DataError, ParameterError
from csi.estimate.fit import fit, fit_strata
from csi.estimate.missing import PatternMoments, em, em_batch, em_kernel, em_lockstep, pattern_codes
from csi.estimate.missing.scores import renormalised_index_scores, renormalised_std_scores
from csi.survey.model import ModelSpec

LAV = "A =~ a1 + a2 + a3\nB =~ b1 + b2\nB ~ A\n"
CORP = Path(__file__).resolve().parents[1] / "data" / "corp_rep"


def sim(n=400, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    cols = {f"a{i}": np.clip(np.round(4 + 1.2 * z + rng.normal(size=n)), 1, 7) for i in (1, 2, 3)}
    w = 0.6 * z + 0.8 * rng.normal(size=n)
    cols |= {f"b{i}": np.clip(np.round(4 + 1.2 * w + rng.normal(size=n)), 1, 7) for i in (1, 2)}
    return pd.DataFrame(cols)


def with_mar(d, seed=1, share=0.25):
    rng = np.random.default_rng(seed)
    out = d.copy()
    high = (d["a1"] > d["a1"].median()).to_numpy()
    for c in ("a2", "b1", "b2"):
        out.loc[high & (rng.random(len(d)) < 2 * share), c] = np.nan
    return out


def test_pattern_moments_by_hand():
    # rows (1,2), (2,NaN), (3,4), (NaN,6): patterns {a,b} x2, {a} x1, {b} x1; centre (0, 0)
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [2.0, np.nan, 4.0, 6.0]})
    pm, codes = PatternMoments.from_arrays(df.to_numpy(), ["a", "b"], center=np.zeros(2))
    assert pm.masks.tolist() == [[True, True], [True, False], [False, True]]
    assert codes.tolist() == [0, 1, 0, 2] and pm.n.tolist() == [2.0, 1.0, 1.0]
    assert pm.sums.tolist() == [[4.0, 6.0], [2.0, 0.0], [0.0, 6.0]]
    # complete pattern: a: 1+9, ab: 2+12, b: 4+16
    assert pm.cross[0].tolist() == [[10.0, 14.0], [14.0, 20.0]]
    assert pm.cross[2].tolist() == [[0.0, 0.0], [0.0, 36.0]]
    w = PatternMoments.from_arrays(df.to_numpy(), ["a", "b"], weights=np.array([2.0, 1, 1, 3]),
                                   center=np.zeros(2))[0]
    assert w.n.tolist() == [3.0, 1.0, 3.0] and w.sums[0].tolist() == [5.0, 8.0] and w.n_rows.tolist() == [2, 1, 1]
    assert pattern_codes(np.ones((2, 2), bool))[0].tolist() == [0, 0]


def test_em_on_complete_data_is_the_ml_moments():
    x = sim().to_numpy()
    r = em(PatternMoments.from_frame(pd.DataFrame(x)))
    np.testing.assert_allclose(r.mean, x.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(r.cov, np.cov(x.T, ddof=0), atol=1e-12)
    np.testing.assert_allclose(r.cov_unbiased(), np.cov(x.T), atol=1e-12)


def test_em_errors_name_the_item():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan, np.nan, np.nan]})
    with pytest.raises(DataError, match="item 'b' has no answers"):
        em(PatternMoments.from_frame(df))
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0, 5.0, np.nan, 5.0]})
    with pytest.raises(DataError, match="item 'b' is constant"):
        em(PatternMoments.from_frame(df))


def test_kernel_equals_numpy_em_batch():
    d = with_mar(sim(600)).to_numpy()
    pm = PatternMoments.from_arrays(d, list("abcde"))[0]
    rng = np.random.default_rng(0)
    B = 7
    scale = rng.uniform(0.5, 1.5, size=(B, pm.n_patterns))  # resample-like reweighting
    n, sums, cross = pm.n * scale, pm.sums * scale[..., None], pm.cross * scale[..., None, None]
    start = em(pm)
    d0, S0 = start.mean - pm.center, start.cov
    a = em_batch(n, sums, cross, pm.masks, d0=d0, cov0=S0, tol=1e-10)
    p = len(pm.items)
    iu, ju = np.triu_indices(p)
    full = np.empty((p, p), dtype=np.int64)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    M = np.concatenate([n[..., None], sums, cross[..., iu, ju]], axis=2)
    b = em_kernel.em_chunk(M, pm.masks, full, d0, S0, 1e-10, 1000)
    np.testing.assert_allclose(a[0], b[0], atol=1e-10)
    np.testing.assert_allclose(a[1], b[1], atol=1e-10)
    assert a[3].all() and b[3].all()


def _resample_like(pm, B=7, seed=0):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.5, 1.5, size=(B, pm.n_patterns))  # resample-like reweighting
    return pm.n * scale, pm.sums * scale[..., None], pm.cross * scale[..., None, None]


def test_lockstep_solver_reaches_em_batch_fixed_point():
    d = with_mar(sim(600)).to_numpy()
    pm = PatternMoments.from_arrays(d, list("abcde"))[0]
    n, sums, cross = _resample_like(pm)
    start = em(pm, tol=1e-12)
    d0, S0 = start.mean - pm.center, start.cov
    a = em_batch(n, sums, cross, pm.masks, d0=d0, cov0=S0, tol=1e-12)
    iu, ju = np.triu_indices(5)
    M = np.concatenate([n[..., None], sums, cross[..., iu, ju]], axis=2).transpose(1, 0, 2)  # (P, B, q)
    plain = em_lockstep.solve(M, pm.masks, d0, S0, tol=1e-12, max_iter=1000)
    np.testing.assert_allclose(plain[0], a[0], atol=1e-10)
    np.testing.assert_allclose(plain[1], a[1], atol=1e-10)
    np.testing.assert_array_equal(plain[2], a[2])  # the same EM steps, one by one
    M1 = np.concatenate([[pm.n], pm.sums.T, pm.cross[:, iu, ju].T]).T[:, None, :]
    A = em_lockstep.jacobian_inverse(M1, pm.masks, d0, S0)
    jump = em_lockstep.solve(M, pm.masks, d0, S0, A=A, tol=1e-12, max_iter=1000)
    np.testing.assert_allclose(jump[0], a[0], atol=1e-9)
    np.testing.assert_allclose(jump[1], a[1], atol=1e-9)
    assert jump[3].all() and (jump[2] < a[2]).all()  # fewer EM steps to the same fixed point
    one = em_lockstep.solve(M, pm.masks, d0, S0, tol=0.0, max_iter=1)  # one step = em_batch's first
    b1 = em_batch(n, sums, cross, pm.masks, d0=d0, cov0=S0, tol=0.0, max_iter=1)
    np.testing.assert_allclose(one[1], b1[1], atol=1e-12)


def test_em_bootstrap_compiled_equals_numpy(monkeypatch):
    d = with_mar(sim())
    a = fit(LAV, d, scale=(1, 7), n_boot=60, seed=5)
    monkeypatch.setitem(em_lockstep._STATE, "ok", False)  # the numpy em_batch path
    b = fit(LAV, d, scale=(1, 7), n_boot=60, seed=5)
    for key in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(a.path_coefficients[key], b.path_coefficients[key], atol=2e-5)


def test_bca_with_em_uses_the_em_jackknife():
    d = with_mar(sim(120), share=0.2)
    res = fit(LAV, d, scale=(1, 7), n_boot=300, seed=2, ci="bca")
    jk = res.extra["jackknife"]["paths"][:, 0]
    assert len(jk) == 120 and np.isfinite(jk).all()
    # each jackknife replicate is the EM fit without one respondent
    for r in (0, 37, 101):
        loo = fit(LAV, d.drop(index=r), scale=(1, 7), n_boot=0).path_coefficients["estimate"].iloc[0]
        assert np.min(np.abs(jk - loo)) < 1e-5
    pct = fit(LAV, d, scale=(1, 7), n_boot=300, seed=2, ci="percentile").path_coefficients.iloc[0]
    row = res.path_coefficients.iloc[0]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert (row["ci_low"], row["ci_high"]) != (pct["ci_low"], pct["ci_high"])  # the BCa adjustment


def test_renormalised_scores_by_hand():
    # u = (0.25, 0.75) on 1-5: complete row (5, 1) -> 100*(0.25*4 + 0)/4 = 25; (NaN, 3) -> 50
    x = np.array([[5.0, 1.0], [np.nan, 3.0], [np.nan, np.nan]])
    s = renormalised_index_scores(x, np.array([0.25, 0.75]), np.ones((2, 1)), np.ones(2), np.full(2, 5.0))
    assert s[0, 0] == 25.0 and s[1, 0] == 50.0 and np.isnan(s[2, 0])
    # standardized: W = (0.5, 0.5); (NaN, z=1) -> 0.5 * 1 * (1.0 / 0.5) = 1
    z = renormalised_std_scores(np.array([[np.nan, 2.0]]), np.array([[0.5], [0.5]]), np.ones(2), np.ones(2))
    assert z[0, 0] == 1.0


def test_em_fit_scores_every_respondent_and_reports():
    d = with_mar(sim())
    res = fit(LAV, d, scale=(1, 7), n_boot=0)
    m = res.missing
    assert set(m) == {"policy", "n_total", "n_used", "by_type", "by_item", "em"}
    assert set(m["by_type"]) == {"dont_know", "not_shown", "skipped", "no_answer"}
    assert m["policy"] == "em" and m["n_total"] == m["n_used"] == 400 == res.n_obs
    assert m["by_type"]["no_answer"] == int(d.isna().sum().sum())
    assert m["by_item"]["b1"]["no_answer"] == int(d["b1"].isna().sum())
    assert m["em"]["converged"] and m["em"]["iterations"] > 1
    none_b = d[["b1", "b2"]].isna().all(axis=1)  # a whole block unanswered: no score
    assert len(res.scores) == 400 and res.scores["A"].notna().all()
    assert res.scores["B"].isna().equals(none_b) and res.std_scores["B"].isna().equals(none_b)


def test_em_bootstrap_reproducible_weighted_and_stratified():
    d = with_mar(sim())
    a = fit(LAV, d, scale=(1, 7), n_boot=200, seed=3)
    b = fit(LAV, d, scale=(1, 7), n_boot=200, seed=3)
    pd.testing.assert_frame_equal(a.path_coefficients, b.path_coefficients)
    row = a.path_coefficients.iloc[0]
    assert row["ci_low"] < row["estimate"] < row["ci_high"] and a.extra["bootstrap"]["n_valid"] == 200
    w = np.random.default_rng(0).uniform(0.5, 2, len(d))
    wr = fit(LAV, d, scale=(1, 7), n_boot=100, seed=3, weights=w)
    assert wr.path_coefficients["se"].notna().all()
    st = fit(LAV, d.assign(wave=np.repeat(["w1", "w2"], 200)), scale=(1, 7), n_boot=100, seed=3, strata="wave")
    assert st.path_coefficients["se"].notna().all()
    sf = fit_strata(LAV, d.assign(wave=np.repeat(["w1", "w2"], 200)), "wave", scale=(1, 7), n_boot=100, seed=3)
    assert set(sf.groups) == {"w1", "w2"} and sf.groups["w1"].missing["policy"] == "em"
    assert sf.groups["w1"].path_coefficients["se"].notna().all()


def test_policies_that_cannot_apply_are_refused():
    d = with_mar(sim())
    with pytest.raises(ParameterError, match="missing='fiml'.*for method='cbsem'"):
        fit(LAV, d, scale=(1, 7), n_boot=0, missing="fiml")
    with pytest.raises(ParameterError, match="must be a str among"):
        fit(LAV, d, scale=(1, 7), missing="drop")


def test_structurally_missing_item_needs_a_rule(flagship):
    from csi.survey.model import ItemSpec

    m = ModelSpec.from_blocks({"a": ["a1", "a2", "a3"], "b": ["b1", "b2"]}, [("a", "b")], scale=(1, 7))
    items = dict(m.items)
    items["b2"] = ItemSpec("b2", 1, 7, shown_if="cc1 == 1")
    gated = ModelSpec(m.constructs, m.paths, items)
    with pytest.raises(DataError, match=r"item 'b2' of construct 'b' is shown only when cc1 == 1.*not_shown: impute"):
        fit(gated, sim(), n_boot=0)
    items["b2"] = ItemSpec("b2", 1, 7, shown_if="cc1 == 1", not_shown="impute")
    assert fit(ModelSpec(m.constructs, m.paths, items), sim(), n_boot=0).converged


@pytest.mark.filterwarnings("ignore::csi.errors.MissingDataWarning")  # listwise drops > 5%, by design here
@pytest.mark.parametrize("rule", ["impute", "listwise", "em", "fiml", "pairwise", "mean"])
def test_not_shown_rules(rule):
    from csi.survey.model import ItemSpec

    m = ModelSpec.from_blocks({"a": ["a1", "a2", "a3"], "b": ["b1", "b2"]}, [("a", "b")], scale=(1, 7))
    items = dict(m.items)
    items["b2"] = ItemSpec("b2", 1, 7, shown_if="a1 >= 4", not_shown=rule)
    gated = ModelSpec(m.constructs, m.paths, items)
    d = sim()
    shown = d["a1"] >= 4
    d.loc[~shown, "b2"] = np.nan  # not shown: missing by design (MAR given a1)
    d.loc[d.index[::17], "a2"] = np.nan  # other gaps, handled by the fit's policy
    allowed = {"impute": ["em", "pairwise", "mean", "listwise"], "listwise": ["em", "mean", "listwise"],
               "em": ["em"], "fiml": ["em"], "pairwise": ["pairwise"], "mean": ["mean"]}[rule]
    for policy in ("em", "pairwise", "mean", "listwise"):
        if policy not in allowed:
            if rule != "listwise":
                with pytest.raises(DataError, match=rf"item 'b2' of construct 'b' .*not_shown: {rule}.*"
                                                    rf"missing={policy!r}"):
                    fit(gated, d, n_boot=0, missing=policy)
            continue
        res = fit(gated, d, n_boot=0, missing=policy)
        if rule == "listwise" or policy == "listwise":
            n_shown_complete = int(shown.sum()) if policy != "listwise" else int((shown & d["a2"].notna()).sum())
            assert res.missing["n_used"] == n_shown_complete and res.missing["n_total"] == 400
            if rule == "listwise" and policy == "em":  # EM within the shown subgroup = its own EM fit
                alone = fit(m, d[shown], n_boot=0, missing="em")
                np.testing.assert_allclose(res.path_coefficients["estimate"], alone.path_coefficients["estimate"],
                                           atol=1e-10)
        elif policy == "em":
            assert res.missing["n_used"] == 400


def test_held_out_real_data_recovered_within_002():
    # corporate-reputation data (Hair et al.; SEMinR's corp_rep), its 336 complete respondents;
    # 10% of the answers deleted MAR (only where the first item is at or above its median), 20
    # times: the EM paths' average deviation from the complete-data paths (the bias; one
    # injection's deviation is mostly sampling noise at this n) stays below 0.02, mean
    # replacement's does not.
    ref = json.loads((CORP / "reference.json").read_text())["simple_model"]
    m = ModelSpec.from_blocks(ref["blocks"], [(p["source"], p["target"]) for p in ref["paths"]],
                              scale=(1, 7), missing_codes=(-99,))
    raw = pd.read_csv(CORP / "corp_rep_data.csv")
    items = list(m.item_ids)
    full = raw.loc[~raw[items].isin([-99]).any(axis=1)].reset_index(drop=True)
    base = fit(m, full, n_boot=0, missing="listwise").path_coefficients["estimate"].to_numpy()
    high = (full[items[0]] >= full[items[0]].median()).to_numpy()
    dev = {"em": [], "mean": []}
    for seed in range(20):
        rng = np.random.default_rng(seed)
        d = full.copy()
        for c in items[1:]:
            d.loc[high & (rng.random(len(d)) < 0.2), c] = np.nan
        for pol in dev:
            res = fit(m, d, n_boot=0, missing=pol)
            dev[pol].append(res.path_coefficients["estimate"].to_numpy() - base)
        assert res.missing["n_used"] == len(full)
    assert np.abs(np.mean(dev["em"], axis=0)).max() < 0.02
    assert np.abs(np.mean(dev["mean"], axis=0)).max() > 0.03


def test_not_shown_rule_in_the_survey_yaml(flagship_path, tmp_path):
    import re

    from csi.errors import SurveySpecError
    from csi.survey import load_survey

    text = flagship_path.read_text(encoding="utf-8")
    cons = text.index("\nconstructs:")
    m = re.compile(r"\n( +)- id: (\w+)\n").search(text, cons)  # the first item of the first construct
    ind, item = " " * (len(m.group(1)) + 2), m.group(2)
    rule = f"{ind}show_if: {{field: cc1, equals: 1}}\n{ind}not_shown: listwise\n"
    good = text[:m.end()] + rule + text[m.end():]
    (tmp_path / "s.yaml").write_text(good, encoding="utf-8")
    spec = load_survey(tmp_path / "s.yaml").to_model().items[item]
    assert spec.not_shown == "listwise" and spec.shown_if == "cc1 == 1"
    line = text[:m.end()].count("\n") + 2
    (tmp_path / "b.yaml").write_text(good.replace("not_shown: listwise", "not_shown: drop"), encoding="utf-8")
    with pytest.raises(SurveySpecError) as exc:
        load_survey(tmp_path / "b.yaml")
    assert f"b.yaml:{line}:" in str(exc.value) and "not_shown" in str(exc.value)
    # no rule: estimation refuses the item, pointing at its show_if in the YAML
    (tmp_path / "n.yaml").write_text(good.replace(f"{ind}not_shown: listwise\n", ""), encoding="utf-8")
    model = load_survey(tmp_path / "n.yaml").to_model()
    col = len(ind) + 1
    with pytest.raises(DataError, match=rf"^{re.escape(str(tmp_path / 'n.yaml'))}:{line - 1}:{col}: item {item!r}"):
        fit(model, pd.DataFrame({it: [1.0] * 5 for it in model.item_ids}), n_boot=0)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_stage, stage_bytes", [(128, 4 * 2**20), (3, 1)])
def test_pattern_sums_row_pass_equals_the_gathers(monkeypatch, weighted, n_stage, stage_bytes):
    """The compiled row pass equals the per-pattern gathers; (3, 1): only the first 3 patterns
    staged, in stages of 8 rows (many BLAS flushes), the other patterns added row by row."""
    from csi.estimate.missing import patterns

    monkeypatch.setattr(em_kernel, "_N_STAGE", n_stage)
    monkeypatch.setattr(em_kernel, "_STAGE_BYTES", stage_bytes)

    rng = np.random.default_rng(4)
    x = np.round(rng.normal(4, 1.5, size=(3000, 6)))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[7] = np.nan  # a respondent with no answer
    w = rng.uniform(0.5, 2.0, len(x)) if weighted else None
    c = np.full(6, 4.0)
    monkeypatch.setattr(patterns, "_ROW_PASS", 10**9)  # per-pattern gathers and products
    a, ca = PatternMoments.from_arrays(np.asfortranarray(x), list("abcdef"), w, center=c)
    monkeypatch.setattr(patterns, "_ROW_PASS", 0)  # compiled passes over the rows (keys, sums)
    b, cb = PatternMoments.from_arrays(np.asfortranarray(x), list("abcdef"), w, center=c)
    bc, cbc = PatternMoments.from_arrays(np.ascontiguousarray(x), list("abcdef"), w, center=c)
    assert em_kernel.available()
    np.testing.assert_array_equal(ca, cb)
    np.testing.assert_array_equal(ca, cbc)
    np.testing.assert_array_equal(a.masks, b.masks)
    np.testing.assert_allclose(b.cross, bc.cross, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(a.n_rows, b.n_rows)
    assert a.n_empty == b.n_empty == 1
    for f in ("n", "sums", "cross"):
        np.testing.assert_allclose(getattr(a, f), getattr(b, f), rtol=1e-12, atol=1e-9)


def test_fewer_respondents_than_items_is_a_regularised_em_with_a_warning():
    """n = 8 respondents for 12 items (a filtered handful): the covariance is singular, so EM
    inverts it with a small ridge, says so (EMResult.ridge, SmallSampleWarning) and stays finite;
    with enough respondents no ridge is used."""
    from csi.errors import SmallSampleWarning
    from csi.estimate.missing import PatternMoments, em
    from csi.estimate.missing.em import SINGULAR_RIDGE

    rng = np.random.default_rng(4)
    z = rng.normal(size=(8, 1))
    x = z + 0.5 * rng.normal(size=(8, 12))
    x[0, 3] = x[2, 7] = x[5, 0] = np.nan
    r = em(PatternMoments.from_frame(pd.DataFrame(x)))
    assert r.ridge == SINGULAR_RIDGE
    assert np.all(np.isfinite(r.mean)) and np.all(np.isfinite(r.cov))
    assert np.linalg.eigvalsh(r.cov).min() > -1e-9  # still a covariance
    big = np.vstack([x, z.repeat(30, axis=0)[:30] + 0.5 * rng.normal(size=(30, 12))])
    assert em(PatternMoments.from_frame(pd.DataFrame(big))).ridge == 0.0
    model = "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2 + b3 + b4\nC =~ c1 + c2 + c3 + c4\nB ~ A\nC ~ A + B\n"
    items = [f"{c}{i}" for c in "abc" for i in range(1, 5)]
    small = pd.DataFrame(np.clip(np.round(4 + 1.5 * x), 1, 7), columns=items)
    with pytest.warns(SmallSampleWarning, match="regularised EM"):
        res = fit(model, small, scale=(1, 7), n_boot=0, missing="em")
    assert np.all(np.isfinite(res.index["score"]))


def test_one_pass_pattern_sums_fall_back_on_two_passes_beyond_capacity(monkeypatch):
    # more patterns than the one-pass hash table holds: the two-pass kernels give the same result
    from functools import partial

    from csi.estimate.missing import patterns

    rng = np.random.default_rng(6)
    x = np.round(rng.normal(4, 1.5, size=(2000, 7)))
    x[rng.random(x.shape) < 0.2] = np.nan
    c = np.full(7, 4.0)
    monkeypatch.setattr(patterns, "_ROW_PASS", 0)
    a, ca = PatternMoments.from_arrays(x, list("abcdefg"), center=c)
    assert a.n_patterns > 5
    monkeypatch.setattr(em_kernel, "keyed_pattern_sums", partial(em_kernel.keyed_pattern_sums, capacity=5))
    assert em_kernel.keyed_pattern_sums(x, c, None) is None
    b, cb = PatternMoments.from_arrays(x, list("abcdefg"), center=c)
    np.testing.assert_array_equal(ca, cb)
    np.testing.assert_array_equal(a.masks, b.masks)
    for f in ("n", "sums", "cross"):
        np.testing.assert_allclose(getattr(a, f), getattr(b, f), rtol=1e-12, atol=1e-9)
