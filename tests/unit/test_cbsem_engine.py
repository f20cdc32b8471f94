"""The ML engine on hand-checkable cases and its input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.errors import DataError, ParameterError
from csi.estimate.cbsem.engine import fit_sem


@pytest.fixture(scope="module")
def xy() -> pd.DataFrame:
    # 6 respondents; x = (1..6), y chosen by hand
    return pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "y": [2.0, 1, 4, 3, 6, 5]})


def test_observed_regression_is_ols(xy):
    # deviations x: -2.5 -1.5 -.5 .5 1.5 2.5; y: -1.5 -2.5 .5 -.5 2.5 1.5
    # sum of products 14.5, sums of squares 17.5 and 17.5 (N divisor 6):
    # slope = 14.5/17.5 = 0.828571 = corr(x, y) = standardized slope (equal variances);
    # residual variance = var(y) (1 - r^2) = (17.5/6) (1 - 0.686531) = 0.914286
    r = 14.5 / 17.5
    sf = fit_sem("y ~ x", xy)
    p = sf.params.set_index(["lhs", "op", "rhs"])
    assert p.loc[("y", "~", "x"), "estimate"] == pytest.approx(r, abs=1e-8)
    assert p.loc[("y", "~", "x"), "estimate_std"] == pytest.approx(r, abs=1e-8)
    assert p.loc[("y", "~~", "y"), "estimate"] == pytest.approx(17.5 / 6 * (1 - r**2), abs=1e-8)
    assert p.loc[("y", "~~", "y"), "estimate_std"] == pytest.approx(1 - r**2, abs=1e-8)
    # SE of the slope under ML (N divisor): sqrt(resid_var / (N var(x)))
    se = np.sqrt(17.5 / 6 * (1 - r**2) / (6 * 17.5 / 6))
    assert p.loc[("y", "~", "x"), "se"] == pytest.approx(se, abs=1e-8)
    assert sf.converged and sf.fmin == pytest.approx(0.0, abs=1e-12)


def test_unparsable_description(xy):
    with pytest.raises(ParameterError, match="cannot parse the CB-SEM model description"):
        fit_sem("y ~~ x ~ z", xy)


def test_unknown_variable(xy):
    with pytest.raises(DataError, match="no column for observed variable"):
        fit_sem("y ~ x + z", xy)


def test_missing_values_refused(xy):
    with pytest.raises(DataError, match="CB-SEM needs complete data"):
        fit_sem("y ~ x", xy.assign(y=[2.0, np.nan, 4, 3, 6, 5]))


@pytest.mark.parametrize("bad", [0, 2.5, "4"])
def test_max_starts(xy, bad):
    with pytest.raises(ParameterError, match=r"'max_starts' parameter of fit_sem must be an int"):
        fit_sem("y ~ x", xy, max_starts=bad)
