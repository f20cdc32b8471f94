"""Resampling shared by the estimators.

- ``bootstrap`` -- the moment bootstrap: resamples as weighted moments, chunked and threaded,
  strata, jackknife.
- ``sums`` -- its arithmetic on sums: per-respondent terms, resample counts, moments of stacked
  sums, scratch workspaces.
- ``intervals`` -- SEs and percentile/BCa intervals from replicates (``interval``).
- ``buckets`` -- bootstrap from per-bucket sums (scale-out engines, clustered data).

A new resampling scheme lives here and returns replicate moments; the estimators turn replicate
moments into replicate statistics, so a scheme never needs to know the estimator.
"""
