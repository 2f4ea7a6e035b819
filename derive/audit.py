"""Auditing a Markdown article: every display-math equation checked link by link.

Display blocks are ``$$ … $$`` and ``\\[ … \\]``. Inside a block, rows (split at ``\\\\``)
that start with ``=`` continue the chain, rows that start with ``+``, ``-`` or ``\\cdot``
continue the expression, other rows start a new equation; a block that starts with ``=``
continues the chain of the block before it. Each link ``A = B`` of a chain is one item.

Scanning is linear in the article's length. A block opened and never closed is an item of its
own ("skipped: unterminated …", at the line it opens). One equation's failure is that item's
verdict, never the end of the audit; identical equations are judged once; past
``AUDIT_SECONDS`` the remaining equations are "skipped" as not judged.
"""
from __future__ import annotations

import bisect
import itertools
import re
import time
from dataclasses import dataclass

from derive.errors import DeriveError

AUDIT_SECONDS = 35.0  # past this, the remaining equations are skipped as not judged (one may run 16 s more)
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
    verdict: str  # "right" | "wrong" | "undecided" | "skipped"
    diagnosis: str | None
    unjudged: bool = False  # could not be judged (unreadable, unterminated, undecided, …); not in the JSON

    def as_dict(self) -> dict:
        return {"line": self.line, "end_line": self.end_line, "latex": self.latex, "verdict": self.verdict,
                "diagnosis": self.diagnosis}


_DELIMITER = re.compile(r"\$\$|\\\[|\\\]")
_ROW_MARK = re.compile(r"\\begin\s*\{\s*[bpv]?matrix|\\end\s*\{\s*[bpv]?matrix|\\\\")


def display_blocks(markdown: str) -> list[list[Row]]:
    """The display-math blocks of a Markdown text, each as rows with their 1-based lines."""
    return scan(markdown)[0]


def scan(markdown: str) -> tuple[list[list[Row]], list[tuple[int, str]]]:
    """The display blocks, and the blocks opened but never closed as (line, opener); one
    pass over the text."""
    newlines = [k for k, char in enumerate(markdown) if char == "\n"]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    blocks, unterminated = [], []
    opener, start = None, 0
    for match in _DELIMITER.finditer(markdown):
        token = match.group(0)
        if opener is None:
            if token != "\\]":
                opener, start = token, match.end()
            continue
        if (opener == "$$" and token == "$$") or (opener == "\\[" and token == "\\]"):
            blocks.append(_rows(markdown, start, match.start(), line_of))
            opener = None
    if opener is not None:
        unterminated.append((line_of(start - len(opener)), opener))
    return [b for b in blocks if b], unterminated


def _rows(markdown: str, start: int, end: int, line_of) -> list[Row]:
    body = _ENVIRONMENT.sub(lambda m: " " * len(m.group(0)), markdown[start:end])
    rows, offset = [], start
    for piece in _split_rows(body):
        rows.append(Row(piece, line_of(offset + len(piece) - len(piece.lstrip()))))
        offset += len(piece) + 2
    return [r for r in rows if r.text.strip()]


def _split_rows(body: str) -> list[str]:
    """Split at \\\\ outside matrix environments (linear in the body's length)."""
    rows, depth, begin = [], 0, 0
    for match in _ROW_MARK.finditer(body):
        mark = match.group(0)
        if mark.startswith("\\begin"):
            depth += 1
        elif mark.startswith("\\end"):
            depth -= 1
        elif depth == 0:
            rows.append(body[begin:match.start()])
            begin = match.end()
    rows.append(body[begin:])
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


