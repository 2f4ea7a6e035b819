"""Emit dependency-free NumPy modules (forward pass and gradients) from a derivation."""
from __future__ import annotations

from pathlib import Path

import jinja2

from derive.derivation import Derivation
from derive.errors import DeriveError
from derive.losses import loss as loss_entry

FORMS = ("matrix", "unrolled")
DTYPES = ("float64", "float32")

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)


def docstring_text(text: str) -> str:
    """``text`` as it may stand inside a generated module's \"\"\" docstring: backslashes and
    quotes escaped, line breaks and other unprintable characters written as escapes, so any
    path or user text stays one line of one docstring and its value is ``text`` itself."""
    out = []
    for character in str(text):
        if character in '\\"':
            out.append("\\" + character)
        elif character.isprintable():
            out.append(character)
        else:
            out.append(repr(character)[1:-1])
    return "".join(out)


_environment.filters["docstring"] = docstring_text


def generate(d: Derivation, form: str = "matrix", dtype: str = "float64", command: str | None = None) -> str:
    """The source of a module for ``d.arch`` in ``form``; ``command`` goes in its header."""
    from codegen import matrix, unrolled

    if form not in FORMS:
        raise DeriveError(f"unknown form {form!r}; use one of: {', '.join(FORMS)}")
    if dtype not in DTYPES:
        raise DeriveError(f"unknown dtype {dtype!r}; use one of: {', '.join(DTYPES)}")
    if d.pattern is None:
        raise DeriveError(f"no code for {d.arch.describe()}: its matrix pattern was not proven ({d.failure})")
    arch = d.arch
    context = {
        "description": arch.describe(),
        "form": form,
        "command": command or f"derive code {arch.command_options()} --form {form} --dtype {dtype} -o MODULE.py",
        "notes": _notes(arch),
        "pattern_lines": d.proven.lines(),
        "n_in": arch.widths[0],
        "n_out": arch.widths[-1],
        "shape_text": ", ".join(f"{name} {arch.shape(name)}" for name in arch.parameter_names),
        "architecture": repr(arch.as_dict()),
        "shapes": repr({name: arch.shape(name) for name in arch.parameter_names}),
        "dtype": dtype,
    }
    if form == "matrix":
        context.update(matrix.plan(d))
    else:
        context.update(unrolled.plan(d))
    return _environment.get_template(f"{form}.py.jinja").render(context)


def _notes(arch) -> list[str]:
    """The loss's label contract (its registry entry), followed by a blank line, or nothing."""
    note = loss_entry(arch.loss).label_note
    return [*note, ""] if note else []
