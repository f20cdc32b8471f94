"""PLS path modeling.

- ``structure`` -- a model as index arrays (``ModelArrays``: blocks, membership, paths) and the
  flat indices of the single-matrix algebra (``FlatPlan``, ``regress_flat``).
- ``algorithm`` -- the Lohmöller weight iteration on a correlation matrix (schemes), single fits
  and batches of resamples.
- ``kernel`` -- its compiled (numba) fast path; ``jit_warmup`` compiles it ahead of time.
- ``model`` -- :class:`PLSPathModel`, the sklearn-style estimator (parameters, fit).
- ``statistics`` -- everything one fit (or a stack of resamples) estimates from item moments.
- ``tables`` -- the estimator's result tables, built on first access from those statistics.
- ``scores`` -- per-respondent construct and 0-100 index scores.
- ``effects`` -- structural model algebra: path coefficients, R², total/indirect effects, f², VIF.
- ``assemble`` -- turns a fitted model and its bootstrap into an ``IndexResult``.
- ``moderation``, ``higher_order`` -- two-stage extensions built on ``model``.

A new weighting scheme goes into ``algorithm.SCHEMES`` (and the kernel); a new statistic of the
structural model goes into ``effects`` as a function of the path matrix; a new result table into
``tables.BUILDERS`` (and, for the ``IndexResult``, a field in ``results.py`` deferred in
``assemble``).
"""