def audit(markdown: str, checker, arch, progress=None, loss_names=None) -> list[Item]:
    """Every equation of ``markdown`` as items; never raises for one equation's sake."""
    blocks, unterminated = scan(markdown)
    items = []
    for line, opener in unterminated:
        closer = "$$" if opener == "$$" else "\\]"
        items.append(Item(line, line, opener, "skipped", f"unterminated {opener} block: opened at line {line} "
                          f"and never closed with {closer}; its equations are not judged", unjudged=True))
    deadline = time.monotonic() + AUDIT_SECONDS
    judged: dict[str, list[Item]] = {}  # identical equations are judged once
    for rows in equations(blocks):
        latex = " ".join(r.text.strip() for r in rows)
        line, end_line = rows[0].line, rows[-1].line
        if latex not in judged:
            if time.monotonic() > deadline:
                items.append(Item(line, end_line, latex, "skipped", f"not judged: the audit's time budget of "
                                  f"{AUDIT_SECONDS:g} s ran out", unjudged=True))
                continue
            judged[latex] = _judge(latex, checker, arch, loss_names)
        items.extend(Item(line, end_line, i.latex, i.verdict, i.diagnosis, i.unjudged) for i in judged[latex])
    items.sort(key=lambda item: item.line)
    return items


def _judge(latex: str, checker, arch, loss_names) -> list[Item]:
    """One equation's items (line numbers filled in by the caller)."""
    from derive.reader import read

    def item(verdict, diagnosis, unjudged=False, text=latex):
        return Item(0, 0, text, verdict, diagnosis, unjudged)

    if "=" not in latex:
        return [item("skipped", "no equation (no =) in this display")]
    if r"\text{new}" in latex:
        return [item("skipped", "a definition (the update rule), nothing to prove")]
    if _LAYOUT.sub(" ", latex).lstrip().startswith("="):
        return [item("skipped", "continues a chain with nothing before it", True)]
    try:
        parts = read(latex, arch, loss_names)
        verdicts = checker.check(parts)
    except DeriveError as error:
        reason = str(error)
        kind = "unreadable" if reason.startswith("unreadable") else "not checkable"
        return [item("skipped", f"{kind}: {reason}", True)]
    except RecursionError:
        return [item("skipped", "not checkable: nested too deep to judge", True)]
    except MemoryError:
        return [item("skipped", "not checkable: too large to judge in memory", True)]
    except Exception as error:  # noqa: BLE001 -- one equation's failure is its own verdict, never the audit's end
        return [item("skipped", f"not checkable: the checker failed on it ({type(error).__name__}: "
                     f"{str(error).strip()[:120]})", True)]
    texts = _link_texts(latex, len(parts))
    result = []
    for k, verdict in enumerate(verdicts):
        if verdict.verdict == "wrong":
            diagnosis = verdict.diagnosis or "the two sides differ and no single change makes them equal"
        elif verdict.verdict == "undecided":
            diagnosis = verdict.how
        else:
            diagnosis = None
        result.append(item(verdict.verdict, diagnosis, verdict.verdict == "undecided", texts[k]))
    return result


def exit_status(items: list[Item]) -> tuple[int, str | None]:
    """1 when anything is wrong; 3 when nothing is wrong but something could not be judged,
    or nothing was judged at all (with the reason); 0 when every equation is right."""
    if any(i.verdict == "wrong" for i in items):
        return 1, None
    unjudged = [i for i in items if i.unjudged]
    if not any(i.verdict == "right" for i in items):
        if not items:
            return 3, "nothing judged: the article has no $$ … $$ or \\[ … \\] display equations"
        first = unjudged[0] if unjudged else items[0]
        return 3, (f"nothing judged: none of the {len(items)} equation(s) could be checked under this "
                   f"architecture (line {first.line}: {first.diagnosis})")
    if unjudged:
        return 3, f"{len(unjudged)} equation(s) could not be judged (the first at line {unjudged[0].line})"
    return 0, None


def _link_texts(latex: str, count: int) -> list[str]:
    """``A = B = C`` -> ["A = B", "B = C"] (split at = outside braces)."""
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
    if len(parts) != count:
        return [latex] * (count - 1)
    return [f"{a} = {b}" for a, b in itertools.pairwise(parts)]
