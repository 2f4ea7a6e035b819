"""Auditing an article: every equation it writes, checked link by link and reported by line.

Stages: ``frame`` (derive/audit/frame.py) finds the formulas of a Markdown or LaTeX document;
``equations`` groups their rows into chains; ``derive.audit.article.ArticleJudge`` learns the
article's own names from its definitions (derive/audit/flat.py), checks its worked numbers
with the digits it prints (derive/audit/numbers.py), and reads everything else in the chosen
notation (``--notation NAME|FILE.toml|auto``, ``--symbols``) for the checker.

Inside a display, rows (split at ``\\\\``) that start with ``=`` continue the chain, rows that
start with ``+``, ``-`` or ``\\cdot`` or have no ``=`` of their own continue the expression,
other rows start a new equation; a row that lists equations (``a = 1, \\quad b = 2``) is split
into them; a display that starts with ``=`` continues the chain of the display before it.
Each link ``A = B`` of a chain is one item, reported at the lines of its own two members (a
wrong one at the member to blame); when a member B is to blame in ``A = B = C``, ``A = C`` is
judged too and reported at C's lines, so a member after a slip is cleared or blamed on its own. An inline formula is an item only when it holds an
equation that could be judged (right, wrong or undecided); a bare symbol like ``$$i$$`` or an
inline remark that cannot be read is prose, not an item.

Scanning is linear in the article's length. A display opened and never closed is an item of
its own ("skipped: unterminated …", at the line it opens). One equation's failure is that
item's verdict, never the end of the audit; identical equations are judged once; past
``AUDIT_SECONDS`` the remaining equations are "skipped" as not judged.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from derive.audit.frame import Formula, Row, frame
from derive.audit.items import Item, Judge, checker_judge, has_top_level_equals, link_texts
from derive.errors import DeriveError
from derive.judge.formula import is_count

AUDIT_SECONDS = 35.0  # past this, the remaining equations are skipped as not judged (one may run 16 s more)
_CONTINUES_EXPRESSION = re.compile(r"^(\+|-|\\cdot|\\times|\*|\\odot)")
_LAYOUT = re.compile(r"&|\\q?quad|\\[;,!:> ]|\\displaystyle")


@dataclass(frozen=True)
class Equation:
    """One chain as written: its rows (from one or more displays) and whether it is inline."""

    rows: tuple[Row, ...]
    inline: bool

    @property
    def latex(self) -> str:
        return " ".join(r.text.strip() for r in self.rows)

    @property
    def line(self) -> int:
        return self.rows[0].line

    @property
    def end_line(self) -> int:
        return self.rows[-1].line


def equations(formulas: tuple[Formula, ...] | list[Formula]) -> list[Equation]:
    """Group rows into equations (chains): a row that starts with = continues the chain (also
    across displays); inside a formula, a row that starts with an operator or has no = of its
    own continues the expression; any other row starts a new equation. Inline formulas are
    equations of their own and never join a chain."""
    result: list[list[Row]] = []
    inline: list[bool] = []
    last_display = -1
    for formula in formulas:
        rows = [Row(piece, row.line) for row in formula.rows for piece in split_list(row.text)]
        for number, row in enumerate(rows):
            stripped = _LAYOUT.sub(" ", row.text).strip()
            starts_with_equals = stripped.startswith("=")
            if number > 0 and (starts_with_equals or _CONTINUES_EXPRESSION.match(stripped)
                               or not has_top_level_equals(stripped)):
                result[-1].append(row)
            elif number == 0 and starts_with_equals and not formula.inline and last_display >= 0:
                result[last_display].append(row)
            else:
                result.append([row])
                inline.append(formula.inline)
                if not formula.inline:
                    last_display = len(result) - 1
    return [Equation(tuple(rows), flag) for rows, flag in zip(result, inline, strict=True)]


_TRAILING = re.compile(r"(?<!\\)[\s,;.]+$")  # sentence punctuation after a formula
_SEPARATOR = re.compile(r",|;|\\qquad\b|\\quad\b|\\text\s*\{\s*(?:and|,|;)\s*\}")


def split_list(text: str) -> list[str]:
    """``i_1 = 0.1, \\quad i_2 = 0.3`` -> two equations: a row that lists equations separated by
    commas, semicolons or quads (outside brackets), each with its own =, is split into them;
    anything else stays one row."""
    if text.count("=") < 2:
        return [text]
    cuts, depth, k = [], 0, 0
    while k < len(text):
        char = text[k]
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        if depth == 0 and char in ",;\\":
            match = _SEPARATOR.match(text, k)
            if match:
                cuts.append((match.start(), match.end()))
                k = match.end()
                continue
        k += 2 if char == "\\" else 1  # a macro's first character is never a separator
    spans: list[list[int]] = []  # [start, end] of each equation, separators inside merged ones kept
    start = 0
    for cut_start, cut_end in [*cuts, (len(text), len(text))]:
        stripped = _LAYOUT.sub(" ", text[start:cut_start]).strip()
        if not stripped:
            start = cut_end
            continue
        if spans and (not has_top_level_equals(stripped) or stripped.startswith("=")):
            spans[-1][1] = cut_start  # a piece without its own = belongs to the one before
        else:
            spans.append([start, cut_start])
        start = cut_end
    pieces = [_TRAILING.sub("", text[a:b]) for a, b in spans]
    return pieces if len(pieces) >= 2 else [_TRAILING.sub("", text)]


def member_lines(equation: Equation) -> list[tuple[int, int]]:
    """(first line, last line) of each member of the chain A = B = C (split at = outside braces)."""
    result: list[tuple[int, int]] = []
    start = None
    last = equation.rows[0].line
    for row in equation.rows:
        depth = 0
        text = _LAYOUT.sub(" ", row.text)
        line = row.line - text[:len(text) - len(text.lstrip())].count("\n")  # the row's text may start earlier
        for char in text:
            line += char == "\n"
            depth += char == "{"
            depth -= char == "}"
            if char == "=" and depth == 0:
                result.append((start if start is not None else line, last if start is not None else line))
                start = None
                continue
            if not char.isspace() and start is None:
                start = line
            if not char.isspace():
                last = line
    result.append((start if start is not None else last, last))
    return result


def audit_text(text: str, judge: Judge, tex: bool = False) -> list[Item]:
    """Every equation of a document as items; never raises for one equation's sake."""
    framing = frame(text, tex)
    found = equations(framing.formulas)
    prepare = getattr(judge, "prepare", None)
    if prepare is not None:
        prepare(found)
    items = []
    for gap in framing.unterminated:
        items.append(Item(gap.line, gap.line, gap.opener, "skipped",
                          f"unterminated {gap.opener} block: opened at line {gap.line} and never closed with "
                          f"{gap.closer}; its equations are not judged", unjudged=True))
    deadline = time.monotonic() + AUDIT_SECONDS
    judged: dict[str, list[Item]] = {}  # identical equations are judged once
    for equation in found:
        latex = equation.latex
        if equation.inline and (not has_top_level_equals(_LAYOUT.sub(" ", latex)) or is_count(latex)):
            continue  # a symbol, an expression or a count ($L = 3$ layers) in the prose, not an equation
        if latex not in judged:
            if time.monotonic() > deadline:
                if not equation.inline:
                    items.append(Item(equation.line, equation.end_line, latex, "skipped",
                                      f"not judged: the audit's time budget of {AUDIT_SECONDS:g} s ran out",
                                      unjudged=True))
                continue
            judged[latex] = [Item(0, 0, latex, "skipped", "a value the article gives (a name set to a whole "
                                  "number: a size, a count or a worked value), nothing to prove")] \
                if is_count(latex) else _safely(judge, latex)
        outcome = judged[latex]
        if equation.inline and not any(i.verdict in ("right", "wrong", "undecided") for i in outcome):
            continue  # inline prose that is not an equation of the derivation
        members = member_lines(equation)
        links = [i for i in outcome if i.member is None]
        k = 0
        for i in outcome:
            line, end_line = equation.line, equation.end_line
            if len(members) == len(links) + 1:  # one item per link: the lines of its own members
                if i.member is not None and 0 <= i.member < len(members):
                    line, end_line = members[i.member]  # a bridge over a wrong member: at the member it clears
                elif i.verdict == "wrong" and i.blame is not None and 0 <= i.blame < len(members):
                    line, end_line = members[i.blame]
                else:
                    line, end_line = members[k][0], members[k + 1][1]
            k += i.member is None
            items.append(Item(line, end_line, i.latex, i.verdict, i.diagnosis, i.unjudged, plain=i.plain))
    items.sort(key=lambda item: item.line)
    return items


