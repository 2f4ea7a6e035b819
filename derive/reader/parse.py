"""Article LaTeX → syntax trees (``derive.reader.syntax``), with no notation in mind.

``parse(latex)`` gives the members of the chain ``A = B = C``. It is a hand-written
recursive-descent parser over a regular-expression tokenizer, not a generated grammar: what a
superscript is (a layer label, a power, a transpose) depends on what it contains and on
where it stands, ``\\frac{\\partial A}{\\partial B}`` is recognised by looking at the start of
both arguments, ``\\sum_j`` takes the product that follows, and ``f(a, b)`` is a call while
``w (a + b)`` is a product; each is a local decision here, a tangle of terminals and
priorities in a grammar. Every token is consumed once (no backtracking), so the time is
linear in the length; recursion goes as deep as the brackets, which are bounded.

Layout is ignored: ``\\\\`` and ``&`` outside matrices, ``\\;`` ``\\,`` ``\\quad``,
``\\left.`` ``\\right.``, ``\\displaystyle``, ``\\tag{…}``, ``\\label{…}``, ``\\boxed``, the
``aligned``-like environments, and ``\\text{…}`` unless a ``_``, ``^`` or ``(`` makes it a
name. Unicode ∂ ∑ − · × ′ ⊙ ∇ and Greek letters read as their macros. ``:=``, ``\\coloneqq``
and ``\\equiv`` join a chain like ``=``; a chain may start or end with ``=`` (``open_ends``), and a
full stop or comma may end it; ``parse_equations`` reads a block that lists several equations
(``w_1 = 0.15, \\quad w_2 = 0.2``). ``|x|`` and ``\\|x\\|`` are ``Call("abs")`` and
``Call("norm")``. Errors are one-line ``DeriveError``s with the line and column and what was
expected.
"""
from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

from derive.activations import ACTIVATIONS
from derive.errors import DeriveError
from derive.reader.syntax import (
    Add,
    Call,
    Diag,
    Frac,
    Matrix,
    Mul,
    Nabla,
    Number,
    Partial,
    Pow,
    Sum,
    Symbol,
    Transpose,
)

MAX_FORMULA_CHARS = 250_000  # derive's own documents write single equations of 170,000
MAX_NESTING = 60  # brackets and braces inside each other
MAX_DEPTH = 150  # expressions and prefix operators inside each other: keeps the recursion bounded
MAX_EXPONENT = 1_000  # |n| in x^{n}
MAX_NUMBER_DIGITS = 60

GREEK = frozenset([
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho", "sigma", "varsigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi",
    "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell"])
ACCENTS = {"vec": "vec", "hat": "hat", "widehat": "hat", "underline": "underline", "mathbf": "bold",
           "boldsymbol": "bold", "bm": "bold", "bar": "bar", "overline": "bar", "mathcal": "cal",
           "tilde": "tilde", "widetilde": "tilde", "cal": "cal", "bf": "bold"}  # {\cal C}, {\bf x}: old style
OPERATORS = {"*": "star", r"\ast": "star", r"\cdot": "cdot", r"\times": "times", r"\odot": "odot",
             r"\circ": "circ", r"\bullet": "cdot"}
_LAYOUT_MACROS = frozenset([
    r"\;", r"\,", r"\!", r"\:", r"\>", "\\ ", r"\quad", r"\qquad", r"\displaystyle", r"\textstyle",
    r"\scriptstyle", r"\nonumber", r"\notag", r"\limits", r"\nolimits", r"\small", r"\tiny", r"\normalsize",
    r"\large", r"\Large", r"\footnotesize", r"\scriptsize", r"\hfill", r"\boxed", r"\mathstrut", r"\strut",
    r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl", r"\bigr", r"\Bigr",
    r"\biggr", r"\Biggr", r"\bigm", r"\Bigm"])
_SKIP_WITH_ARGUMENT = frozenset([
    r"\tag", r"\tag*", r"\label", r"\hspace", r"\hspace*", r"\vspace", r"\vspace*", r"\color", r"\phantom"])
_TEXT_MACROS = frozenset([
    r"\text", r"\textrm", r"\textit", r"\textbf", r"\textsf", r"\mbox", r"\mathrm", r"\operatorname",
    r"\operatorname*", r"\mathit", r"\mathsf", r"\textnormal", r"\rm"])
_MATRIX_ENVIRONMENTS = frozenset([
    "matrix", "bmatrix", "pmatrix", "vmatrix", "Bmatrix", "Vmatrix", "smallmatrix", "array"])
_LAYOUT_ENVIRONMENTS = frozenset([
    "aligned", "align", "align*", "equation", "equation*", "split", "gather", "gather*", "gathered",
    "multline", "multline*", "eqnarray", "eqnarray*", "alignat", "alignat*", "alignedat", "flalign",
    "flalign*", "displaymath", "math"])
_BRACKETS = {"(": ")", "[": "]", r"\{": r"\}"}
_DELIMITER_MACROS = {r"\lbrack": "[", r"\rbrack": "]", r"\lbrace": r"\{", r"\rbrace": r"\}", r"\{": r"\{",
                     r"\}": r"\}", r"\lparen": "(", r"\rparen": ")", r"\vert": "|", r"\lvert": "|", r"\rvert": "|",
                     r"\|": "‖", r"\Vert": "‖", r"\lVert": "‖", r"\rVert": "‖"}
