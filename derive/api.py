"""The Python API for notebooks: ``derive.check`` and ``derive.audit`` return verdict objects.

    >>> import derive
    >>> result = derive.check(r"\\frac{\\partial MSE}{\\partial x_1^{(3)}} = 2 (x_1^{(3)} - y_1)", "3-2-2")
    >>> result.verdict
    'right'

A ``Check`` holds one ``Verdict`` per link of the chain; an ``Audit`` one per item of the
article, with its lines. Both show as a table in Jupyter (``_repr_markdown_``,
``_repr_html_``); ``verdict``, ``kind``, ``diagnosis`` (plain Unicode), ``diagnosis_latex``,
``counterexample`` and ``lines`` are plain attributes.
"""
from __future__ import annotations

import html
import itertools
import types
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from derive.architecture import Architecture
from derive.errors import DeriveError


@dataclass
class Verdict:
    """One judged link (or audit item): ``verdict`` is "right", "wrong", "undecided" or "skipped"."""

    latex: str
    verdict: str
    kind: str | tuple | None = None
    diagnosis: str | None = None  # plain Unicode
    diagnosis_latex: str | None = None
    how: str = ""
    counterexample: dict | None = None
    lines: tuple[int, int] | None = None
    blame: int | None = None  # the chain member at fault (0 is the leftmost)

    def __bool__(self) -> bool:
        return self.verdict == "right"

    def _row(self) -> tuple[str, ...]:
        where = "" if self.lines is None else (str(self.lines[0]) if self.lines[0] == self.lines[1]
                                               else f"{self.lines[0]}–{self.lines[1]}")
        kind = "" if self.kind is None else (" + ".join(self.kind) if isinstance(self.kind, tuple) else self.kind)
        why = self.diagnosis or (self.how if self.verdict == "undecided" else "")
        return where, self.verdict, kind, why, self.latex

    def _repr_markdown_(self) -> str:
        return _markdown_table([self._row()], lines=self.lines is not None)

    def _repr_html_(self) -> str:
        return _html_table([self._row()], lines=self.lines is not None)


@dataclass
class Check:
    """The verdict of one equation chain: wrong if any link is, undecided if any is, else right."""

    latex: str
    links: list[Verdict] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        found = {v.verdict for v in self.links}
        return "wrong" if "wrong" in found else "undecided" if "undecided" in found else "right"

    @property
    def kinds(self) -> list:
        return [v.kind for v in self.links if v.kind is not None]

    @property
    def kind(self):
        kinds = self.kinds
        return kinds[0] if kinds else None

    @property
    def diagnosis(self) -> str | None:
        return next((v.diagnosis for v in self.links if v.diagnosis), None)

    @property
    def counterexample(self) -> dict | None:
        return next((v.counterexample for v in self.links if v.counterexample), None)

    @property
    def exit_status(self) -> int:
        return {"right": 0, "wrong": 1, "undecided": 3}[self.verdict]

    def __bool__(self) -> bool:
        return self.verdict == "right"

    def _repr_markdown_(self) -> str:
        return _markdown_table([v._row() for v in self.links], lines=False)

    def _repr_html_(self) -> str:
        return _html_table([v._row() for v in self.links], lines=False)


@dataclass
class Audit:
    """Every item of an article, with its lines; ``exit_status`` as ``derive audit`` exits."""

    items: list[Verdict]
    exit_status: int
    note: str | None = None
    notation: object = None  # what the audit says about the notation it read the article in

    @property
    def wrong(self) -> list[Verdict]:
        return [i for i in self.items if i.verdict == "wrong"]

    def counts(self) -> dict:
        return {v: sum(i.verdict == v for i in self.items) for v in ("right", "wrong", "undecided", "skipped")}

    def _repr_markdown_(self) -> str:
        return _markdown_table([i._row() for i in self.items], lines=True)

    def _repr_html_(self) -> str:
        return _html_table([i._row() for i in self.items], lines=True)


def _architecture(arch, options: dict) -> Architecture:
    if isinstance(arch, Architecture):
        if options:
            raise DeriveError(f"options {', '.join(sorted(options))} apply to an architecture given as text "
                              "like '3-2-2'; this Architecture already fixes them")
        return arch
    allowed = {"activation", "loss", "bias"}
    unknown = set(options) - allowed
    if unknown:
        raise DeriveError(f"unknown option(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(allowed))}")
    return Architecture.parse(str(arch), **options)


def _notation(notation, symbols: str | None = None, loss_name: str | None = None):
    """A ``derive.notation.Notation`` for a name, a FILE.toml or a Notation; None for "auto"
    without symbols (each formula is read in the first preset under which it binds)."""
    from derive.notation import Notation, parse_symbols
    from derive.notation import notation as named

    if isinstance(notation, Notation):
        chosen = notation
    elif notation == "auto":
        if not symbols and not loss_name:
            return None
        chosen = named("arrows")
    else:
        chosen = named(str(notation))
    if symbols:
        chosen = chosen.with_symbols(parse_symbols(symbols))
    if loss_name:
        chosen = chosen.with_loss_name(loss_name)
    return chosen


