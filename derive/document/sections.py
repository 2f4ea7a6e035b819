"""What a derivation document holds: its sections by name (``--sections``) and the ways of
writing the chain rule (``--steps``), each with the sections it writes by default. Plain
data, read by the document builder and the commands alike."""
from __future__ import annotations

from derive.errors import DeriveError

# The sections a document may hold, in the order written (``--sections``); one table.
SECTIONS = {
    "network": "the input, weights, biases and labels with every entry",
    "diagram": "the network drawn with every edge labelled",
    "loss": "the loss",
    "forward": "each layer, compact and node by node",
    "expanded": "every layer and the loss written out in full down to the inputs",
    "gradients": "the gradients as matrices of partial derivatives",
    "update": "the update rules of the weights and biases",
    "chain": "the chain rule for each chosen element, written as --steps says",
    "short": "the chosen element's result in named quantities",
    "elements": "the other elements of its matrix and the deltas they use",
    "matrix": "its gradient matrix and the matrix product it is",
    "pattern": "the delta recurrence for every layer",
}
# --steps: how the chain rule is written, and the sections written by default.
STEPS = {
    "full": ("the chain rule step by step on the expanded loss, as the articles do it", tuple(SECTIONS)),
    "named": ("the chain rule through the named quantities z and x, one line per factor",
              tuple(name for name in SECTIONS if name not in ("expanded", "elements"))),
    "result": ("short forms, gradient matrices and the pattern only", ("short", "elements", "matrix", "pattern")),
}
DEFAULT_STEPS = "named"


def chosen_sections(steps: str = DEFAULT_STEPS, spec=None) -> frozenset:
    """The sections to write: the defaults of ``steps``, changed by ``spec`` ("-forward,-update"
    omits from the defaults, "+expanded" adds, "network,loss" names the whole set; a list of
    such items does the same). An unknown name is a one-line error."""
    if steps not in STEPS:
        raise DeriveError(f"--steps {steps!r}: choose one of {', '.join(STEPS)}")
    items = [t.strip() for t in (spec.split(",") if isinstance(spec, str) else spec or ()) if t.strip()]
    chosen = set(STEPS[steps][1]) if all(t[0] in "+-" for t in items) else set()
    for item in items:
        name = item.lstrip("+-").strip()
        if name not in SECTIONS:
            raise DeriveError(f"--sections: unknown section {name!r}; the sections are {', '.join(SECTIONS)}")
        (chosen.discard if item.startswith("-") else chosen.add)(name)
    return frozenset(chosen)
