"""Higher-order constructs declared in the survey YAML (``higher_order:``): parsed, checked with
file positions, and turned into :func:`fit_higher_order`'s model."""

from __future__ import annotations

import pandas as pd
import pytest

from csi.errors import ParameterError, SurveySpecError
from csi.estimate.pls.higher_order import fit_higher_order, higher_order_model
from csi.survey import load_survey


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