_DEFINES = frozenset([r"\coloneqq", r"\triangleq", r"\equiv", "≔", "≡"])  # read as =
_BARS = {"|": "abs", "‖": "norm"}  # |x| and ‖x‖ read as Call("abs", …) and Call("norm", …)
_UNICODE = {"‖": r"\|", "∂": r"\partial", "∑": r"\sum", "−": "-", "·": r"\cdot", "⋅": r"\cdot", "×": r"\times",
            "′": "'", "″": "''", "⊙": r"\odot", "∘": r"\circ", "∇": r"\nabla", "→": r"\rightarrow",
            "⊤": r"\top", "ᵀ": "^T", "…": r"\ldots", "⋯": r"\cdots", "∗": "*",
            "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "ϵ": r"\epsilon",
            "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "ξ": r"\xi",
            "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi", "ϕ": r"\phi",
            "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Δ": r"\Delta", "Σ": r"\Sigma", "Θ": r"\Theta",
            "Λ": r"\Lambda", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega", "ℓ": r"\ell"}

_TOKEN = re.compile(r"(?P<ws>\s+)|(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<word>[A-Za-z]+)"
                    r"|(?P<macro>\\(?:[A-Za-z]+\*?|[^A-Za-z]))|(?P<char>.)", re.DOTALL)


def _function_spellings() -> tuple[frozenset, frozenset]:
    """Macro and word spellings of functions: the activation registry's, log/ln/exp, max/min."""
    macros = {r"\log", r"\ln", r"\exp", r"\max", r"\min", r"\sqrt"}
    words = {"log", "ln", "exp", "max", "min", "softmax", "sigmoid", "f", "g"}
    for entry in ACTIVATIONS.values():
        for spelling in entry.spellings:
            (macros if spelling.startswith("\\") else words).add(spelling)
    return frozenset(macros), frozenset(words)


FUNCTION_MACROS, FUNCTION_WORDS = _function_spellings()


class _Token:
    __slots__ = ("end", "kind", "pos", "value")

    def __init__(self, kind: str, value: str, pos: int, end: int):
        self.kind, self.value, self.pos, self.end = kind, value, pos, end

    def __repr__(self):  # for debugging only
        return f"{self.kind}:{self.value}@{self.pos}"


def parse(latex: str, functions: frozenset | tuple = ()) -> list:
    """The members of the chain ``A = B = C`` written in ``latex``, as syntax trees.

    ``functions`` are extra names that are functions when followed by ``(`` (an article's
    ``N(…)``); f, g, the activations' spellings, log, ln and exp always are."""
    _refuse_oversized(latex)
    return _Parser(latex, frozenset(functions)).chain()


def parse_equations(latex: str, functions: frozenset | tuple = ()) -> list[list]:
    """Every chain in ``latex``, where a block lists several equations separated by commas or
    semicolons (``w_1 = 0.15, \\quad w_2 = 0.20``); ``parse`` for a block of one."""
    _refuse_oversized(latex)
    return _Parser(latex, frozenset(functions)).chains()


def parse_one(latex: str, functions: frozenset | tuple = ()):
    """A single expression (no ``=``): the right side of ``--symbols`` and notation templates."""
    members = parse(latex, functions)
    if len(members) != 1:
        raise DeriveError(f"{latex.strip()!r} is an equation; expected a single expression")
    return members[0]


def open_ends(latex: str) -> tuple[bool, bool]:
    """Whether the chain in ``latex`` starts with = (it continues the display block before
    it) and whether it ends with = (the next block continues it); layout is ignored."""
    tokens = [t for t in _tokens(latex) if t.kind not in ("&", "\\\\", "text")]
    return (bool(tokens) and tokens[0].kind == "=", bool(tokens) and tokens[-1].kind == "=")


def _refuse_oversized(latex: str) -> None:
    if len(latex) > MAX_FORMULA_CHARS:
        raise DeriveError(f"the formula is {len(latex):,} characters long; formulas of up to "
                          f"{MAX_FORMULA_CHARS:,} characters are read")
    depth = deepest = 0
    for char in latex:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_NESTING:
        raise DeriveError(f"brackets are nested {deepest} deep; formulas nested up to {MAX_NESTING} deep are read")


@lru_cache(maxsize=4096)
def normalized(raw: str) -> str:
    """Source text of a subscript or superscript as a ``Symbol`` keeps it: no spaces or layout,
    no outer braces, names unwrapped, arrows written ``->``, primes as '."""
    text = re.sub(r"\\(?:text|textrm|textit|mathrm|mathit|operatorname|mbox|mathsf)\s*\{([^{}]*)\}", r"\1", raw)
    text = re.sub(r"\\(?:left|right|[bB]igg?[lr]?)\s*(?=[()\[\]])", "", text)
    text = re.sub(r"\\(?:longrightarrow|rightarrow|to)(?![A-Za-z])|→", "->", text)
    text = re.sub(r"\\prime(?![A-Za-z])|′", "'", text)
    text = re.sub(r"\\[;,!: >]|\\q?quad(?![A-Za-z])|\\displaystyle(?![A-Za-z])|\s+", "", text)
    text = text.replace("−", "-")
    while text.startswith("{") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1]
    return text


def _closing(text: str, start: int) -> int:
    """Index of the brace that closes the one at ``start`` (-1 if none)."""
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _braced_argument(latex: str, k: int) -> tuple[str, int] | None:
    """The raw text of the {…} argument starting at or after ``k`` (spaces skipped), and the
    index after it; a single character without braces; None when the text ends."""
    while k < len(latex) and latex[k].isspace():
        k += 1
    if k >= len(latex):
        return None
    if latex[k] == "{":
        end = _closing(latex, k)
        if end < 0:
            return None
        return latex[k + 1:end], end + 1
    if latex[k] == "\\":
        match = re.match(r"\\[A-Za-z]+|\\.", latex[k:])
        assert match is not None  # a backslash at the very end was refused by the tokenizer
        return match.group(0), k + len(match.group(0))
    return latex[k], k + 1


