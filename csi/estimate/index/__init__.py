"""The 0-100 index scale.

- ``scaling`` -- unstandardized outer weights, index means and respondent index scores.

A new index definition (another rescaling or weighting) goes here as a function of weights,
item means and scale bounds.
"""
