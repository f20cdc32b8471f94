"""Analyses on fitted models.

- ``indirect`` -- mediation: specific indirect effects with bootstrap intervals.
- ``predict`` -- PLSpredict (Q²predict, RMSE, MAE vs LM) and CVPAT.
- ``mga`` -- permutation multi-group analysis; ``micom`` -- measurement invariance (MICOM).
- ``compare`` -- PLS vs CB-SEM on the same data.

A new analysis takes a fitted result (or a model and data) and returns a tidy DataFrame; put it
in its own module here.
"""