def _safely(judge: Judge, latex: str) -> list[Item]:
    """The judge's items, or one "skipped" item saying why it could not judge."""
    def skipped(reason: str) -> list[Item]:
        return [Item(0, 0, latex, "skipped", reason, True)]

    if _LAYOUT.sub(" ", latex).lstrip().startswith("="):
        return skipped("continues a chain with nothing before it")
    try:
        return judge(latex)
    except DeriveError as error:
        reason = str(error)
        kind = "unreadable" if reason.startswith("unreadable") else "not checkable"
        return skipped(f"{kind}: {reason}")
    except RecursionError:
        return skipped("not checkable: nested too deep to judge")
    except MemoryError:
        return skipped("not checkable: too large to judge in memory")
    except Exception as error:  # noqa: BLE001 -- one equation's failure is its own verdict, never the audit's end
        return skipped(f"not checkable: the checker failed on it ({type(error).__name__}: "
                       f"{str(error).strip()[:120]})")


def audit(text: str, checker, arch, progress=None, loss_names=None, tex: bool = False) -> list[Item]:
    """Every equation of an article judged by ``checker`` (see ``audit_article``)."""
    return audit_article(text, checker, arch, loss_names, tex)[0]


def audit_article(text: str, checker, arch, loss_names=None, tex: bool = False, notation: str = "auto",
                  symbols: str | None = None) -> tuple[list[Item], dict]:
    """Every equation of an article as items, the article's own names learned from its
    definitions (derive.audit.article) unless ``notation`` is "reference", ``symbols`` bound by
    hand ('h=z_1^{(2)}, l=L'); and the notation used: {"name", "symbols" (the article's names
    and what they are), "unbound" (names it uses and never defines)}."""
    from derive.audit.article import ArticleJudge

    judge = ArticleJudge(checker, arch, loss_names, symbols=symbols, learn=notation in ("auto", "flat"),
                         notation=notation)
    items = audit_text(text, judge, tex)
    return items, judge.notation


__all__ = ["AUDIT_SECONDS", "Equation", "Item", "Judge", "audit", "audit_article", "audit_text", "checker_judge",
           "equations", "exit_status", "frame", "has_top_level_equals", "link_texts"]


def exit_status(items: list[Item]) -> tuple[int, str | None]:
    """1 when anything is wrong; 3 when nothing is wrong but something could not be judged,
    or nothing was judged at all (with the reason); 0 when every equation is right."""
    if any(i.verdict == "wrong" for i in items):
        return 1, None
    unjudged = [i for i in items if i.unjudged]
    if not any(i.verdict == "right" for i in items):
        if not items:
            return 3, "nothing judged: the article has no equations ($$ … $$, \\[ … \\], ```math, equation or align)"
        first = unjudged[0] if unjudged else items[0]
        return 3, (f"nothing judged: none of the {len(items)} equation(s) could be checked under this "
                   f"architecture (line {first.line}: {first.diagnosis})")
    if unjudged:
        return 3, f"{len(unjudged)} equation(s) could not be judged (the first at line {unjudged[0].line})"
    return 0, None


