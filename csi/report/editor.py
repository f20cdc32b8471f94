"""The survey editor's logic: validate YAML text with located issues, save a new version.

A saved version is a new file ``<id>-<version>.yaml`` in the survey folder; an existing
``(id, version)`` is never overwritten (versions are immutable: responses refer to them).
"""

from __future__ import annotations

import re
from pathlib import Path

from csi.errors import SpecIssue, SurveySpecError
from csi.survey.load import load_survey, parse_survey
from csi.survey.survey import Survey

__all__ = ["check_yaml", "version_file_name", "existing_versions", "save_survey_version",
           "version_key", "latest_survey_files",
           "SurveyVersionExistsError"]


class SurveyVersionExistsError(SurveySpecError):
    """A survey file with this id and version already exists."""


def check_yaml(text: str, file: str = "<editor>") -> tuple[Survey | None, list[SpecIssue]]:
    """Validate survey YAML text: ``(survey, [])`` or ``(None, issues)`` with line:column.

    Examples
    --------
    >>> s, issues = check_yaml("id: x\\nversion: 1\\n")
    >>> s is None, issues[0].line is not None
    (True, True)
    """
    try:
        return parse_survey(text, file=file), []
    except SurveySpecError as exc:
        return None, list(exc.issues)


def version_file_name(survey_id: str, version: str) -> str:
    """File name of a saved version: ``<id>-<version>.yaml`` (unsafe characters -> ``_``).

    >>> version_file_name("ecommerce_csi", "1.1")
    'ecommerce_csi-1.1.yaml'
    """
    return f"{survey_id}-{re.sub(r'[^A-Za-z0-9._-]', '_', version)}.yaml"


def existing_versions(directory: str | Path, survey_id: str) -> dict[str, Path]:
    """Version -> file of every valid survey file in ``directory`` with id ``survey_id``."""
    out: dict[str, Path] = {}
    for p in sorted(Path(directory).glob("*.yaml")):
        try:
            s = load_survey(p)
        except SurveySpecError:
            continue
        if s.id == survey_id:
            out.setdefault(s.version, p)
    return out


def version_key(version: str) -> tuple:
    """Sort key for version labels: numeric parts compare as numbers ("1.10" > "1.9").

    >>> sorted(["1.10", "1.9", "1.0", "2.0-beta"], key=version_key)
    ['1.0', '1.9', '1.10', '2.0-beta']
    """
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[^A-Za-z0-9]+", version) if p)


def latest_survey_files(files: list[Path] | list[str], load=load_survey) -> dict[str, Path]:
    """Survey id -> the file holding its highest version (by :func:`version_key`).

    Files that fail validation are skipped; ids are ordered as first seen in ``files``.
    ``load`` loads one file (the app passes its cached loader).
    """
    best: dict[str, tuple[tuple, Path]] = {}
    for p in files:
        try:
            s = load(p)
        except SurveySpecError:
            continue
        key = version_key(s.version)
        if s.id not in best or key > best[s.id][0]:
            best[s.id] = (key, Path(p))
    return {sid: path for sid, (_, path) in best.items()}


def save_survey_version(text: str, directory: str | Path) -> tuple[Survey, Path]:
    """Validate ``text`` and write it as a new survey version file in ``directory``.

    Raises
    ------
    SurveySpecError
        The text is not a valid survey (issues with line:column).
    SurveyVersionExistsError
        A file with the same id and version exists (change ``version:`` first).
    """
    survey = parse_survey(text, file="<editor>")
    if survey.version in existing_versions(directory, survey.id):
        raise SurveyVersionExistsError(
            f"survey {survey.id!r} version {survey.version!r} already exists in {Path(directory).name}/; "
            "change `version:` to save a new version", file="<editor>")
    path = Path(directory) / version_file_name(survey.id, survey.version)
    path.write_text(text, encoding="utf-8")
    return load_survey(path), path
