"""``import csi`` and a fit need only the core dependencies (pyproject's ``dependencies``):
run in a fresh interpreter where the optional extras' packages cannot be imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: top-level modules of the extras csi[app], csi[store], csi[jit] (and postgres/scale)
EXTRAS = ("streamlit", "plotly", "sqlalchemy", "alembic", "numba", "yaml", "psycopg2", "duckdb",
          "pyspark", "sqlglot")

SCRIPT = textwrap.dedent("""
    import sys
    import importlib.abc

    BLOCKED = set(sys.argv[1].split(","))

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked optional dependency: {name}")
            return None

    sys.meta_path.insert(0, Block())
    import numpy as np
    import pandas as pd

    import csi

    survey = csi.load_survey("surveys/ecommerce_csi.yaml")
    batch = csi.read_responses("sample_data/ecommerce_responses.csv", survey)
    res = csi.fit(survey, batch.valid.iloc[:400], n_boot=30, seed=0)
    assert np.isfinite(res.index["score"]).all() and len(res.reliability)
    cb = csi.fit(survey, batch.valid.iloc[:400], method="cbsem")
    assert len(cb.path_coefficients)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    print("loaded:", loaded)
""")


def test_import_and_fit_with_the_core_dependencies_only():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", SCRIPT, ",".join(EXTRAS)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "loaded: []" in out.stdout


def test_the_blocker_blocks():
    # the same finder makes an import of a blocked package fail (the check can fail)
    probe = SCRIPT.split("import numpy as np")[0] + "import sqlalchemy\n"
    out = subprocess.run([sys.executable, "-c", probe, "sqlalchemy"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode != 0 and "blocked optional dependency: sqlalchemy" in out.stderr
