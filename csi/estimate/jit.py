"""Whether the compiled (numba) kernels are used, read once from the environment.

``CSI_JIT=0`` (or false/no/off) keeps the numpy code; ``CSI_JIT_CACHE=0`` compiles without the
on-disk machine-code cache. Every kernel module (``pls.kernel``, ``missing.em_kernel``,
``missing.em_lockstep``) asks here before it compiles.
"""

from __future__ import annotations

import os

__all__ = ["load_numba"]


def load_numba():
    """``(numba, cache)`` when the kernels should be compiled, else None (``CSI_JIT=0`` or no numba)."""
    if os.environ.get("CSI_JIT", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    try:  # numba is the jit extra; the numpy code stays usable without it
        import numba
    except ImportError:  # pragma: no cover - numba is installed wherever the tests run
        return None
    return numba, os.environ.get("CSI_JIT_CACHE", "1").strip() != "0"
