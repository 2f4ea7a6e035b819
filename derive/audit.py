"""Auditing a Markdown article: every display-math equation checked link by link.

Display blocks are ``$$ … $$`` and ``\\[ … \\]``. Inside a block, rows (split at ``\\\\``)
that start with ``=`` continue the chain, rows that start with ``+``, ``-`` or ``\\cdot``
continue the expression, other rows start a new equation; a block that starts with ``=``
continues the chain of the block before it. Each link ``A = B`` of a chain is one item.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from derive.errors import DeriveError

_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*(aligned|align\*?|equation\*?|gathered|split|array)\s*\}(\{[^}]*\})?")
_CONTINUES_EXPRESSION = re.compile(r"^(\+|-|\\cdot|\\times|\*|\\odot)")


@dataclass
class Row:
    text: str
    line: int


@dataclass
class Item:
    line: int
    end_line: int
    latex: str
    verdict: str  # "right" | "wrong" | "skipped"
    diagnosis: str | None

    def as_dict(self) -> dict:
        return {"line": self.line, "end_line": self.end_line, "latex": self.latex, "verdict": self.verdict,
                "diagnosis": self.diagnosis}


def display_blocks(markdown: str) -> list[list[Row]]:
    """The display-math blocks of a Markdown text, each as rows with their 1-based lines."""
    blocks = []
    pattern = re.compile(r"\$\$(.*?)\$\$|\\\[(.*?)\\\]", re.DOTALL)
    for match in pattern.finditer(markdown):
        body = match.group(1) if match.group(1) is not None else match.group(2)
        start = match.start(1) if match.group(1) is not None else match.start(2)
        body = _ENVIRONMENT.sub(lambda m: " " * len(m.group(0)), body)
        rows, offset = [], start
        for piece in _split_rows(body):
            line = markdown.count("\n", 0, offset + len(piece) - len(piece.lstrip())) + 1
            rows.append(Row(piece, line))
            offset += len(piece) + 2
        blocks.append([r for r in rows if r.text.strip()])
    return [b for b in blocks if b]


def _split_rows(body: str) -> list[str]:
    """Split at \\\\ outside matrix environments."""
    rows, depth, current, k = [], 0, [], 0
    while k < len(body):
        if re.match(r"\\begin\s*\{\s*[bpv]?matrix", body[k:]):
            depth += 1
        elif re.match(r"\\end\s*\{\s*[bpv]?matrix", body[k:]):
            depth -= 1
        if depth == 0 and body.startswith("\\\\", k):
            rows.append("".join(current))
            current = []
            k += 2
            continue
        current.append(body[k])
        k += 1
    rows.append("".join(current))
    return rows


_LAYOUT = re.compile(r"&|\\q?quad|\\[;,!:> ]|\\displaystyle")


def equations(blocks: list[list[Row]]) -> list[list[Row]]:
    """Group rows into equations (chains): a row that starts with = continues the chain (also
    across blocks); inside a block, a row that starts with an operator or has no = of its own
    continues the expression; any other row starts a new equation."""
    result: list[list[Row]] = []
    for block in blocks:
        for number, row in enumerate(block):
            stripped = _LAYOUT.sub(" ", row.text).strip()
            continues = stripped.startswith("=") or (number > 0 and (
                _CONTINUES_EXPRESSION.match(stripped) or not _has_top_level_equals(stripped)))
            if result and continues:
                result[-1].append(row)
            else:
                result.append([row])
    return result


def _has_top_level_equals(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char == "{"
        depth -= char == "}"
        if char == "=" and depth == 0:
            return True
    return False


def audit(markdown: str, checker, arch, progress=None) -> list[Item]:
    from derive.reader import read

    items = []
    for rows in equations(display_blocks(markdown)):
        latex = " ".join(r.text.strip() for r in rows)
        line, end_line = rows[0].line, rows[-1].line
        if "=" not in latex:
            items.append(Item(line, end_line, latex, "skipped", "no equation (no =) in this display"))
            continue
        if r"\text{new}" in latex:
            items.append(Item(line, end_line, latex, "skipped", "a definition (the update rule), nothing to prove"))
            continue
        if _LAYOUT.sub(" ", latex).lstrip().startswith("="):
            items.append(Item(line, end_line, latex, "skipped", "continues a chain with nothing before it"))
            continue
        try:
            parts = read(latex, arch)
            verdicts = checker.check(parts)
        except DeriveError as error:
            reason = str(error)
            kind = "unreadable" if reason.startswith("unreadable") else "not checkable"
            items.append(Item(line, end_line, latex, "skipped", f"{kind}: {reason}"))
            continue
        texts = _link_texts(latex, len(parts))
        for k, verdict in enumerate(verdicts):
            diagnosis = verdict.diagnosis if verdict.verdict == "wrong" else None
            if verdict.verdict == "wrong" and diagnosis is None:
                diagnosis = "the two sides differ and no single change makes them equal"
            items.append(Item(line, end_line, texts[k], verdict.verdict, diagnosis))
    return items


def _link_texts(latex: str, count: int) -> list[str]:
    """``A = B = C`` -> ["A = B", "B = C"] (split at = outside braces)."""
    parts, depth, current = [], 0, []
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
    if len(parts) != count:
        return [latex] * (count - 1)
    return [f"{a} = {b}" for a, b in itertools.pairwise(parts)]
