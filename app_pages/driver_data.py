"""Cached driver analyses shared by the Overview and the Drivers page (same cache entries)."""

from __future__ import annotations

import streamlit as st

from csi.drivers.fix_first import fix_first
from csi.drivers.ipma import importance_performance

#: Resamples of the fix-first gains' intervals (batched since csi.drivers.gains: 100 cost ~0.7 CPU s at
#: 100,000 respondents, so more would be affordable; kept so the shown intervals stay as they were).
FIX_FIRST_N_BOOT = 100


@st.cache_data(show_spinner=False, max_entries=16)
def ipma(data_key: str, sha: str, target: str, n_boot: int, _survey, _frame, _result):
    """:func:`csi.drivers.ipma.importance_performance` at both levels (cached)."""
    return importance_performance(_survey, _frame, _result, target=target, level="both",
                                  n_boot=n_boot, seed=0)


@st.cache_data(show_spinner=False, max_entries=16)
def fix_first_ranking(data_key: str, sha: str, target: str, n_boot: int, _survey, _frame, _result):
    """:func:`csi.drivers.fix_first.fix_first` on the IPMA of the Drivers page (cached)."""
    table = ipma(data_key, sha, target, n_boot, _survey, _frame, _result)
    return fix_first(_survey, _frame, _result, target=target, ipma=table,
                     n_boot=min(n_boot, FIX_FIRST_N_BOOT), seed=0)
