"""Higher-order constructs declared in the survey YAML (``higher_order:``): parsed, checked with
file positions, and turned into :func:`fit_higher_order`'s model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.errors import ParameterError, SurveySpecError
from csi.estimate.pls.higher_order import fit_higher_order, higher_order_model
from csi.survey import load_survey
from csi.survey.model import ItemSpec


def _survey(tmp_path, root, block: str):
    text = (root / "surveys" / "ecommerce_csi.yaml").read_text(encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
    return path, len(text.rstrip("\n").splitlines())


def test_yaml_higher_order_is_fitted(tmp_path, root):
    path, _ = _survey(tmp_path, root, "higher_order:\n  - {id: offer, dimensions: [quality, value]}\n")
    survey = load_survey(path)
    assert [(h.id, h.dimensions, h.mode, h.method) for h in survey.higher_order] == [
        ("offer", ["quality", "value"], "reflective", "disjoint")]
    kw = higher_order_model(survey)
    assert kw["hocs"] == {"offer": ["quality", "value"]}
    assert not any(d in p for p in kw["paths"] for d in ("quality", "value"))
    assert ("offer", "satisfaction") in kw["paths"] and ("expectation", "offer") in kw["paths"]
    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    res = fit_higher_order(data=frame, **kw)
    got = set(zip(res.paths["source"], res.paths["target"], strict=True))
    assert ("offer", "satisfaction") in got
    assert set(res.higher_order["loadings"]["construct"]) == {"offer"}


@pytest.mark.parametrize(("block", "message"), [
    ("higher_order:\n  - {id: satisfaction, dimensions: [quality, value]}\n", "already a construct with items"),
    ("higher_order:\n  - {id: offer, dimensions: [quality, valeu]}\n", "unknown construct 'valeu'"),
    ("higher_order:\n  - {id: offer, dimensions: [quality, complaint]}\n", "'complaint' is a binary construct"),
    ("higher_order:\n  - {id: offer, dimensions: [quality]}\n", "higher_order[0].dimensions"),
    ("higher_order:\n  - {id: a, dimensions: [quality, value]}\n  - {id: b, dimensions: [value, expectation]}\n",
     "'value' is already a dimension of 'a'"),
    ("higher_order:\n  - {id: a, dimensions: [quality, value], method: embedded}\n"
     "  - {id: b, dimensions: [expectation, loyalty]}\n", "must share one method"),
])
def test_bad_higher_order_is_located(tmp_path, root, block, message):
    path, n = _survey(tmp_path, root, block)
    with pytest.raises(SurveySpecError) as exc:
        load_survey(path)
    text = str(exc.value)
    assert message in text and "higher_order" in text
    assert f"{path}:{n + 2}:" in text or f"{path}:{n + 1}:" in text or f"{path}:{n + 3}:" in text


def test_no_block_no_model(flagship):
    with pytest.raises(ParameterError, match="declares no higher-order construct"):
        higher_order_model(flagship)


@pytest.mark.parametrize("method", ["disjoint", "embedded", "repeated"])
def test_binary_complaint_construct_stays_in_the_structural_model(tmp_path, root, method):
    """The survey's complaint construct (one 0/1 item) keeps its paths satisfaction -> complaint
    -> loyalty in a HOC model (it used to be dropped with them, silently changing the model).
    Complaint's only predictor is satisfaction, so that standardized path is the correlation
    of satisfaction's score with the complaint item: a check of how the 0/1 item entered."""
    path, _ = _survey(tmp_path, root, f"higher_order:\n  - {{id: offer, dimensions: [quality, value], method: {method}}}\n")
    survey = load_survey(path)
    kw = higher_order_model(survey)
    assert kw["binary"] == ["complaint"] and "complaint" in kw["blocks"]
    assert ("satisfaction", "complaint") in kw["paths"] and ("complaint", "loyalty") in kw["paths"]
    assert (kw["items"]["cc1"].scale_min, kw["items"]["cc1"].scale_max) == (0, 1)
    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    res = fit_higher_order(data=frame, **kw)
    got = res.paths.set_index(["source", "target"])["estimate"]
    assert ("complaint", "loyalty") in got.index
    last = res.stage2 if res.stage2 is not None else res.stage1
    sat, cc = last.scores_["satisfaction"], last.scores_["complaint"]
    assert abs(got[("satisfaction", "complaint")] - float(np.corrcoef(sat, cc)[0, 1])) < 1e-8
    used = frame.loc[sat.index, "cc1"]  # the complaint score is the standardized 0/1 answer
    assert abs(abs(float(np.corrcoef(cc, used)[0, 1])) - 1) < 1e-10


def test_binary_construct_cannot_be_a_dimension_in_the_api(root):
    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    blocks = {"quality": ["pq1", "pq2", "pq3"], "complaint": ["cc1"], "loyalty": ["cl1", "cl2"]}
    items = {"cc1": ItemSpec("cc1", 0, 1)}
    with pytest.raises(ParameterError, match="complaint is a binary \\(0/1\\) construct and cannot be a dimension"):
        fit_higher_order(blocks, [("h", "loyalty")], {"h": ["quality", "complaint"]}, frame, scale=(1, 10),
                         items=items, binary=["complaint"])
    with pytest.raises(ParameterError, match="binary construct 'complaint': its item 'cc1' has scale 1..10"):
        fit_higher_order(blocks, [("h", "loyalty")], {"h": ["quality", "loyalty"]}, frame, scale=(1, 10),
                         binary=["complaint"])


def test_reverse_coded_items_are_recoded_once(root):
    """An item flagged reverse in ``items`` equals the same data reversed by hand (11 - x on 1-10)."""
    raw = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    frame = raw[["pq1", "pq2", "pq3", "pv1", "pv2", "cl1", "cl2"]].where(lambda d: d <= 10)  # 99: don't know
    blocks = {"quality": ["pq1", "pq2", "pq3"], "value": ["pv1", "pv2"], "loyalty": ["cl1", "cl2"]}
    hocs, paths = {"offer": ["quality", "value"]}, [("offer", "loyalty")]
    flipped = frame.assign(pq2=11 - frame["pq2"])
    for method in ("disjoint", "repeated"):
        a = fit_higher_order(blocks, paths, hocs, flipped, scale=(1, 10), method=method, missing="mean",
                             items={"pq2": ItemSpec("pq2", 1, 10, reverse=True)})
        b = fit_higher_order(blocks, paths, hocs, frame, scale=(1, 10), method=method, missing="mean")
        np.testing.assert_allclose(a.paths["estimate"], b.paths["estimate"], atol=1e-12)
        # paths do not see a flipped Mode A item (its weight flips too); its loading does
        la, lb = (r.lower_order["loadings"].set_index("item")["estimate"] for r in (a, b))
        assert lb["pq2"] > 0.5
        np.testing.assert_allclose(la.to_numpy(), lb.to_numpy(), atol=1e-12)