def _tokens(latex: str) -> list[_Token]:
    """Tokens of ``latex``; layout dropped; \\text-like macros, \\begin and \\end read with their
    argument; \\left( and \\right) read as brackets; Unicode read as macros."""
    out: list[_Token] = []
    dropped: set[int] = set()  # the braces of \\boxed{…}, which only draw a frame
    k, n = 0, len(latex)
    while k < n:
        match = _TOKEN.match(latex, k)
        assert match is not None  # the last alternative matches any character
        kind, value, end = match.lastgroup or "char", match.group(0), match.end()
        if kind == "ws":
            k = end
            continue
        if (kind == "char" and value == ":" and latex.startswith("=", end)) or value in _DEFINES:
            stop = end + 1 if value == ":" else end  # h := …, h \coloneqq …: a definition is an equation
            out.append(_Token("=", "=", k, stop))
            k = stop
            continue
        if kind == "char" and value in _UNICODE:
            mapped = _UNICODE[value]
            if mapped == "^T":
                out.extend([_Token("^", "^", k, end), _Token("word", "T", k, end)])
            elif mapped.startswith("\\"):
                out.append(_Token("macro", mapped, k, end))
            else:
                out.extend(_Token(c, c, k, end) for c in mapped)
            k = end
            continue
        if kind == "macro":
            if value == "\\" and end >= n:
                raise _error(latex, k, "a lone \\ at the end", None)
            if value in _LAYOUT_MACROS:
                if value == r"\boxed":
                    opening = re.match(r"\s*\{", latex[end:])
                    closing = _closing(latex, end + opening.end() - 1) if opening else -1
                    if opening and closing > 0:
                        dropped.update((end + opening.end() - 1, closing))
                k = end
                continue
            if value in _SKIP_WITH_ARGUMENT:
                argument = _braced_argument(latex, end)
                if argument is None:
                    raise _error(latex, n, "the end of the formula", "{")
                k = argument[1]
                continue
            if value in (r"\left", r"\right"):
                delimiter = re.match(r"\s*(\\[A-Za-z]+|\\.|.)", latex[end:], re.DOTALL)
                if delimiter is None:
                    raise _error(latex, n, "the end of the formula", "a bracket after " + value)
                text = delimiter.group(1)
                stop = end + delimiter.end()
                if text != ".":
                    text = _DELIMITER_MACROS.get(text, text)
                    if text not in "()[]|‖" and text not in (r"\{", r"\}"):
                        raise _error(latex, end, repr(text), "a bracket after " + value)
                    out.append(_Token(text, text, k, stop))
                k = stop
                continue
            if value in _DELIMITER_MACROS:
                text = _DELIMITER_MACROS[value]
                out.append(_Token(text, text, k, end))
                k = end
                continue
            if value in _TEXT_MACROS:
                argument = _braced_argument(latex, end)
                if argument is None:
                    raise _error(latex, n, "the end of the formula", "{ after " + value)
                content, stop = argument
                kind = "text" if value.startswith(r"\text") or value == r"\mbox" else "roman"
                out.append(_Token(kind, content, k, stop))
                k = stop
                continue
            if value in (r"\begin", r"\end"):
                argument = _braced_argument(latex, end)
                if argument is None:
                    raise _error(latex, n, "the end of the formula", "{environment}")
                name, stop = argument[0].strip(), argument[1]
                if name in _LAYOUT_ENVIRONMENTS:
                    if value == r"\begin" and name.startswith("alignat"):
                        skipped = _braced_argument(latex, stop)
                        stop = skipped[1] if skipped else stop
                    k = stop
                    continue
                if name not in _MATRIX_ENVIRONMENTS:
                    raise _error(latex, k, repr(f"{value}{{{name}}}"), "a matrix environment such as bmatrix")
                if value == r"\begin" and name == "array":
                    spec = _braced_argument(latex, stop)
                    stop = spec[1] if spec else stop
                out.append(_Token(value[1:], name, k, stop))
                k = stop
                continue
            if value == "\\\\":
                optional = re.match(r"\s*\[[^\]]*\]", latex[end:])
                stop = end + optional.end() if optional else end
                out.append(_Token("\\\\", value, k, stop))
                k = stop
                continue
        if kind == "char":
            kind = value
            if k in dropped:
                k = end
                continue
        out.append(_Token(kind, value, k, end))
        k = end
    return out


def _position(latex: str, pos: int) -> tuple[int, int]:
    line = latex.count("\n", 0, pos) + 1
    column = pos - (latex.rfind("\n", 0, pos) + 1) + 1
    return line, column


def _error(latex: str, pos: int, found: str, expected: str | None) -> DeriveError:
    line, column = _position(latex, pos)
    hint = f"; expected {expected}" if expected else ""
    return DeriveError(f"unreadable LaTeX at line {line}, column {column}: unexpected {found}{hint}")


def _starts_with_letter(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+\-,]*", text))


_EXPRESSION_START = "a number, a symbol like x_1^{(2)}, ( or \\frac"


