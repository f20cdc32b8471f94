"""``csi bench``: run the PLS benchmark (``benchmarks/bench_pls.py``) from a source checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail

__all__ = ["bench"]


@app.command("bench")
def bench(
    sizes: Annotated[str, typer.Option(help="Comma-separated sample sizes.")] = "250,10000,100000,1000000",
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples.")] = 5000,
    timeout: Annotated[float, typer.Option(help="Seconds allowed per tool and size.")] = 900.0,
    skip_peers: Annotated[bool, typer.Option("--skip-peers", help="csi and the numpy floor only.")] = False,
) -> None:
    """Time csi's PLS against seminr, plspm and a numpy floor; print the table."""
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pls.py"
    if not script.exists():
        raise fail(f"{script}: not found; `csi bench` runs from a source checkout of csi")
    cmd = [sys.executable, str(script), "--sizes", sizes, "--n-boot", str(n_boot), "--timeout", str(timeout)]
    if skip_peers:
        cmd.append("--skip-peers")
    raise typer.Exit(subprocess.call(cmd))