def check(latex: str, arch, notation="auto", loss_name: str | None = None, wrt: str | None = None,
          symbols: str | None = None, batch: bool = False, **options) -> Check:
    """Judge one equation chain (``A = B = …``) about the network ``arch`` ("3-2-2" with
    ``activation=``, ``loss=``, ``bias=`` options, or an ``Architecture``), written in
    ``notation`` (a preset name, a FILE.toml, a Notation, or "auto"), with ``symbols`` as
    ``--symbols`` gives them ('h=z^{(2)}, o=x^{(2)}'). ``batch``: the formula's quantities are
    batches of examples (a parameter's gradient sums over them), as the text around it says."""
    from derive.check import Checker
    from derive.derivation import derive
    from derive.judge import formula
    from derive.notation import accepted_loss_names

    architecture = _architecture(arch, options)
    chosen = _notation(notation, symbols, loss_name if notation != "auto" else None)
    names = accepted_loss_names(architecture, loss_name)
    checker = Checker(derive(architecture))
    if not wrt:
        verdicts = checker.judge(latex, names, chosen, batch=batch)
        texts = _link_texts(latex, len(verdicts) + 1)
    else:
        parts = formula.parts(latex, architecture, loss_name)
        from derive import naming
        from derive.document.build import parse_wrt

        if len(parts) != 1:
            raise DeriveError("wrt is for a right side alone; this LaTeX is already an equation")
        name, i, j = parse_wrt(wrt, architecture)
        parts = [sp.Derivative(sp.Symbol(names[0]), naming.parameter_symbol(name, i, j), evaluate=False)] + parts
        verdicts = checker.check(parts)
        texts = [latex.strip()]
    return Check(latex, [Verdict(texts[k], v.verdict, v.kind, v.diagnosis_text, v.diagnosis, v.how,
                                 v.counterexample.as_dict() if v.counterexample else None, None, v.blame)
                         for k, v in enumerate(verdicts)])


def audit(path_or_text, arch, notation: str = "auto", loss_name: str | None = None, symbols: str | None = None,
          **options) -> Audit:
    """Judge every equation of an article (a path to a Markdown or .tex file, or its text), in
    ``notation`` ("auto": the one the article reads in) with ``symbols`` as ``--symbols``."""
    from derive import audit as audit_module
    from derive.check import Checker
    from derive.derivation import derive
    from derive.notation import accepted_loss_names

    architecture = _architecture(arch, options)
    text, tex = str(path_or_text), False
    if isinstance(path_or_text, Path) or ("\n" not in text and len(text) < 4096 and Path(text).is_file()):
        from derive.commands.audit import read_article

        tex = Path(text).suffix.lower() in (".tex", ".ltx", ".latex")
        text = read_article(Path(text))
    checker = Checker(derive(architecture))
    names = accepted_loss_names(architecture, loss_name)
    used = None
    entry = getattr(audit_module, "audit_article", None)  # the audit's entry point (framing, notations)
    if entry is not None:
        items, used = entry(text, checker, architecture, loss_names=names, tex=tex, notation=notation,
                            symbols=symbols)
    else:
        if notation != "auto" or symbols:
            raise DeriveError("this audit reads the reference notation only; use notation='auto'")
        items = audit_module.audit(text, checker, architecture, loss_names=names)
    status, note = audit_module.exit_status(items)
    return Audit([Verdict(i.latex, i.verdict, None, i.shown, i.diagnosis, lines=(i.line, i.end_line),
                          blame=getattr(i, "blame", None)) for i in items], status, note, used)


def _link_texts(latex: str, count: int) -> list[str]:
    """``A = B = C`` -> ["A = B", "B = C"]; the whole formula for each link when the members
    cannot be told apart."""
    from derive.audit.items import member_texts

    parts = member_texts(latex)
    if len(parts) != count:
        return [latex.strip()] * max(1, count - 1)
    return [f"{a} = {b}" for a, b in itertools.pairwise(parts)]


_HEADER = ("lines", "verdict", "kind", "diagnosis", "formula")


def _markdown_table(rows, lines: bool) -> str:
    keep = range(len(_HEADER)) if lines else range(1, len(_HEADER))
    out = ["| " + " | ".join(_HEADER[k] for k in keep) + " |", "|" + "---|" * len(keep)]
    for row in rows:
        cells = [row[k].replace("|", "\\|") for k in keep]
        cells[-1] = f"${cells[-1]}$" if cells[-1] else ""
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _html_table(rows, lines: bool) -> str:
    keep = range(len(_HEADER)) if lines else range(1, len(_HEADER))
    head = "".join(f"<th>{_HEADER[k]}</th>" for k in keep)
    body = []
    for row in rows:
        cells = [html.escape(row[k]) for k in keep]
        cells[-1] = f"<code>{cells[-1]}</code>"
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


class _CallableModule(types.ModuleType):
    """A module that is also its main function: ``derive.check(…)`` and ``derive.audit(…)``
    call the API while ``derive.check`` and ``derive.audit`` stay the modules they are."""

    def __call__(self, *args, **kwargs):
        return self.__dict__["_api_entry"](*args, **kwargs)


def make_callable(module: types.ModuleType, entry) -> None:
    module.__class__ = _CallableModule
    module._api_entry = entry  # type: ignore[attr-defined]
