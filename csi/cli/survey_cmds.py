"""Survey commands: ``csi validate``, ``csi survey show`` and ``csi survey lavaan``.

``validate`` checks every file given and reports every problem as a located one-line
message (``file:line:col: path: message``) on stderr; exit code 0 when all files are valid,
2 otherwise. ``survey show`` prints the structure of one survey as plain-text tables;
``survey lavaan`` prints the model in lavaan syntax (for semopy, lavaan, SEMinR).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError, SurveySpecError
from csi.survey import Survey, load_survey

__all__ = ["validate", "show", "lavaan", "survey_app", "render_survey"]

survey_app = typer.Typer(
    name="survey",
    help="Inspect a survey definition (structure, lavaan model).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(survey_app, name="survey")

_SurveyArg = Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)]


@app.command("validate")
def validate(
    surveys: Annotated[list[Path], typer.Argument(help="Survey YAML file(s) to check.", show_default=False)],
) -> None:
    """Validate survey YAML files; report every problem with file:line:column."""
    failed = 0
    for path in surveys:
        try:
            s = load_survey(path)
        except SurveySpecError as exc:
            failed += 1
            fail(exc)  # prints the located issues; the exit happens after all files
            continue
        n_items = sum(len(c.items) for c in s.constructs.values())
        typer.echo(f"{path}: OK ({s.id} {s.version}; {len(s.constructs)} constructs, "
                   f"{n_items} items, {len(s.questions)} questions)")
    if failed:
        raise typer.Exit(code=2)


def _load(path: Path) -> Survey:
    try:
        return load_survey(path)
    except CsiError as exc:
        raise fail(exc) from None


@survey_app.command("show")
def show(
    survey: _SurveyArg,
    lang: Annotated[str | None, typer.Option("--lang", help="Display language (zh, en, ...); "
                                             "default: the survey's first language.")] = None,
) -> None:
    """Show a survey's structure: constructs, items, paths, questions and drivers."""
    s = _load(survey)
    if lang is not None and lang not in s.languages:
        raise fail(f"--lang {lang!r} is not a language of {s.id}; expected one of "
                   f"{', '.join(s.languages)}")
    typer.echo(render_survey(s, lang), nl=False)


@survey_app.command("lavaan")
def lavaan(survey: _SurveyArg) -> None:
    """Print the survey's model in lavaan syntax (=~ reflective, <~ formative, ~ paths)."""
    s = _load(survey)
    typer.echo(s.to_lavaan(), nl=False)


# -- rendering ----------------------------------------------------------------------------------
def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two terminal columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"


def _scale_text(s: Survey, sid: str) -> str:
    sc = s.scales[sid]
    text = f"{sid} {sc.min:g}-{sc.max:g}"
    if sc.dont_know is not None:
        text += f" (dk {sc.dont_know:g})"
    return text


def render_survey(s: Survey, lang: str | None = None) -> str:
    """Plain-text tables of a survey's structure in ``lang`` (default: its first language)."""
    t = s.t
    parts = [f"{t(s.title, lang)}\n{s.id} version {s.version}; languages: {', '.join(s.languages)}\n"]
    rows = [[cid, t(c.label, lang), c.mode + (", binary" if c.binary else ""), str(len(c.items))]
            for cid, c in s.constructs.items()]
    parts.append("\nConstructs\n" + _table(["construct", "label", "mode", "items"], rows))
    rows = []
    for iid, info in s.items.items():
        if info.group != "construct":
            continue
        flags = ", ".join(f for f, on in (("reverse", info.item.reverse),
                                          ("optional", not info.item.required)) if on)
        rows.append([iid, info.owner, _scale_text(s, info.scale_id), t(info.item.text, lang)
                     + (f" [{flags}]" if flags else "")])
    parts.append("\nItems\n" + _table(["item", "construct", "scale", "text"], rows))
    rows = [[src, "->", dst] for src, dst in s.effective_paths]
    origin = "as written" if s.paths is not None else "ACSI default"
    parts.append(f"\nPaths ({origin})\n" + _table(["from", "", "to"], rows))
    if s.questions:
        rows = []
        for q in s.questions:
            extra = []
            if q.options:
                extra.append("/".join(str(o.code) for o in q.options))
            if q.scale:
                extra.append(_scale_text(s, q.scale))
            if q.show_if is not None:
                values, positive = q.show_if.allowed
                extra.append(f"if {q.show_if.field} {'in' if positive else 'not in'} "
                             f"{','.join(str(v) for v in values)}")
            if q.pii:
                extra.append(f"pii: {q.pii}")
            if q.source == "system":
                extra.append("system")
            rows.append([q.id, q.type, q.role, t(q.text, lang), "; ".join(extra)])
        parts.append("\nQuestions\n" + _table(["question", "type", "role", "text", "details"], rows))
    if s.drivers is not None:
        d = s.drivers
        rows = [[lv.id, t(lv.label, lang), it.id, t(it.text, lang)]
                for lv in d.levers for it in lv.items]
        head = f"\nDrivers: {t(d.label, lang)}" if d.label else "\nDrivers"
        head += f" (scale {_scale_text(s, d.scale)}"
        head += f"; outcome {d.outcome}" if d.outcome else ""
        head += f"; behaviour {d.behaviour}" if d.behaviour else ""
        parts.append(head + ")\n" + _table(["lever", "label", "item", "text"], rows))
    return "".join(parts)
