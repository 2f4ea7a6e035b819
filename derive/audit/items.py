"""The items an audit reports, and the judge of the reference notation (derive.reader)."""
from __future__ import annotations

import itertools
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
    """A judge that reads the reference notation (derive.reader) and asks ``checker``."""
    from derive.reader import read

    def judge(latex: str) -> list[Item]:
        def item(verdict, diagnosis, unjudged=False, text=latex):
            return Item(0, 0, text, verdict, diagnosis, unjudged)

        if "=" not in latex:
            return [item("skipped", "no equation (no =) in this display")]
        if r"\text{new}" in latex:
            return [item("skipped", "a definition (the update rule), nothing to prove")]
        parts = read(latex, arch, loss_names)
        verdicts = checker.check(parts)
        texts = link_texts(latex, len(parts))
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
            result.append(found)
        return result

    return judge


def member_texts(latex: str) -> list[str]:
    """``A = B = C`` -> ["A", "B", "C"] (split at = outside braces)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in latex:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if char == "=" and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def link_texts(latex: str, count: int) -> list[str]:
    """``A = B = C`` -> ["A = B", "B = C"] (split at = outside braces)."""
    parts = member_texts(latex)
    if len(parts) != count:
        return [latex] * (count - 1)
    return [f"{a} = {b}" for a, b in itertools.pairwise(parts)]
