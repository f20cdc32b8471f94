"""Resampling shared by the estimators.

- ``bootstrap`` -- the moment bootstrap: resamples as weighted moments, chunked and threaded,
  strata, percentile/BCa intervals (``interval``).
- ``buckets`` -- bootstrap from per-bucket sums (scale-out engines, clustered data).

A new resampling scheme lives here and returns replicate moments; the estimators turn replicate
moments into replicate statistics, so a scheme never needs to know the estimator.
"""
