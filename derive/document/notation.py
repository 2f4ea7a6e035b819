"""The writer's view of the notation table: ``derive.notation`` holds every notation as data
(templates read by the reader too); this module keeps the names the document code imports.

``NOTATIONS`` here are the notations that can write a whole document (every preset but
``flat``, whose names come from an article); ``notation(name)`` also takes a FILE.toml or
an already built ``Notation`` (one with ``--symbols`` applied).
"""
from __future__ import annotations

from derive.notation import NOTATIONS as _ALL
from derive.notation import Notation
from derive.notation import notation as _notation

NOTATIONS: dict[str, Notation] = {name: n for name, n in _ALL.items() if n.templates}


def notation(name: str | Notation) -> Notation:
    """The table entry for ``name`` (a preset, a FILE.toml, or a Notation itself); an unknown
    name is a one-line error."""
    if isinstance(name, Notation):
        return name
    return _notation(name)


__all__ = ["NOTATIONS", "Notation", "notation"]
