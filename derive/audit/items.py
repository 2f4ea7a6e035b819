"""The items an audit reports, and the judge of the reference notation (arrows, then layer)."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Item:
    line: int
    end_line: int
    latex: str
    verdict: str  # "right" | "wrong" | "undecided" | "skipped"
    diagnosis: str | None
    unjudged: bool = False  # could not be judged (unreadable, unterminated, undecided, …); not in the JSON
    blame: int | None = None  # a wrong link: the position in the chain of the member at fault
    member: int | None = None  # no link but a bridge over a wrong member: reported at this member's lines
    plain: str | None = None  # the diagnosis in plain Unicode, for a terminal (None: as ``diagnosis``)

    @property
    def shown(self) -> str | None:
        """The diagnosis as a terminal shows it."""
        return self.plain or self.diagnosis

    def as_dict(self) -> dict:
        return {"line": self.line, "end_line": self.end_line, "latex": self.latex, "verdict": self.verdict,
                "diagnosis": self.diagnosis}


Judge = Callable[[str], list[Item]]  # one equation's LaTeX -> its items (lines filled in by audit)


def has_top_level_equals(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char == "{"
        depth -= char == "}"
        if char == "=" and depth == 0:
            return True
    return False


def checker_judge(checker, arch, loss_names=None) -> Judge:
    """A judge that reads the reference notation (``formula.REFERENCE``: its first preset under
    which the formula reads and binds) and asks ``checker``."""
    from derive.judge import formula
    from derive.notation import chosen_loss_name

    only = chosen_loss_name(loss_names)

    def judge(latex: str) -> list[Item]:
        def item(verdict, diagnosis, unjudged=False, text=latex):
            return Item(0, 0, text, verdict, diagnosis, unjudged)

        if "=" not in latex:
            return [item("skipped", "no equation (no =) in this display")]
        if r"\text{new}" in latex:
            return [item("skipped", "a definition (the update rule), nothing to prove")]
        notation = formula.choose(latex, arch, loss_name=only, candidates=formula.REFERENCE)
        formula.refuse_absent(latex, notation, arch)  # x_3^{(3)} past the last node names nothing
        verdicts = checker.judge(latex, loss_names, notation)
        texts = link_texts(latex, len(verdicts) + 1)
        result = []
        for k, verdict in enumerate(verdicts):
            if verdict.verdict == "wrong":
                diagnosis = verdict.diagnosis or "the two sides differ and no single change makes them equal"
            elif verdict.verdict == "undecided":
                diagnosis = verdict.how
            else:
                diagnosis = None
            found = item(verdict.verdict, diagnosis, verdict.verdict == "undecided", texts[k])
            found.blame = getattr(verdict, "blame", None)
            found.plain = verdict.diagnosis_text if verdict.verdict == "wrong" else None
            result.append(found)
        return result

    return judge


_RELATION = re.compile(r":=|=|≔|≡|\\(?:equiv|coloneqq|triangleq)(?![A-Za-z])")  # read as = (derive.reader.parse)


_MACRO = re.compile(r"\\[A-Za-z]+|\\.?", re.DOTALL)


def _split(latex: str) -> tuple[list[str], list[str]]:
    """``A = B \\equiv C`` -> (["A", "B", "C"], ["=", "\\equiv"]): split at the relations outside braces."""
    parts: list[str] = []
    relations: list[str] = []
    depth, start, k = 0, 0, 0
    while k < len(latex):
        char = latex[k]
        match = _RELATION.match(latex, k) if depth == 0 else None
        if match:
            parts.append(latex[start:k].strip())
            relations.append(match.group(0))
            k = start = match.end()
            continue
        if char == "\\":  # a macro (\\leq, \\{) is one token
            name = _MACRO.match(latex, k)
            k += len(name.group(0)) if name else 1
            continue
        depth += (char == "{") - (char == "}")
        k += 1
    parts.append(latex[start:].strip())
    return parts, relations


def member_texts(latex: str) -> list[str]:
    """``A = B = C`` -> ["A", "B", "C"] (split at =, :=, \\equiv … outside braces)."""
    return _split(latex)[0]


def link_texts(latex: str, count: int) -> list[str]:
    """``A = B \\equiv C`` -> ["A = B", "B \\equiv C"] (split at the relations outside braces)."""
    parts, relations = _split(latex)
    if len(parts) != count:
        return [latex] * (count - 1)
    return [f"{a} {relation} {b}" for (a, b), relation in zip(itertools.pairwise(parts), relations, strict=True)]
