"""Estimation: everything that turns responses (or their moments) into an index result.

Layout, by job (each subpackage's docstring says how to add to it):

- ``fit.py`` -- the front door ``csi.fit``; ``moment_fit.py`` (fits from moments computed
  elsewhere), ``groups.py`` (one fit per group), ``waves.py`` (pooled and per-wave fits, trend),
  ``prepare.py`` (data checks and arrays),
  ``moments.py`` (means, SDs, correlations), ``results.py`` / ``summary.py`` (the result object),
  ``frames.py`` (fast construction of the result's small tables).
- ``pls/`` -- PLS path modeling: the weight iteration and its compiled kernel, the estimator,
  structural effects, result assembly, moderation and higher-order constructs.
- ``cbsem/`` -- covariance-based SEM (ML via semopy syntax, our own engine, fit indices,
  admissibility, bootstrap, tables).
- ``resample/`` -- resampling shared by estimators: the moment bootstrap and bucket bootstrap.
- ``quality/`` -- measurement-quality statistics (reliability, AVE, HTMT, VIF, SRMR).
- ``index/`` -- the 0-100 index scale (weights and index means/scores).
- ``analysis/`` -- analyses on fitted models: mediation, PLSpredict, MGA, MICOM, estimator comparison.
- ``missing/`` -- missing data: pattern moments, EM, FIML, the policies.

A new estimator gets its own subpackage (like ``cbsem/``) and a branch in ``fit.py``; a new
statistic on a fitted model goes to ``quality/`` (measurement) or ``analysis/`` (anything else).
"""
