"""compare_groups runs MICOM first and Holm-corrects the segment-difference p-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.drivers.complaints import _holm
from csi.drivers.segments import compare_groups
from csi.estimate.analysis.micom import micom


def test_holm_and_micom_columns(flagship, root):
    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    out = compare_groups(flagship, frame, "channel", "jd", "tmall", n_perm=99, n_boot=20, seed=0)
    fin = out["p_value"].notna().to_numpy()
    np.testing.assert_allclose(out.loc[fin, "p_adjusted"], _holm(out.loc[fin, "p_value"].to_numpy(float)))
    assert (out.loc[fin, "p_adjusted"] >= out.loc[fin, "p_value"]).all()
    mic = micom(flagship.to_model(), frame, frame["channel"].astype("string"), "jd", "tmall", n_perm=99, seed=0)
    verdict = dict(zip(mic["construct"], mic["verdict"], strict=True))
    cons = out[out["kind"] == "construct"].set_index("name")["invariance"]
    assert cons.to_dict() == {c: verdict[c] for c in cons.index}
    rank = {"none": 0, "partial": 1, "full": 2}
    for name, v in out.loc[out["kind"] == "path", ["name", "invariance"]].itertuples(index=False):
        s, t = name.split("->")
        assert v == min(verdict[s], verdict[t], key=rank.get)
    assert out.loc[out["kind"] == "lever", "invariance"].isna().all()


def test_holm_by_hand():
    # p = (0.01, 0.04, 0.03): sorted 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06
    assert _holm(np.array([0.01, 0.04, 0.03])).tolist() == pytest.approx([0.03, 0.06, 0.06])
