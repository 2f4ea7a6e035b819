"""Framing a document: where its formulas are, as rows with their 1-based lines.

One pass over the text, linear in its length. What is math:

- display: ``$$ … $$`` on lines of its own, ``\\[ … \\]``, ```` ```math ```` fences, and the
  environments ``equation``, ``align``, ``gather``, ``multline``, ``eqnarray``, ``flalign``,
  ``alignat`` (starred too) outside any other math;
- inline: ``$$ … $$`` with text before or after it on its line (kramdown's inline math),
  ``\\( … \\)``, and ``$ … $`` (pandoc's rule: no space after the opening ``$``, none before
  the closing one, no digit right after it, within one paragraph). An inline formula is
  worth reporting only when it holds an equation; the caller decides (``Formula.inline``).

Markdown: ``>`` blockquote prefixes are read through; code fences (other than ``math``),
code spans and HTML comments ``<!-- … -->`` are not math. TeX (``.tex``): the preamble before ``\\begin{document}`` and
everything after ``\\end{document}`` are skipped, ``%`` comments are blanked, and the same
delimiters are read (``$ … $`` is inline there too). Inside a formula ``\\tag{…}``,
``\\label{…}``, ``\\nonumber``, ``\\notag`` are dropped and ``\\boxed{…}`` is unwrapped.
A display opened and never closed is reported (``Unterminated``) at the line it opens.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

ENVIRONMENTS = ("equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat")


@dataclass(frozen=True)
class Row:
    text: str
    line: int


@dataclass(frozen=True)
class Formula:
    """One piece of math: its rows (split at ``\\\\`` outside matrices) and how it was written."""

    rows: tuple[Row, ...]
    delimiter: str  # "$$", "\\[", "```math", "equation", "align*", …, "$", "\\("
    inline: bool  # inside a line of text (kramdown's $$, \( \), $ $)
    line: int  # where it opens
    end_line: int  # where it closes

    @property
    def latex(self) -> str:
        return " ".join(r.text.strip() for r in self.rows)


@dataclass(frozen=True)
class Unterminated:
    line: int
    opener: str
    closer: str


@dataclass(frozen=True)
class Framing:
    formulas: tuple[Formula, ...]
    unterminated: tuple[Unterminated, ...]


_ENV_NAMES = "|".join(ENVIRONMENTS)
_TOKEN = re.compile(
    r"(?P<fence>^[ \t]*(?:`{3,}|~{3,}))"
    r"|(?P<tick>`+)"
    r"|(?P<open>\\\\?[\[(])"  # \[ or, Markdown-escaped, \\[
    r"|(?P<escape>\\[\\$])"
    r"|(?P<double>\$\$)"
    r"|(?P<single>\$)"
    rf"|(?P<begin>\\begin\s*\{{\s*(?P<env>(?:{_ENV_NAMES})\*?)\s*\}})",
    re.MULTILINE)
_TEX_TOKEN = re.compile(
    r"(?P<escape>\\[\\$%])"
    r"|(?P<double>\$\$)"
    r"|(?P<single>\$)"
    r"|(?P<open>\\\[|\\\()"
    rf"|(?P<begin>\\begin\s*\{{\s*(?P<env>(?:{_ENV_NAMES})\*?)\s*\}})")
_BLOCKQUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.MULTILINE)
_TEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CLOSERS = {"\\[": "\\]", "\\(": "\\)", "$$": "$$"}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _blank(match: re.Match) -> str:
    """The match replaced by spaces, its newlines kept (offsets and lines stay where they were)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def frame(text: str, tex: bool = False) -> Framing:
    """The formulas of a Markdown (or, with ``tex``, LaTeX) document, in order."""
    if tex:
        text = _TEX_COMMENT.sub(_blank, text)
        begin = re.search(r"\\begin\s*\{\s*document\s*\}", text)
        end = re.search(r"\\end\s*\{\s*document\s*\}", text)
        start = begin.end() if begin else 0
        stop = end.start() if end and end.start() >= start else len(text)
        text = re.sub(r"[^\n]", " ", text[:start]) + text[start:stop]
    else:
        text = _HTML_COMMENT.sub(_blank, _BLOCKQUOTE.sub(_blank, text))
    return _Scanner(text, tex).run()


