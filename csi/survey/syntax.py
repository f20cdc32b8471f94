"""lavaan model syntax <-> :class:`~csi.survey.model.ModelSpec`.

Supported operators (as in lavaan, SEMinR and semopy):

- ``construct =~ item1 + item2``  reflective block (PLS Mode A)
- ``construct <~ item1 + item2``  formative block (PLS Mode B)
- ``target ~ source1 + source2``  structural paths
- ``#`` comments; statements separated by newlines or ``;``.

Residual covariances (``~~``), fixed values and labels (``0.5*x``, ``a*x``) are not part of
a PLS model and are rejected with a located message.
"""

from __future__ import annotations

import re

from csi.errors import SpecIssue, SurveySpecError
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec

__all__ = ["parse_lavaan", "to_lavaan"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_OP = re.compile(r"(=~|<~|~~|~)")


def parse_lavaan(
    text: str,
    *,
    scale: tuple[float, float] = (1, 7),
    missing_codes: tuple[float, ...] = (),
    file: str = "<model>",
) -> ModelSpec:
    """Parse lavaan syntax into a :class:`ModelSpec`; every item gets the theoretical ``scale``.

    A name on the right of ``=~``/``<~`` is an item; a name on the right of ``~`` must be a
    construct. Errors are collected and raised together as :class:`SurveySpecError` with
    1-based line and column.

    Examples
    --------
    >>> m = parse_lavaan("Q =~ q1 + q2\\nS =~ s1\\nS ~ Q", scale=(1, 10))
    >>> m.paths
    (('Q', 'S'),)
    >>> m.construct("Q").items
    ('q1', 'q2')
    """
    issues: list[SpecIssue] = []
    blocks: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    paths: list[tuple[str, str]] = []
    path_pos: list[tuple[int, int, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        offset = 0
        for stmt in line.split(";"):
            col0 = offset + len(stmt) - len(stmt.lstrip()) + 1
            offset += len(stmt) + 1
            stmt = stmt.strip()
            if not stmt:
                continue

            def bad(msg: str, col: int = col0, line: int = lineno) -> None:
                issues.append(SpecIssue(file, line, col, "", msg))

            m = _OP.search(stmt)
            if not m:
                bad(f"expected 'name =~ items', 'name <~ items' or 'target ~ sources'; got {stmt!r}")
                continue
            op = m.group(1)
            lhs, rhs = stmt[: m.start()].strip(), stmt[m.end():].strip()
            if op == "~~":
                bad("residual covariances (~~) are not supported; remove this line")
                continue
            if not _IDENT.match(lhs):
                bad(f"{lhs!r} is not a valid name (letters, digits, _ and .; not starting with a digit)")
                continue
            names = [n.strip() for n in rhs.split("+")]
            rhs_col = col0 + stmt.index(rhs) if rhs else col0 + len(stmt)
            if not rhs or any(not n for n in names):
                bad(f"missing name after {op!r} or '+'", rhs_col)
                continue
            wrong = [n for n in names if not _IDENT.match(n)]
            if wrong:
                what = wrong[0]
                hint = " (fixed values and labels such as 0.5*x are not supported)" if "*" in what else ""
                bad(f"{what!r} is not a valid name{hint}", col0 + stmt.index(what))
                continue
            if op in ("=~", "<~"):
                mode = "reflective" if op == "=~" else "formative"
                if lhs in modes and modes[lhs] != mode:
                    bad(f"construct {lhs!r} is declared both reflective (=~) and formative (<~)")
                    continue
                modes[lhs] = mode
                blocks.setdefault(lhs, []).extend(n for n in names if n not in blocks.get(lhs, []))
            else:
                for n in names:
                    paths.append((n, lhs))
                    path_pos.append((lineno, col0 + stmt.index(n), n))
    for (lineno, col, _n), (s, t) in zip(path_pos, paths, strict=True):
        for end in (s, t):
            if end not in blocks:
                issues.append(SpecIssue(file, lineno, col if end == s else 1, "",
                                        f"unknown construct {end!r} in path {s} -> {t}; "
                                        f"expected one of {', '.join(blocks) or '(none defined)'}"))
                break
    if not blocks and not issues:
        issues.append(SpecIssue(file, None, None, "", "the model defines no construct (=~ or <~)"))
    if issues:
        raise SurveySpecError(issues)
    constructs = tuple(ConstructSpec(c, tuple(its), modes[c]) for c, its in blocks.items())  # type: ignore[arg-type]
    items = {it: ItemSpec(it, scale[0], scale[1], False, tuple(missing_codes))
             for c in constructs for it in c.items}
    try:
        return ModelSpec(constructs, tuple(dict.fromkeys(paths)), items)
    except SurveySpecError as exc:
        raise SurveySpecError([SpecIssue(file, None, None, "", i.message) for i in exc.issues]) from None


def to_lavaan(model: ModelSpec) -> str:
    """Render a :class:`ModelSpec` as lavaan syntax (measurement blocks, then regressions).

    Examples
    --------
    >>> print(to_lavaan(parse_lavaan("A =~ a1 + a2; B <~ b1; B ~ A")), end="")
    # measurement model
    A =~ a1 + a2
    B <~ b1
    # structural model
    B ~ A
    """
    lines = ["# measurement model"]
    for c in model.constructs:
        op = "=~" if c.mode == "reflective" else "<~"
        lines.append(f"{c.id} {op} {' + '.join(c.items)}")
    if model.paths:
        lines.append("# structural model")
        for t in model.endogenous:
            lines.append(f"{t} ~ {' + '.join(model.predecessors(t))}")
    return "\n".join(lines) + "\n"
