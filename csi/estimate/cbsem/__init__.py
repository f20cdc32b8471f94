"""Covariance-based SEM (maximum likelihood).

- ``fit`` -- ``fit_cbsem``: the entry point ``csi.fit(method="cbsem")`` calls.
- ``syntax`` -- ModelSpec -> semopy/lavaan description (reflective only).
- ``engine`` -- our ML estimator (``fit_sem``: estimates, SEs, standardized solution).
- ``solution`` -- the parameter table: locations, labels, ``std.all`` and delta-method SEs.
- ``fit_indices``, ``admissibility`` -- chi², CFI, RMSEA ...; Heywood cases and bounds.
- ``bootstrap`` -- resamples of the standardized solution.
- ``model`` -- :class:`CBSEMModel`, the sklearn-style estimator; ``tables`` -- result tables.

A new fit index goes into ``fit_indices`` (and ``FIT_KEYS``); a new estimation method for the same
model (e.g. WLSMV) would be a sibling of ``engine`` selected in ``fit``.
"""