class _Parser:
    def __init__(self, latex: str, functions: frozenset):
        self.latex = latex
        self.tokens = _tokens(latex)
        self.k = 0
        self.in_matrix = 0
        self.depth = 0
        self.functions = functions
        self.splits: set[int] = set()  # where the rest of a word split by x_12 or a^ij starts
        self.bar_open: dict[str, int] = {}  # | and ‖ groups being read: the next bar closes

    # tokens ----------------------------------------------------------------------
    def peek(self) -> _Token | None:
        tokens = self.tokens
        while self.k < len(tokens):
            token = tokens[self.k]
            if not self.in_matrix and token.kind in ("&", "\\\\"):
                self.k += 1
                continue
            if token.kind == "text" and not self._text_is_name():
                self.k += 1
                continue
            return token
        return None

    def _text_is_name(self) -> bool:
        """\\text{net}_{h1} and \\text{softmax}(z) are names; \\text{where} alone is layout."""
        after = self.tokens[self.k + 1] if self.k + 1 < len(self.tokens) else None
        content = self.tokens[self.k].value.strip()
        return (after is not None and after.kind in ("_", "^", "(") and bool(re.fullmatch(r"[A-Za-z]+", content)))

    def peek_kind(self) -> str | None:
        token = self.peek()
        return token.kind if token else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise self.fail("an expression")
        self.k += 1
        return token

    def take_one(self) -> _Token:
        """One character of a word or number (x_12 is x_1 followed by 2, as in LaTeX)."""
        token = self.peek()
        if token is None:
            raise self.fail("a subscript or superscript")
        if token.kind in ("word", "num") and len(token.value) > 1:
            first = _Token(token.kind, token.value[0], token.pos, token.pos + 1)
            self._split(token)
            return first
        self.k += 1
        return token

    def _split(self, token: _Token) -> None:
        """Consume the first character of the word or number at ``self.k``."""
        self.tokens[self.k] = _Token(token.kind, token.value[1:], token.pos + 1, token.end)
        self.splits.add(token.pos + 1)

    def _consumed_end(self) -> int:
        """Where the source consumed so far ends (inside a split word, if one was split)."""
        end = self.tokens[self.k - 1].end if self.k else 0
        current = self._raw()
        if current is not None and current.pos in self.splits and current.pos > end:
            end = current.pos
        return end

    def expect(self, kind: str, shown: str | None = None) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind:
            raise self.fail(shown or kind)
        self.k += 1
        return token

    def fail(self, expected: str | None) -> DeriveError:
        token = self.peek()
        if token is None:
            return _error(self.latex, len(self.latex), "the end of the formula", expected)
        return _error(self.latex, token.pos, repr(self.latex[token.pos:token.end]), expected)

    def _enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise DeriveError(f"the formula nests operators more than {MAX_DEPTH} deep; it is not read")

    # structure -------------------------------------------------------------------
    def chain(self) -> list:
        """Members joined by =; a chain may start or end with = (an article that breaks one
        chain over several display blocks), which ``open_ends`` reports; a full stop or comma
        at the very end is punctuation."""
        members = self._members()
        self._punctuation()
        if self.peek() is not None:
            raise self.fail("=, an operator or the end of the formula")
        return members

    def chains(self) -> list:
        """Equations separated by commas or semicolons (i_1 = 0.1, \\quad i_2 = 0.3)."""
        out = [self._members()]
        while self.peek_kind() in (",", ";"):
            self.k += 1
            if self.peek() is None or (self.peek_kind() == "." and self.k == len(self.tokens) - 1):
                break
            out.append(self._members())
        self._punctuation()
        if self.peek() is not None:
            raise self.fail("=, an operator, a comma between equations or the end of the formula")
        return out

    def _members(self) -> list:
        if self.peek_kind() == "=":
            self.k += 1
        members = [self.expression()]
        while self.peek_kind() == "=":
            self.k += 1
            if self.peek() is None or self.peek_kind() in (",", ";", "."):
                break
            members.append(self.expression())
        return members

    def _punctuation(self) -> None:
        if self.peek_kind() in (",", ".", ";") and self.k == len(self.tokens) - 1:
            self.k += 1

    def expression(self):
        """Terms joined by + and -."""
        self._enter()
        terms: list[tuple[int, object]] = []
        sign = 1
        kind = self.peek_kind()
        if kind in ("+", "-"):
            self.k += 1
            sign = -1 if kind == "-" else 1
        elif kind is None or not self._starts_factor(self.peek()):
            raise self.fail(_EXPRESSION_START)
        while True:
            terms.append((sign, self.product()))
            kind = self.peek_kind()
            if kind not in ("+", "-"):
                break
            self.k += 1
            sign = -1 if kind == "-" else 1
        self.depth -= 1
        if len(terms) == 1 and terms[0][0] == 1:
            return terms[0][1]
        return Add(tuple(terms))

    def product(self):
        """Factors joined by juxtaposition, *, \\cdot, \\times, \\odot, \\circ; a / b divides."""
        factors = [self.factor()]
        ops: list[str] = []
        while True:
            token = self.peek()
            if token is None:
                break
            operator = OPERATORS.get(token.value) if token.kind in ("*", "macro") else None
            if operator is not None:
                self.k += 1
                ops.append(operator)
                factors.append(self.factor(signed=True))
            elif token.kind == "/":
                self.k += 1
                numerator = factors[0] if len(factors) == 1 else Mul(tuple(factors), tuple(ops))
                factors, ops = [Frac(numerator, self.factor(signed=True))], []
            elif self._starts_factor(token):
                previous = factors[-1]
                if token.kind == "(" and self._callable(previous):
                    self.k += 1
                    arguments = self._arguments(")")
                    if len(arguments) > 1 or self._is_function_name(previous):
                        name = Symbol(previous.base, accent=previous.accent).written  # \mathcal{L}(a, y)
                        factors[-1] = self.postfix(Call(name, tuple(arguments), previous.primes))
                        continue
                    ops.append("juxt")
                    factors.append(self.postfix(arguments[0]))
                    continue
                ops.append("juxt")
                factors.append(self.factor())
            else:
                break
        if len(factors) == 1:
            return factors[0]
        return Mul(tuple(factors), tuple(ops))

    def _callable(self, node) -> bool:
        return isinstance(node, Symbol) and node.sub is None and node.sup is None

    def _is_function_name(self, symbol: Symbol) -> bool:
        return (symbol.primes > 0 or symbol.base in FUNCTION_WORDS or symbol.base in self.functions
                or (len(symbol.base) >= 3 and symbol.base.islower() and symbol.base.isalpha()))

    def _starts_factor(self, token: _Token) -> bool:
        kind, value = token.kind, token.value
        if kind in ("num", "word", "(", "[", r"\{", "{", "text", "roman", "begin"):
            return True
        if kind in _BARS:  # an opening bar; a closing one ends the product first (see product)
            return not self.bar_open.get(kind)
        if kind == "macro":
            return value not in OPERATORS and value not in (r"\end", r"\right") and value != r"\}"
        return False

    def factor(self, signed: bool = False):
        """A factor: prefix operators (\\sum, ∂/∂x, \\nabla, a sign after an operator), then an
        atom with its postfix superscripts, subscripts and primes."""
        token = self.peek()
        if token is None:
            raise self.fail(_EXPRESSION_START)
        if signed and token.kind in ("+", "-"):
            self.k += 1
            self._enter()
            inner = self.factor(signed=True)
            self.depth -= 1
            return Add(((-1 if token.kind == "-" else 1, inner),))
        if token.kind == "macro" and token.value == r"\sum":
            return self.summation()
        if token.kind == "macro" and token.value == r"\nabla":
            return self.nabla()
        if token.kind == "macro" and token.value == r"\partial":
            return self.slashed_partial()
        return self.postfix(self.atom())

    def summation(self):
        self.k += 1
        self._enter()
        index = lower = upper = None
        if self.peek_kind() == "_":
            self.k += 1
            index, lower = self._sum_index()
        if self.peek_kind() == "^":
            self.k += 1
            upper = self._script_expression()
        if self.peek() is None or not self._starts_factor(self.peek()):
            raise self.fail("the summand after \\sum")
        body = self.product()
        self.depth -= 1
        return Sum(index, lower, upper, body)

    def _sum_index(self):
        if self.peek_kind() != "{":
            token = self.take_one()
            if token.kind != "word":
                raise _error(self.latex, token.pos, repr(token.value), "an index letter like i")
            return token.value, None
        self.k += 1
        start = self.peek()
        names = []
        while self.peek_kind() in ("word", ","):
            names.append(self.next().value)
        if not names:
            raise self.fail("an index letter like i")
        lower = None
        if self.peek_kind() == "=":
            self.k += 1
            lower = self.expression()
        self.expect("}", "}")
        index = "".join(names)
        if start is not None and not re.fullmatch(r"[A-Za-z]+(,[A-Za-z]+)*", index):
            raise _error(self.latex, start.pos, repr(index), "an index letter like i")
        return index, lower

    def _script_expression(self):
        """The argument of _ or ^ as an expression: {…} or one character or macro."""
        if self.peek_kind() == "{":
            self.k += 1
            value = self.expression()
            self.expect("}", "}")
            return value
        token = self.take_one()
        return self._single(token)

    def _single(self, token: _Token):
        if token.kind == "num":
            return self._number(token)
        if token.kind == "word":
            return Symbol(token.value, text=token.value)
        if token.kind == "macro" and token.value[1:] in GREEK:
            return Symbol(token.value, text=token.value)
        raise _error(self.latex, token.pos, repr(token.value), "a number or a letter")

    def nabla(self):
        self.k += 1
        self._enter()
        wrt = None
        if self.peek_kind() == "_":
            self.k += 1
            wrt = self._script_expression()
        of = self.factor()
        self.depth -= 1
        return Nabla(wrt, of)

    def slashed_partial(self):
        """∂A / ∂B written inline."""
        self.k += 1
        self._enter()
        of = self.postfix(self.atom())
        if self.peek_kind() != "/":
            raise self.fail("/ \\partial … (an inline derivative ∂A/∂B)")
        self.k += 1
        token = self.peek()
        if token is None or token.value != r"\partial":
            raise self.fail("\\partial")
        self.k += 1
        wrt = self.postfix(self.atom())
        self.depth -= 1
        return Partial(of, wrt)

    # atoms -----------------------------------------------------------------------
    def atom(self):
        self._enter()
        node = self._atom()
        self.depth -= 1
        return node

    def _atom(self):
        token = self.peek()
        if token is None:
            raise self.fail(_EXPRESSION_START)
        kind, value = token.kind, token.value
        if kind == "num":
            self.k += 1
            return self._number(token)
        if kind in _BRACKETS:
            self.k += 1
            values = self._arguments(_BRACKETS[kind])
            if len(values) > 1:
                raise _error(self.latex, token.pos, "a list (…, …)", "an expression in brackets")
            return values[0]
        if kind == "{":
            return self._brace_group()
        if kind in _BARS:
            self.k += 1
            self.bar_open[kind] = self.bar_open.get(kind, 0) + 1
            inner = self.expression()
            self.bar_open[kind] -= 1
            self.expect(kind, kind)
            sub = None
            if self.peek_kind() == "_":  # ‖x‖_2
                self.k += 1
                sub = normalized(self._script_raw())
            return Call(_BARS[kind], (inner,), sub=sub)
        if kind == "begin":
            return self.matrix()
        if kind == "macro":
            if value in (r"\frac", r"\dfrac", r"\tfrac", r"\cfrac"):
                return self.fraction()
            if value == r"\diag":
                self.k += 1
                return Diag(self._argument_of("diag"))
            if value in FUNCTION_MACROS:
                return self.function(token, value)
            if value[1:] in GREEK or value[1:] in ACCENTS:
                return self.symbol()
            raise self.fail(_EXPRESSION_START)
        if kind in ("word", "text", "roman"):
            name = value.strip()
            if kind != "word" and name == "diag":
                self.k += 1
                return Diag(self._argument_of("diag"))
            if kind == "roman" and self._next_is_paren() and re.fullmatch(r"[A-Za-z\\_]+", name) \
                    and name != "d":
                return self.function(token, name)
            if kind == "text" and self._next_is_paren():
                return self.function(token, name)
            if kind == "word" and name in ("diag",) and self._next_is_paren():
                self.k += 1
                return Diag(self._argument_of("diag"))
            if kind == "word" and name == "s" and self._next_kind() == "_" and self._next_is_paren() \
                    and self._list_follows():
                return self.function(token, "softmax")  # s_i(z_1, …, z_n): derive's written-out softmax
            return self.symbol()
        raise self.fail(_EXPRESSION_START)

    def _next_kind(self) -> str | None:
        return self.tokens[self.k + 1].kind if self.k + 1 < len(self.tokens) else None

    def _list_follows(self) -> bool:
        """Whether the next ( … ) after the current token holds a list (a comma outside brackets)."""
        k = next(k for k in range(self.k + 1, len(self.tokens)) if self.tokens[k].kind == "(")
        depth = 0
        for token in self.tokens[k:]:
            depth += token.kind in ("(", "[", "{")
            depth -= token.kind in (")", "]", "}")
            if depth == 0:
                return False
            if depth == 1 and token.kind == ",":
                return True
        return False

    def _next_is_paren(self) -> bool:
        """Whether the token after the current one (past a subscript, for softmax_{i}) is (."""
        k = self.k + 1
        tokens = self.tokens
        if k < len(tokens) and tokens[k].kind == "_":
            k += 1
            if k < len(tokens) and tokens[k].kind == "{":
                while k < len(tokens) and tokens[k].kind != "}":
                    k += 1
            k += 1
        if k < len(tokens) and tokens[k].kind == "'":
            k += 1
        return k < len(tokens) and tokens[k].kind == "("

    def _number(self, token: _Token) -> Number:
        digits = sum(c.isdigit() for c in token.value)
        if digits > MAX_NUMBER_DIGITS:
            raise DeriveError(f"a number with {digits} digits; numbers of up to {MAX_NUMBER_DIGITS} digits are read")
        return Number(token.value)

    def _brace_group(self):
        """{…}: a group; {a_l}^i gives the symbol inside it its superscript."""
        start = self.next()
        inner = self.expression()
        self.expect("}", "}")
        if isinstance(inner, Symbol) and self.peek_kind() in ("_", "^"):
            return self._attachments(inner, start.pos)
        return inner

    def _arguments(self, closer: str) -> list:
        values = [self.expression()]
        while self.peek_kind() == ",":
            self.k += 1
            values.append(self.expression())
        self.expect(closer, closer)
        return values

    def _argument_of(self, name: str):
        token = self.peek()
        if token is None or token.kind not in ("(", "[", "{"):
            raise self.fail(f"( after {name}")
        return self.atom()

    def function(self, token: _Token, name: str):
        """A function applied: \\sigma(z), \\sigma'(z), \\sigma^{\\prime}(z), \\log x, relu(z),
        \\operatorname{softmax}_{1}(a, b), g^{[l]}(z)."""
        self.k += 1
        primes, sub, sup = self._function_marks(name)
        text = self.latex[token.pos:self._consumed_end()].strip()
        if name == r"\sqrt":
            if self.peek_kind() == "[":
                raise self.fail("{ (only square roots are read)")
            return Call(name, (self._braced_or_atom(),), primes, sub, sup)
        kind = self.peek_kind()
        if kind == "^":  # \tanh^2(x) is (\tanh x)^2; \sigma^2 alone a power of the letter
            self.k += 1
            self._enter()
            exponent = self._script_expression()
            self.depth -= 1
            _check_exponent(exponent)
            token_after = self.peek()
            if token_after is not None and token_after.kind in ("(", "{"):
                argument = self._call(name, primes, sub, sup) if token_after.kind == "(" else \
                    Call(name, (self._brace_group(),), primes, sub, sup)
                return Pow(argument, exponent)
            return Pow(Symbol(name, sub, sup, primes, text=text), exponent)
        if kind == "(":
            return self._call(name, primes, sub, sup)
        if kind == "{":
            return Call(name, (self._brace_group(),), primes, sub, sup)
        token_after = self.peek()
        if token_after is not None and self._starts_factor(token_after) and token.kind == "macro":
            self._enter()
            argument = self.factor()
            self.depth -= 1
            return Call(name, (argument,), primes, sub, sup)
        if name.startswith("\\") and name[1:] in GREEK:
            return Symbol(name, sub, sup, primes, text=text)
        raise self.fail(f"( after {name}")

    def _call(self, name: str, primes: int, sub, sup) -> Call:
        self.k += 1  # (
        arguments = self._arguments(")")
        return Call(name, tuple(arguments), primes, sub, sup)

    def _function_marks(self, name: str) -> tuple[int, str | None, str | None]:
        """Primes, subscript and superscript label after a function's name."""
        primes, sub, sup = 0, None, None
        while True:
            kind = self.peek_kind()
            if kind == "'":
                self.k += 1
                primes += 1
            elif kind == "_" and sub is None:
                self.k += 1
                sub = normalized(self._script_raw())
            elif kind == "^" and sup is None:
                text = self._peek_script_text()
                core = text.rstrip("'")
                if core == "":
                    primes += len(text)
                else:
                    label = _label(core, name, self._sub_follows_script())
                    if label is None or label[1]:
                        break
                    sup = label[0]
                    primes += len(text) - len(core)
                self.k += 1
                self._script_raw()
            else:
                break
        return primes, sub, sup

    def _braced_or_atom(self):
        if self.peek_kind() == "{":
            return self._brace_group()
        return self.postfix(self.atom())

    def _raw(self, k: int | None = None) -> _Token | None:
        k = self.k if k is None else k
        return self.tokens[k] if k < len(self.tokens) else None

    def _script_end(self) -> int:
        """Index of the last token of the script argument at ``self.k`` ({…} or one token)."""
        token = self._raw()
        if token is None:
            raise self.fail("a subscript or superscript")
        if token.kind != "{":
            return self.k
        end = self._matching(self.k)
        if end is None:
            self.k = len(self.tokens)
            raise self.fail("}")
        return end

    def _peek_script_text(self) -> str:
        """The normalized text of the script argument after the ^ or _ at ``self.k``, not consumed."""
        self.k += 1
        try:
            token = self._raw()
            if token is None:
                raise self.fail("a subscript or superscript")
            if token.kind in ("word", "num"):
                return token.value[0]
            end = self._script_end()
            return normalized(self.latex[token.pos:self.tokens[end].end])
        finally:
            self.k -= 1

    def _sub_follows_script(self) -> bool:
        """Whether a _ follows the script argument after the ^ at ``self.k`` (a^{2}_{1})."""
        saved = self.k
        self.k += 1
        try:
            token = self._raw()
            if token is not None and token.kind in ("word", "num") and len(token.value) > 1:
                return False
            after = self._raw(self._script_end() + 1)
            return after is not None and after.kind == "_"
        finally:
            self.k = saved

    def _script_raw(self) -> str:
        """The raw source of the argument of _ or ^ (a {…} group or one character or macro),
        consumed."""
        token = self._raw()
        if token is None:
            raise self.fail("a subscript or superscript")
        if token.kind in ("word", "num") and len(token.value) > 1:
            self._split(token)
            return token.value[0]
        end = self._script_end()
        self.k = end + 1
        return self.latex[token.pos:self.tokens[end].end]

    def fraction(self):
        """\\frac{a}{b}, and the derivatives \\frac{\\partial A}{\\partial B}, \\frac{\\partial}{\\partial B} A,
        \\frac{dA}{dB}, \\frac{\\delta C}{\\delta w}."""
        start = self.next()
        self._enter()
        spelling = self._derivative_spelling()
        if spelling is None:
            num = self._fraction_argument()
            den = self._fraction_argument()
            self.depth -= 1
            return Frac(num, den)
        self.k += 1  # {
        self._skip_differential(spelling)
        if self.peek_kind() == "^":
            raise self.fail("the variable of the derivative (derivatives of higher order are not read)")
        of = None if self.peek_kind() == "}" else self.expression()
        self.expect("}", "}")
        self.expect("{", "{")
        if not self._at_differential(spelling):
            raise self.fail(f"{_DIFFERENTIAL_SHOWN[spelling]} in the denominator of a derivative")
        self._skip_differential(spelling)
        wrt = self.expression()
        self.expect("}", "}")
        if of is None:
            token = self.peek()
            if token is None or not self._starts_factor(token):
                raise _error(self.latex, start.pos, "an operator ∂/∂… applied to nothing",
                             "what it differentiates after it")
            of = self.factor()
        self.depth -= 1
        return Partial(of, wrt, spelling)

    def _fraction_argument(self):
        if self.peek_kind() == "{":
            self.k += 1
            value = self.expression()
            self.expect("}", "}")
            return value
        token = self.take_one()
        if token.kind == "macro" and token.value[1:] in GREEK:
            return Symbol(token.value, text=token.value)
        return self._single(token)

    def _derivative_spelling(self) -> str | None:
        """"partial", "d" or "delta" when both arguments of the \\frac start with that differential."""
        tokens, k = self.tokens, self.k
        if k >= len(tokens) or tokens[k].kind != "{":
            return None
        end = self._matching(k)
        if end is None or end + 1 >= len(tokens) or tokens[end + 1].kind != "{":
            return None
        for spelling in ("partial", "d", "delta"):
            if self._differential_at(k + 1, spelling) and self._differential_at(end + 2, spelling):
                return spelling
        if self._differential_at(k + 1, "partial"):
            self.k = end + 2
            raise self.fail("\\partial in the denominator of a derivative")
        return None

    def _matching(self, k: int) -> int | None:
        depth = 0
        for m in range(k, len(self.tokens)):
            kind = self.tokens[m].kind
            depth += kind == "{"
            depth -= kind == "}"
            if depth == 0:
                return m
        return None

    def _differential_at(self, k: int, spelling: str) -> bool:
        tokens = self.tokens
        if k >= len(tokens):
            return False
        token = tokens[k]
        if spelling == "partial":
            return token.kind == "macro" and token.value == r"\partial"
        if spelling == "d":
            return (token.kind == "word" and token.value.startswith("d")) or \
                (token.kind == "roman" and token.value.strip() == "d")
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        return token.kind == "macro" and token.value == r"\delta" and (after is None or after.kind not in "_^'")

    def _at_differential(self, spelling: str) -> bool:
        self.peek()
        return self._differential_at(self.k, spelling)

    def _skip_differential(self, spelling: str) -> None:
        token = self.peek()
        assert token is not None
        if spelling == "d" and token.kind == "word" and len(token.value) > 1:
            self._split(token)
            return
        self.k += 1

    def matrix(self):
        """\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}: & and \\\\ separate entries and rows."""
        begin = self.next()
        self.in_matrix += 1
        rows: list[list] = [[]]
        while self.peek_kind() != "end":
            rows[-1].append(self.expression())
            kind = self.peek_kind()
            if kind == "&":
                self.k += 1
            elif kind == "\\\\":
                self.k += 1
                if self.peek_kind() != "end":
                    rows.append([])
            elif kind != "end":
                raise self.fail(f"&, \\\\ or \\end{{{begin.value}}}")
        end = self.next()
        self.in_matrix -= 1
        if end.value != begin.value:
            raise _error(self.latex, end.pos, repr(f"\\end{{{end.value}}}"), f"\\end{{{begin.value}}}")
        if len({len(row) for row in rows}) != 1:
            raise DeriveError(f"the rows of this matrix have different lengths ({', '.join(str(len(r)) for r in rows)})")
        return Matrix(tuple(tuple(row) for row in rows))

    # symbols ---------------------------------------------------------------------
    def symbol(self):
        """A letter, word, Greek letter or accented letter with its _, ^ and primes; a
        superscript that is a power or a transpose ends the symbol (postfix takes it); a
        function name followed by ( is a call."""
        start = self.peek()
        assert start is not None
        base, accent, sub, sup = self._base()
        node = self._attachments(Symbol(base, sub, sup, 0, accent), start.pos)
        if isinstance(node, Symbol) and node.accent is None and self.peek_kind() == "(" and (
                self._is_function_name(node) and (node.sub is None or node.base in self.functions)):
            return self._call(node.base, node.primes, node.sub, node.sup)
        return node

    def _base(self) -> tuple[str, str | None, str | None, str | None]:
        token = self.next()
        if token.kind in ("word", "text", "roman"):
            name = token.value.strip() if token.kind != "word" else token.value
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
                raise _error(self.latex, token.pos, repr(name), "a name of letters")
            return name, None, None, None
        if token.kind == "macro" and token.value[1:] in GREEK:
            return token.value, None, None, None
        if token.kind == "macro" and token.value[1:] in ACCENTS:
            accent = ACCENTS[token.value[1:]]
            opening = self._raw()
            if opening is not None and opening.kind == "{":
                self.k += 1
                inner_start = self.peek()
                if inner_start is not None and inner_start.kind == "num" and inner_start.value == "1":
                    self.k += 1  # \mathbf{1}, the vector of ones
                    self.expect("}", "}")
                    return "1", accent, None, None
                if inner_start is None or not (inner_start.kind in ("word", "text", "roman") or (
                        inner_start.kind == "macro" and (inner_start.value[1:] in GREEK
                                                         or inner_start.value[1:] in ACCENTS))):
                    raise self.fail(f"a letter inside {token.value}{{…}}")
                self._enter()
                inner = self.symbol()
                self.depth -= 1
                self.expect("}", "}")
                if not isinstance(inner, Symbol):
                    raise _error(self.latex, inner_start.pos, "a power or transpose", f"a letter inside {token.value}")
                # \hat{\boldsymbol{y}} is ŷ set in bold: bold is typography beside an accent that names
                # another quantity, so the accent is kept (never dropped for the bold)
                kept = accent if inner.accent in (None, "bold") else inner.accent
                return inner.base, kept, inner.sub, inner.sup
            single = self._raw()
            if single is not None and (single.kind == "word" or (single.kind == "macro" and single.value[1:] in GREEK)):
                if single.kind == "word" and len(single.value) > 1:
                    self._split(single)
                    return single.value[0], accent, None, None
                self.k += 1
                return single.value, accent, None, None
            raise self.fail(f"a letter after {token.value}")
        raise _error(self.latex, token.pos, repr(token.value), _EXPRESSION_START)

    def _attachments(self, symbol: Symbol, start: int):
        """The subscript, superscript label and primes after a symbol's base."""
        base, sub, sup, primes, accent = symbol.base, symbol.sub, symbol.sup, symbol.primes, symbol.accent
        transpose = False
        power = None  # x_1^{(3)2}: the layer label, then a power inside the same braces
        end = self._consumed_end()  # before peek() skips layout after the symbol
        while True:
            kind = self.peek_kind()
            if kind == "'":
                self.k += 1
                primes += 1
                end = self._consumed_end()
                continue
            if kind == "_" and sub is None:
                self.k += 1
                sub = normalized(self._script_raw())
                end = self._consumed_end()
                if sub == "":
                    raise self.fail("a subscript")
                continue
            if kind == "^" and sup is None and not transpose:
                text = self._peek_script_text()
                if text in _TRANSPOSE_MARKS:
                    self.k += 1
                    self._script_raw()
                    end = self._consumed_end()
                    transpose = True  # W^T_{new}: a subscript may still follow
                    continue
                core = text.rstrip("'")
                labelled_power = re.fullmatch(r"(\([^()]*\)|\[[^\[\]]*\])\s*(\d+)", core)
                if core == "":
                    primes += len(text)
                elif labelled_power and text == core:
                    sup, power = labelled_power.group(1), labelled_power.group(2)
                else:
                    label = _label(core, base, sub is None and self._sub_follows_script())
                    if label is None:
                        break
                    sup, transpose = label
                    primes += len(text) - len(core)
                self.k += 1
                self._script_raw()
                end = self._consumed_end()
                continue
            break
        node = Symbol(base, sub, sup, primes, accent, text=self.latex[start:end].strip())
        if power is not None:
            _check_exponent(Number(power))
            return Pow(Transpose(node) if transpose else node, Number(power))
        return Transpose(node) if transpose else node

    def postfix(self, node):
        """Superscripts after an atom: ^T (transpose), ^{n} (power), and ' after a bracket."""
        while True:
            kind = self.peek_kind()
            if kind == "^":
                text = self._peek_script_text()
                if text in _TRANSPOSE_MARKS:
                    self.k += 1
                    self._script_raw()
                    node = Transpose(node)
                    continue
                if text and text.strip("'") == "":
                    self.k += 1
                    self._script_raw()
                    node = Transpose(node, "prime")
                    continue
                self.k += 1
                self._enter()
                exponent = self._script_expression()
                self.depth -= 1
                _check_exponent(exponent)
                node = Pow(node, exponent)
                continue
            if kind == "'" and not isinstance(node, Symbol):
                self.k += 1
                node = Transpose(node, "prime")
                continue
            return node


