"""Measurement-quality statistics computed from loadings, weights and correlations.

- ``measurement`` -- Cronbach's alpha, rho_A, rho_C, AVE, HTMT, Fornell-Larcker, VIF, SRMR.

A new statistic is a pure function of arrays (loadings, item correlations, ...) in
``measurement`` (or a new module here), tested against published values; the estimators call it.
"""
