"""The statistical model a survey implies: measurement blocks, structural paths, item scales.

:class:`ModelSpec` is the contract between the survey definition (YAML or lavaan syntax) and
the estimators. It knows nothing of YAML, files or data; estimators take a ``ModelSpec`` and a
DataFrame whose columns are item ids.

Conventions
-----------
- A *reflective* construct is estimated in PLS Mode A (lavaan ``=~``), a *formative* one in
  Mode B (lavaan ``<~``).
- ``scale_min``/``scale_max`` are the item's *theoretical* bounds from the survey scale; the
  0-100 index uses them, never the sample's min/max.
- A *reverse* item is recoded ``scale_min + scale_max - x`` before estimation.
- ``missing_codes`` are values that mean "no answer" (e.g. -99, a "don't know" code); they
  become missing before estimation, never numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from csi.errors import SpecIssue, SurveySpecError

__all__ = ["ItemSpec", "ConstructSpec", "ModelSpec", "ACSI_DEFAULT_PATHS"]

Mode = Literal["reflective", "formative"]

# The ACSI structural model (Fornell et al. 1996), by construct id.
ACSI_DEFAULT_PATHS: tuple[tuple[str, str], ...] = (
    ("expectation", "quality"),
    ("expectation", "value"),
    ("expectation", "satisfaction"),
    ("quality", "value"),
    ("quality", "satisfaction"),
    ("value", "satisfaction"),
    ("satisfaction", "complaint"),
    ("satisfaction", "loyalty"),
    ("complaint", "loyalty"),
)


@dataclass(frozen=True)
class ItemSpec:
    """One observed item: its column id, theoretical scale bounds, coding and missing codes."""

    id: str
    scale_min: float
    scale_max: float
    reverse: bool = False
    missing_codes: tuple[float, ...] = ()
    #: the scale's don't-know code (one of ``missing_codes``), typed ``dont_know``.
    dont_know: float | None = None
    #: the item's display condition as text (``"cc1 == 1"``) when the survey has ``show_if``.
    shown_if: str | None = None
    #: how a not-shown answer enters the model (``"impute"``, ``"listwise"`` or a policy name;
    #: :data:`csi.estimate.prepare.NOT_SHOWN_RULES`); None with ``shown_if`` set makes
    #: estimation refuse the item.
    not_shown: str | None = None
    #: ``"file:line:col"`` of the item's ``show_if`` in the survey (for located errors).
    show_if_at: str | None = None

    def __post_init__(self) -> None:
        if not self.scale_min < self.scale_max:
            raise SurveySpecError(
                f"item {self.id!r}: scale min {self.scale_min} must be below max {self.scale_max}"
            )


@dataclass(frozen=True)
class ConstructSpec:
    """A construct and the ids of its items, in order."""

    id: str
    items: tuple[str, ...]
    mode: Mode = "reflective"
    binary: bool = False  # e.g. ACSI complaint: "complained in the last N months?" 0/1

    @property
    def pls_mode(self) -> Literal["A", "B"]:
        """PLS outer mode: 'A' for reflective, 'B' for formative."""
        return "A" if self.mode == "reflective" else "B"


@dataclass(frozen=True)
class ModelSpec:
    """Measurement and structural model.

    Parameters
    ----------
    constructs : tuple of ConstructSpec
        In a stable order (the survey's order).
    paths : tuple of (source, target)
        Structural paths between construct ids.
    items : mapping of item id -> ItemSpec
        Every item of every construct.
    """

    constructs: tuple[ConstructSpec, ...]
    paths: tuple[tuple[str, str], ...]
    items: Mapping[str, ItemSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "constructs", tuple(self.constructs))
        object.__setattr__(self, "paths", tuple((str(s), str(t)) for s, t in self.paths))
        object.__setattr__(self, "items", MappingProxyType(dict(self.items)))
        problems = self.problems()
        if problems:
            raise SurveySpecError([SpecIssue("<model>", None, None, "model", p) for p in problems])

    def __reduce__(self):
        # pickle/copy through the constructor (the read-only items mapping is not picklable);
        # results keep their model and are cached by pickling in the app
        return (type(self), (self.constructs, self.paths, dict(self.items)))

    # -- checks -----------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Structural problems (empty when the model is valid)."""
        out: list[str] = []
        ids = [c.id for c in self.constructs]
        seen: set[str] = set()
        for cid in ids:
            if cid in seen:
                out.append(f"construct {cid!r} is defined twice")
            seen.add(cid)
        owner: dict[str, str] = {}
        for c in self.constructs:
            if not c.items:
                out.append(f"construct {c.id!r} has no items")
            for it in c.items:
                if it in owner and owner[it] != c.id:
                    out.append(f"item {it!r} belongs to both {owner[it]!r} and {c.id!r}")
                owner[it] = c.id
                if it not in self.items:
                    out.append(f"item {it!r} of construct {c.id!r} has no scale")
        for s, t in self.paths:
            for end in (s, t):
                if end not in seen:
                    out.append(f"path {s} -> {t}: unknown construct {end!r}")
            if s == t:
                out.append(f"path {s} -> {t}: a construct cannot predict itself")
        if len(set(self.paths)) != len(self.paths):
            out.append("a structural path is listed twice")
        if not out:
            cycle = _find_cycle(ids, self.paths)
            if cycle:
                out.append("the structural model has a cycle: " + " -> ".join(cycle))
            in_paths = {x for p in self.paths for x in p}
            if len(ids) > 1:
                for cid in ids:
                    if cid not in in_paths:
                        out.append(f"construct {cid!r} is in no structural path (orphan)")
        return out

    # -- views ------------------------------------------------------------------------------
    @property
    def construct_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.constructs)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """All item ids, block by block, in order."""
        return tuple(it for c in self.constructs for it in c.items)

    def construct(self, cid: str) -> ConstructSpec:
        for c in self.constructs:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def predecessors(self, cid: str) -> tuple[str, ...]:
        """Constructs with a path into ``cid``, in construct order."""
        src = {s for s, t in self.paths if t == cid}
        return tuple(c for c in self.construct_ids if c in src)

    @property
    def endogenous(self) -> tuple[str, ...]:
        """Constructs that are the target of at least one path, in construct order."""
        tgt = {t for _, t in self.paths}
        return tuple(c for c in self.construct_ids if c in tgt)

    @property
    def exogenous(self) -> tuple[str, ...]:
        tgt = {t for _, t in self.paths}
        return tuple(c for c in self.construct_ids if c not in tgt)

    def topological_order(self) -> tuple[str, ...]:
        """Construct ids so that every source precedes its targets (stable w.r.t. construct order)."""
        remaining = list(self.construct_ids)
        done: list[str] = []
        while remaining:
            for cid in remaining:
                if all(p in done for p in self.predecessors(cid)):
                    done.append(cid)
                    remaining.remove(cid)
                    break
        return tuple(done)

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def from_blocks(
        cls,
        blocks: Mapping[str, Iterable[str]],
        paths: Iterable[tuple[str, str]],
        *,
        scale: tuple[float, float] = (1, 7),
        modes: Mapping[str, Mode] | None = None,
        reverse: Iterable[str] = (),
        missing_codes: Iterable[float] = (),
    ) -> ModelSpec:
        """Build a model from plain Python objects; every item shares one scale.

        Examples
        --------
        >>> m = ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1"]}, [("a", "b")], scale=(1, 10))
        >>> m.endogenous, m.items["a1"].scale_max
        (('b',), 10)
        """
        modes = dict(modes or {})
        rev = set(reverse)
        codes = tuple(missing_codes)
        constructs = tuple(
            ConstructSpec(cid, tuple(its), modes.get(cid, "reflective")) for cid, its in blocks.items()
        )
        items = {
            it: ItemSpec(it, scale[0], scale[1], it in rev, codes) for c in constructs for it in c.items
        }
        return cls(constructs, tuple(paths), items)


def _find_cycle(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[str]:
    """Return one directed cycle as a node list (first node repeated at the end), or []."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        succ.setdefault(s, []).append(t)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str]:
        state[n] = 1
        stack.append(n)
        for m in succ.get(n, []):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        state[n] = 2
        stack.pop()
        return []

    for n in list(succ):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return []