_TRANSPOSE_MARKS = ("T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}", r"\textsf{T}")
_DIFFERENTIAL_SHOWN = {"partial": "\\partial", "d": "d", "delta": "\\delta"}


def _label(core: str, base: str, sub_follows: bool) -> tuple[str, bool] | None:
    """A superscript as a label (its text, and whether a transpose mark follows it inside the
    braces, A^{[l-1]T}) or None for a power. A number is a label only when a subscript follows
    it (a^{2}_{1}); x^2 and x_1^3 are powers."""
    transpose = False
    for mark in ("T", r"\top", r"\intercal"):
        if core.endswith(mark) and core[:-len(mark)][-1:] in (")", "]"):
            core, transpose = core[:-len(mark)], True
            break
    if core[:1] in "([" and core[-1:] in ")]":  # (l), [l], [2](i): the layer and the example
        return core, transpose
    if core in ("+", "-", "*", r"\ast", r"\star"):  # w_5^{+}: the updated weight; w^*: the optimum
        return core, False
    if base == "e":
        return None
    if re.fullmatch(r"\d+", core):
        return (core, False) if sub_follows else None
    if _starts_with_letter(core):
        return core, transpose
    return None


def _check_exponent(exponent) -> None:
    value = exponent
    sign = 1
    if isinstance(value, Add) and len(value.terms) == 1:
        sign, value = value.terms[0]
    if isinstance(value, Number):
        number = Fraction(value.text) * sign
        if abs(number) > MAX_EXPONENT:
            raise DeriveError(f"the power {number} is too large; powers up to {MAX_EXPONENT} are read")
