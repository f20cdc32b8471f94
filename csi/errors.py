"""The csi exception and warning hierarchy.

Every error caused by a user's input (a survey file, a data file, a parameter) is a
:class:`CsiError`; each subclass also inherits the matching builtin so ``except ValueError``
keeps working. The app and the CLI catch ``CsiError`` and render its message (and, where
present, its list of located issues); anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CsiError",
    "SurveySpecError",
    "SpecIssue",
    "ResponseImportError",
    "RowIssue",
    "DataError",
    "ParameterError",
    "NotFittedError",
    "StoreError",
    "CsiWarning",
    "ConvergenceWarning",
    "InadmissibleSolutionWarning",
    "SmallSampleWarning",
    "MissingDataWarning",
]


class CsiError(Exception):
    """Base class of every error csi raises for a user's mistake."""


@dataclass(frozen=True)
class SpecIssue:
    """One located problem in a survey specification.

    ``line`` and ``column`` are 1-based; either may be ``None`` when the problem has no
    single location (e.g. a cycle in the structural model).
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        where = f" {self.path}:" if self.path else ""
        return f"{loc}:{where} {self.message}"


class SurveySpecError(CsiError, ValueError):
    """A survey specification (YAML) is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[SpecIssue] | SpecIssue | str, file: str = "<survey>"):
        if isinstance(issues, str):
            issues = [SpecIssue(file, None, None, "", issues)]
        elif isinstance(issues, SpecIssue):
            issues = [issues]
        self.issues: list[SpecIssue] = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class RowIssue:
    """One problem in one cell (or row) of a response file.

    ``row`` is the 1-based data-row number as a spreadsheet user counts it (header rows
    excluded unless stated by the reader); ``column`` is the source column header.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return f"{', '.join(parts)}: got {self.value!r}; expected {self.expected}"


class ResponseImportError(CsiError, ValueError):
    """A response file cannot be used at all (not a table, wrong survey, nothing mappable)."""

    def __init__(self, message: str, issues: list[RowIssue] | None = None):
        self.issues: list[RowIssue] = list(issues or [])
        super().__init__(message)


class DataError(CsiError, ValueError):
    """Data handed to an estimator cannot be used (unknown columns, constant items, ...)."""


class ParameterError(CsiError, ValueError):
    """A function or estimator parameter is invalid (sklearn's message shape)."""


class NotFittedError(CsiError, AttributeError):
    """A learned attribute (ending in ``_``) was read before ``fit``."""


class StoreError(CsiError, RuntimeError):
    """The response store cannot be opened or written."""


class CsiWarning(UserWarning):
    """Base class of csi's warnings."""


class ConvergenceWarning(CsiWarning):
    """An iterative estimator stopped before meeting its convergence criterion."""


class InadmissibleSolutionWarning(CsiWarning):
    """A solution is inadmissible (e.g. |loading| > 1, non-positive-definite construct correlations)."""


class SmallSampleWarning(CsiWarning):
    """A group is smaller than the documented minimum for stable estimates."""


class MissingDataWarning(CsiWarning):
    """A missing-data policy dropped more than 5% of the respondents (issue 14)."""
