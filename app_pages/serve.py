"""Start the dashboard with its heavy modules loaded first: ``python -m app_pages.serve [ARGS]``.

The same as ``streamlit run app.py [ARGS]`` (every argument is passed on), except that before
the server listens this process imports what the Overview needs (plotly, scipy.stats, the csi
estimators, drivers and report builders) and runs a tiny fit through the compiled kernels
(:func:`csi.estimate.pls.jit_warmup.warm_up`: numba loads their machine code from its disk
cache on first call) and builds a trend chart and a path diagram (plotly loads its validators
on first use). Streamlit runs the pages in this process, so the first visit finds them
loaded instead of paying ~2-4 CPU seconds for them. ``CSI_WARM_UP=0`` skips the warm-up.
``make run`` starts the app this way; ``streamlit run app.py`` still works (cold first visit).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import warnings
from pathlib import Path

__all__ = ["WARM_MODULES", "warm_up", "main"]

APP = Path(__file__).resolve().parent.parent / "app.py"

#: Modules the Overview and the sidebar import on a first visit (the heaviest first).
WARM_MODULES = (
    "plotly.graph_objects",
    "scipy.stats",
    "csi.estimate.fit",
    "csi.estimate.waves",
    "csi.drivers.complaints",
    "csi.drivers.fix_first",
    "csi.drivers.ipma",
    "csi.drivers.nps",
    "csi.drivers.scores",
    "csi.report.figures",
    "csi.report.path_layout",
    "csi.report.overview",
    "csi.report.filters",
    "csi.alerts",
    "csi.accounts.login",
    "csi.store",
)


def warm_up() -> dict[str, float]:
    """Import :data:`WARM_MODULES`, run the kernels' warm-up fit and build the Overview's kinds
    of chart once; seconds spent on each (``imports``, ``kernels``, ``figures``). A second call
    costs almost nothing."""
    t0 = time.perf_counter()
    for name in WARM_MODULES:
        importlib.import_module(name)
    t1 = time.perf_counter()
    from threadpoolctl import threadpool_limits

    from csi.estimate.pls.jit_warmup import warm_up as warm_kernels

    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the toy data's warnings are not the user's
        warm_kernels()
    t2 = time.perf_counter()
    _warm_figures()
    return {"imports": t1 - t0, "kernels": t2 - t1, "figures": time.perf_counter() - t2}


def _warm_figures() -> None:
    """Build and serialize a trend chart and a path diagram on made-up numbers, as
    ``st.plotly_chart`` does: plotly loads its trace and layout validators on first use."""
    import pandas as pd
    import plotly.io

    from csi.report.figures import trend_figure
    from csi.report.path_layout import readable_path_diagram

    trend = pd.DataFrame({"wave": ["1", "2"], "construct": "a", "score": [60.0, 61.0], "ci_low": [59.0, 60.0],
                          "ci_high": [61.0, 62.0]})
    index = pd.DataFrame({"construct": ["a", "b"], "score": [60.0, 61.0]})
    coef = pd.DataFrame({"source": ["a"], "target": ["b"], "estimate": [0.5], "ci_low": [0.4], "ci_high": [0.6]})
    for fig in (trend_figure(trend, {}), readable_path_diagram(coef, index, {}, width=None)):
        plotly.io.to_json(fig, validate=False)


def main(argv: list[str] | None = None) -> int:
    """Warm up (unless ``CSI_WARM_UP=0``), then ``streamlit run app.py *argv``."""
    args = sys.argv[1:] if argv is None else list(argv)
    if os.environ.get("CSI_WARM_UP", "1") != "0":
        took = warm_up()
        print(f"csi: dashboard modules loaded ({took['imports']:.1f} s), kernels ready "
              f"({took['kernels']:.1f} s), charts ready ({took['figures']:.1f} s)", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main()


if __name__ == "__main__":
    raise SystemExit(main())
