"""PLS path modeling.

- ``algorithm`` -- the Lohmöller weight iteration on a correlation matrix (``ModelArrays``,
  schemes), single fits and batches of resamples.
- ``kernel`` -- its compiled (numba) fast path; ``jit_warmup`` compiles it ahead of time.
- ``model`` -- :class:`PLSPathModel`, the sklearn-style estimator (fit, scores, quality tables).
- ``effects`` -- structural model algebra: path coefficients, R², total/indirect effects, f².
- ``assemble`` -- turns a fitted model and its bootstrap into an ``IndexResult``.
- ``moderation``, ``higher_order`` -- two-stage extensions built on ``model``.

A new weighting scheme goes into ``algorithm.SCHEMES`` (and the kernel); a new statistic of the
structural model goes into ``effects`` as a function of the path matrix.
"""
