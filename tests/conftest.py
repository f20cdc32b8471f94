"""Shared fixtures: paths, the sample survey, and gates for server/browser tests.

Server and browser tests skip with a reason on a machine without PostgreSQL or Chromium,
unless ``CSI_REQUIRE_POSTGRES=1`` / ``CSI_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which
case a missing service is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

# CI runs the property tests derandomized (reproducible from the commit alone); locally they
# explore new examples on every run. Select with HYPOTHESIS_PROFILE=ci|dev.
settings.register_profile("ci", derandomize=True, print_blob=True, database=None)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

if int(pd.__version__.split(".")[0]) < 3:  # pandas 3 always copies on write (the option is deprecated)
    pd.set_option("mode.copy_on_write", True)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SURVEYS = ROOT / "surveys"
FLAGSHIP = SURVEYS / "ecommerce_csi.yaml"

#: PostgreSQL used by store tests (trust auth on this machine's default cluster).
POSTGRES_URL = os.environ.get(
    "CSI_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


def _require(var: str) -> bool:
    return os.environ.get(var, "").strip() not in ("", "0", "false", "no")


def _unavailable(var: str, reason: str) -> None:
    if _require(var):
        pytest.fail(f"{reason} (mandatory here because {var} is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def flagship_path() -> Path:
    return FLAGSHIP


@pytest.fixture(scope="session")
def flagship():
    from csi.survey import load_survey

    return load_survey(FLAGSHIP)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A reachable PostgreSQL URL, or skip (fail when CSI_REQUIRE_POSTGRES=1)."""
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        _unavailable("CSI_REQUIRE_POSTGRES", f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium for playwright, or skip (fail when CSI_REQUIRE_BROWSER=1)."""
    path = os.environ.get("CSI_CHROMIUM", "/usr/bin/chromium")
    if not (Path(path).exists() or shutil.which(path)):
        _unavailable("CSI_REQUIRE_BROWSER", f"Chromium not found at {path} (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("CSI_REQUIRE_BROWSER", "the playwright Python package is not installed")
    return path


# -- issue 15: scale-out engines ------------------------------------------------------------
@pytest.fixture(scope="session")
def duckdb_engine_ok() -> bool:
    """DuckDB and sqlglot importable, or skip (fail when CSI_REQUIRE_DUCKDB=1)."""
    try:
        import duckdb  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:
        _unavailable("CSI_REQUIRE_DUCKDB", f"{exc.name} is not installed (pip install -e '.[scale]')")
    return True


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test session, or skip (fail when CSI_REQUIRE_SPARK=1)."""
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:
        _unavailable("CSI_REQUIRE_SPARK", f"{exc.name} is not installed (pip install -e '.[scale]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("CSI_REQUIRE_SPARK", "no Java runtime for Spark (apt-get install default-jre-headless)")
    from csi.engines.spark_engine import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