class _Scanner:
    def __init__(self, text: str, tex: bool):
        self.text, self.tex = text, tex
        self.newlines = [k for k, char in enumerate(text) if char == "\n"]
        self.formulas: list[Formula] = []
        self.unterminated: list[Unterminated] = []
        self._no_closing_tick: dict[tuple[int, int], bool] = {}
        self._paragraph_end = -1  # where the paragraph of the last $ ends (a blank line)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def line_end(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def run(self) -> Framing:
        token = _TEX_TOKEN if self.tex else _TOKEN
        position = 0
        while True:
            match = token.search(self.text, position)
            if match is None:
                break
            kind = match.lastgroup if match.lastgroup != "env" else "begin"
            position = getattr(self, f"_{kind}")(match)
        return Framing(tuple(self.formulas), tuple(self.unterminated))

    # tokens outside math; each returns where scanning goes on --------------------------
    def _escape(self, match: re.Match) -> int:
        return match.end()

    def _fence(self, match: re.Match) -> int:
        """A code fence: ```math is display math, any other fence is code (not read)."""
        fence = match.group("fence").strip()
        info_end = self.line_end(match.end())
        info = self.text[match.end():info_end].strip().lower()
        if fence[0] == "`" and "`" in info:
            return self._tick(match)  # a code span that starts a line, not a fence
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        close = closing.search(self.text, info_end + 1) if info_end < len(self.text) else None
        body_end = close.start() if close else len(self.text)
        if info.split()[:1] == ["math"]:
            if close is None:
                self.unterminated.append(Unterminated(self.line_of(match.start()), "```math", fence))
                return info_end
            self._add(info_end + 1, body_end, "```math", False, match.start(), close.end())
        return close.end() if close else len(self.text)

    def _tick(self, match: re.Match) -> int:
        """A code span: skipped up to the same run of backticks on its line (or none)."""
        run = match.group(0).strip()
        start = match.start() + match.group(0).index("`")
        end = self.line_end(start)
        key = (end, len(run))
        if key not in self._no_closing_tick:
            closing = re.compile(rf"(?<!`){re.escape(run)}(?!`)")
            close = closing.search(self.text, start + len(run), end)
            if close:
                return close.end()
            self._no_closing_tick[key] = True
        return start + len(run)

    def _double(self, match: re.Match) -> int:
        start = match.start()
        close = self.text.find("$$", match.end())
        if close < 0:
            self.unterminated.append(Unterminated(self.line_of(start), "$$", "$$"))
            return match.end()
        before = self.text[self.line_start(start):start]
        after_end = self.line_end(close + 2)
        after = self.text[close + 2:after_end]
        inline = bool(before.strip()) or bool(after.strip())
        self._add(match.end(), close, "$$", inline, start, close + 2)
        return close + 2

    def _single(self, match: re.Match) -> int:
        """$ … $ by pandoc's rule; a lone dollar is text."""
        start = match.end()
        if start >= len(self.text) or self.text[start].isspace():
            return start
        if self._paragraph_end < start:
            paragraph = _BLANK_LINE.search(self.text, start)
            self._paragraph_end = paragraph.start() if paragraph else len(self.text)
        limit = self._paragraph_end
        search = start
        while True:
            close = self.text.find("$", search, limit)
            if close < 0:
                return start
            if self.text[close - 1] == "\\":
                search = close + 1
                continue
            if self.text[close - 1].isspace() or self.text[close + 1:close + 2].isdigit():
                return start  # not a closing dollar: the opening one was text
            break
        self._add(start, close, "$", True, match.start(), close + 1)
        return close + 1

    def _open(self, match: re.Match) -> int:
        opener = match.group("open")[-2:]
        closer = _CLOSERS[opener]
        close = self.text.find(closer, match.end())
        if close < 0:
            self.unterminated.append(Unterminated(self.line_of(match.start()), opener, closer))
            return match.end()
        body_end = close - 1 if len(match.group("open")) == 3 and self.text[close - 1] == "\\" else close
        self._add(match.end(), body_end, opener, opener == "\\(", match.start(), close + len(closer))
        return close + len(closer)

    def _begin(self, match: re.Match) -> int:
        name = match.group("env").replace(" ", "")
        closing = re.compile(rf"\\end\s*\{{\s*{re.escape(name)}\s*\}}")
        close = closing.search(self.text, match.end())
        if close is None:
            self.unterminated.append(Unterminated(self.line_of(match.start()), f"\\begin{{{name}}}",
                                                  f"\\end{{{name}}}"))
            return match.end()
        body_start = match.end()
        if name.startswith("alignat"):  # \begin{alignat}{2}
            argument = re.match(r"\s*\{[^{}]*\}", self.text[body_start:body_start + 40])
            body_start += argument.end() if argument else 0
        self._add(body_start, close.start(), name, False, match.start(), close.end())
        return close.end()

    # ---------------------------------------------------------------------------------
    def _add(self, start: int, end: int, delimiter: str, inline: bool, opened: int, closed: int) -> None:
        rows = tuple(_rows(self.text, start, end, self.line_of))
        if rows:
            self.formulas.append(Formula(rows, delimiter, inline, self.line_of(opened),
                                         self.line_of(max(opened, closed - 1))))


_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*(aligned|align\*?|equation\*?|gathered|gather\*?|split|array|"
                          r"multlined|multline\*?|eqnarray\*?|alignedat|alignat\*?)\s*\}(\{[^}]*\})?")
_DROPPED = re.compile(r"\\(?:tag\*?|label)\s*\{[^{}]*\}|\\nonumber\b|\\notag\b")
_BOXED = re.compile(r"\\(?:boxed|fbox|bbox(?:\[[^\]]*\])?)\s*\{")
_ROW_MARK = re.compile(r"\\begin\s*\{\s*[bpvBV]?matrix\*?|\\end\s*\{\s*[bpvBV]?matrix\*?|\\\\")
_ROW_SPACING = re.compile(r"^\s*\[\s*-?[\d.]+\s*(?:pt|em|ex|mm|cm|in|mu)\s*\]")


def _rows(text: str, start: int, end: int, line_of) -> list[Row]:
    body = _clean(text[start:end])
    rows, offset = [], start
    for piece in _split_rows(body):
        spacing = _ROW_SPACING.match(piece)
        shown = " " * spacing.end() + piece[spacing.end():] if spacing else piece
        rows.append(Row(shown, line_of(offset + len(shown) - len(shown.lstrip()))))
        offset += len(piece) + 2
    return [r for r in rows if r.text.strip()]


def _clean(body: str) -> str:
    """Environments, tags, labels blanked and \\boxed unwrapped, every offset kept."""
    body = _ENVIRONMENT.sub(_blank, body)
    body = _DROPPED.sub(_blank, body)
    if "\\b" in body or "\\f" in body:
        body = _unwrap_boxes(body)
    return body


def _unwrap_boxes(body: str) -> str:
    chars = list(body)
    for match in _BOXED.finditer(body):
        depth = 0
        for k in range(match.end() - 1, len(body)):
            depth += body[k] == "{"
            depth -= body[k] == "}"
            if depth == 0:
                chars[match.start():match.end()] = " " * (match.end() - match.start())
                chars[k] = " "
                break
    return "".join(chars)


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
