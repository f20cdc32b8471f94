"""Survey YAML scanned by libyaml (C, through PyYAML) and built by ruamel.yaml's round-trip loader.

ruamel.yaml's scanner and parser are pure Python: about 6 ms per KiB, most of the time it takes
to load a survey. Here libyaml only scans and parses; its events are handed to ruamel's own
composer, resolver (YAML 1.2: ``yes``/``on`` are text, ``010`` is 10, ``1:30`` is text) and
round-trip constructor, so the tree -- values, their types and their line/column records -- is
the one ``YAML(typ="rt").load`` gives, without the comments.

Texts on which the two parsers could disagree are left to ruamel (:func:`load_fast` returns
``(False, None)``):

- YAML directives and explicit tags (``%YAML 1.1``, ``!!int``, ``!x``);
- anchors and aliases (``&a``, ``*a``, merge keys): libyaml allows fewer characters in names;
- tab characters, the YAML 1.1 line breaks NEL/LS/PS and byte-order marks inside the text;
- empty values (``key:`` with nothing after it): libyaml places them at the end of the key's
  line, ruamel at the next token;
- folded block scalars (``>``): ruamel's scanner marks the folds for round-tripping;
- literal block scalars that are empty or start with an empty line (ruamel rejects some that
  libyaml accepts: a blank first line with spaces, then a more indented line), and a comment
  glued to a block scalar header (``|#``), which libyaml accepts and ruamel rejects;
- document end markers (``...``): libyaml accepts two in a row, ruamel does not.

So is anything libyaml or the composer/constructor rejects: the caller then parses with
ruamel, which locates the problem for the error message.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import events as rev

try:  # PyYAML's libyaml binding; absent (or built without libyaml) -> ruamel only
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML is a dependency; its C part may be missing
    _CParser = None

__all__ = ["available", "load_fast", "ruamel_events", "libyaml_events"]

#: Characters that YAML 1.1 (libyaml) and 1.2 (ruamel) treat differently, or that libyaml
#: and ruamel scan differently (tabs as separation/indentation).
_LEFT_TO_RUAMEL = ("\t", "\x85", "\u2028", "\u2029", "\ufeff")
#: Texts libyaml accepts but ruamel rejects (found by tests/property/test_fast_yaml_properties.py):
#: a comment right after a block scalar header (``|#``), document end markers (``...``; ruamel
#: rejects two in a row).
_LENIENT = re.compile(r"\|[0-9+-]*#|^\.\.\.", re.M)


class _Unhandled(Exception):
    """The text uses a feature left to ruamel."""


def available() -> bool:
    """Whether the libyaml parser is installed (PyYAML built with libyaml)."""
    return _CParser is not None


def _convert(ev: Any) -> Any:
    """One PyYAML event as the ruamel event its own parser would produce."""
    kind = type(ev).__name__
    sm, em = ev.start_mark, ev.end_mark
    if getattr(ev, "anchor", None) is not None:
        raise _Unhandled  # anchors and aliases: libyaml allows fewer characters in their names
    if kind == "ScalarEvent":
        if (ev.tag is not None or (not ev.value and not ev.style) or ev.style == ">"
                or (ev.style == "|" and ev.value[:1] in ("", "\n"))):
            raise _Unhandled  # see the module notes (empty values, block scalars)
        return rev.ScalarEvent(None, None, ev.implicit, ev.value, sm, em, style=ev.style or None)
    if kind in ("MappingStartEvent", "SequenceStartEvent"):
        if ev.tag is not None:
            raise _Unhandled
        cls = rev.MappingStartEvent if kind == "MappingStartEvent" else rev.SequenceStartEvent
        return cls(None, None, ev.implicit, sm, em, flow_style=bool(ev.flow_style))
    if kind == "DocumentStartEvent":
        if ev.version is not None or ev.tags:
            raise _Unhandled
        return rev.DocumentStartEvent(sm, em, explicit=bool(ev.explicit))
    if kind == "DocumentEndEvent":
        return rev.DocumentEndEvent(sm, em, explicit=bool(ev.explicit))
    if kind in ("MappingEndEvent", "SequenceEndEvent", "StreamEndEvent"):
        return getattr(rev, kind)(sm, em)
    if kind == "StreamStartEvent":
        return rev.StreamStartEvent(sm, em)
    raise _Unhandled  # pragma: no cover - PyYAML has no other event types


def libyaml_events(text: str) -> list[Any]:
    """The ruamel events of ``text`` from libyaml (raises on a text left to ruamel)."""
    if _CParser is None or any(c in text for c in _LEFT_TO_RUAMEL) or _LENIENT.search(text):
        raise _Unhandled
    parser = _CParser(text)
    try:
        out = []
        while parser.check_event():
            out.append(_convert(parser.get_event()))
        return out
    finally:
        parser.dispose()


def ruamel_events(text: str) -> list[Any]:
    """The events of ruamel's own (pure-Python) parser, to compare against in tests."""
    return list(YAML(typ="rt").parse(text))


class _EventList:
    """The parser interface ruamel's composer uses, over a list of events."""

    def __init__(self, events: list[Any]) -> None:
        self._events = events
        self._i = 0

    def check_event(self, *choices: type) -> bool:
        if self._i >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._i], choices)

    def peek_event(self) -> Any:
        return self._events[self._i]

    def get_event(self) -> Any:
        self._i += 1
        return self._events[self._i - 1]

    def dispose(self) -> None:
        self._events = []


def load_fast(text: str) -> tuple[bool, Any]:
    """``(True, tree)`` with the tree ``YAML(typ="rt")`` loads from ``text`` (duplicate keys
    not allowed), or ``(False, None)`` when the text is left to ruamel (see the module notes).
    """
    try:
        events = libyaml_events(text)
    except Exception:  # noqa: BLE001 - any libyaml error: ruamel parses and locates it
        return False, None
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml._parser = _EventList(events)  # ruamel's composer reads the loader's ``_parser``
    try:
        return True, yaml.constructor.get_single_data()
    except Exception:  # noqa: BLE001 - a composer/constructor error: ruamel reports it
        return False, None
