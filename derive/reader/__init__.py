"""Reading article LaTeX (shared/NOTATION.md) into SymPy, with a lark grammar.

``read(latex, arch)`` gives the parts of an equation chain ``A = B = C`` as SymPy objects
in the engine's own symbols (x_1^{(3)} is ``naming.node(3, 1)``, w_{21}^{(2→3)} is
``naming.weight(2, 2, 1)``, ∂MSE/∂w is ``Derivative(MSE, w)``), so that they can be
compared with the derivation. Parenthesised superscripts are layer labels, never powers;
primes are activation derivatives; bmatrix blocks are matrices. User text is parsed, never
evaluated. Unreadable input raises ``DeriveError`` with the line, column and what was expected;
so does a symbol the architecture does not have (node 0, w_{31} in a 2×3 matrix, layer 0), a
bare name that is not the loss, a formula with no finite value (\\frac{1}{0}, \\log(0)) and a
formula beyond the reader's limits (length, bracket depth, exponent, digits), which keep every
later step (SymPy, the proof) bounded.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import lark
import sympy as sp

from derive import naming
from derive.activations import ACTIVATIONS, Softmax
from derive.architecture import Architecture
from derive.errors import DeriveError, ShapeError
from derive.reader.parse import (  # one set of limits, one size check, for both readers
    MAX_EXPONENT,
    MAX_NUMBER_DIGITS,
    _refuse_oversized,
)

GENERIC = "@"  # marks a node written with a letter index (x_i), expanded by diag or a sum
GENERAL_LOSS_NAMES = ("L", "E", "C", "J")  # besides the loss's own name (MSE for the squared errors)


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text().replace("__FUNCTIONS__", _function_pattern())
    return lark.Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True)


_EXPECTED = {
    "LETTER": "a symbol like x_1^{(2)}", "NUMBER": "a number", "LPAREN": "(", "RPAREN": ")",
    "RBRACE": "}", "LBRACE": "{", "FRAC": "\\frac", "EQUALS": "=", "FUNCTION": "\\sigma(…)",
    "RBRACK": "]", "END_MATRIX": "\\end{bmatrix}", "PLUS": "+", "MUL": "\\cdot",
}


def accepted_loss_names(arch: Architecture, chosen: str | None = None) -> tuple:
    """The bare names that stand for the loss: ``chosen`` alone when given (an article's
    ``--loss-name``), else the loss's own name (MSE for the squared errors) and L, E, C, J."""
    if chosen:
        return (chosen,)
    from derive.losses import loss

    return tuple(dict.fromkeys((loss(arch.loss).latex_name, *GENERAL_LOSS_NAMES)))


def read(latex: str, arch: Architecture, loss_names: tuple | None = None) -> list:
    """The parts of the equation chain written in ``latex``; bare names other than
    ``loss_names`` (default ``accepted_loss_names(arch)``) are refused."""
    _refuse_oversized(latex)
    names = tuple(_bare_name(n) for n in loss_names or accepted_loss_names(arch))
    try:
        tree = _parser().parse(_loss_names_bare(_matrix_separators(latex), names))
    except lark.UnexpectedInput as error:
        raise DeriveError(_describe(error, latex)) from None
    try:
        parts = _Build(arch, names).transform(tree)
    except lark.exceptions.VisitError as error:
        if isinstance(error.orig_exc, DeriveError):
            raise error.orig_exc from None
        raise DeriveError(f"cannot read {latex.strip()[:60]!r}: {_plain(error.orig_exc)}") from None
    for part in parts:
        _refuse_undefined(part)
        _refuse_free_indices(part)
    return parts


def _refuse_free_indices(part) -> None:
    """x_i outside \\sum_i and diag(…) names no node: refuse it instead of comparing letters."""
    entries = list(part) if isinstance(part, sp.MatrixBase) else [part]
    free = sorted({s.name for e in entries for s in e.free_symbols if GENERIC in s.name})
    if free:
        written = ", ".join(_generic_text(name) for name in free)
        raise DeriveError(f"{written}: a letter index outside \\sum_i or \\mathrm{{diag}}(…) names no node; "
                          "write a number, like x_1^{(3)}")


def _generic_text(name: str) -> str:
    base, index = name.split(GENERIC)
    if base == "y_":
        return f"y_{index}"
    layer = re.sub(r"\D", "", base)
    return f"{base[0]}_{index}^({layer}){chr(39) if chr(39) in base else ''}"


def _plain(error: Exception) -> str:
    """An unexpected error as a reader message (its text, never an empty one)."""
    text = str(error).strip().splitlines()
    return text[0] if text else "this combination is not part of the notation"


def _refuse_undefined(part) -> None:
    entries = list(part) if isinstance(part, sp.MatrixBase) else [part]
    for entry in entries:
        if entry.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise DeriveError("the formula has no finite value (it divides by zero or takes \\log(0))")
        if entry.has(sp.I):
            raise DeriveError("the formula has a complex value (\\log of a negative number?)")


_WRAPPED_NAME = re.compile(r"\\(?:mathrm|mathcal|mathbf|mathit|mathsf|mathscr|operatorname)\s*\{\s*([A-Za-z]+)\s*\}")


def _bare_name(name: str) -> str:
    """A loss name without its font: \\mathrm{MSE} -> MSE, \\mathcal{L} -> L."""
    match = _WRAPPED_NAME.fullmatch(name.strip())
    return match.group(1) if match else name


def _loss_names_bare(latex: str, names: tuple) -> str:
    """The loss's names written in a font (\\mathrm{MSE}, \\mathcal{L}) as bare names, padded
    with spaces so that positions stay exact."""
    def bare(match):
        name = match.group(1)
        return name + " " * (len(match.group(0)) - len(name)) if name in names else match.group(0)
    return _WRAPPED_NAME.sub(bare, latex)


def _matrix_separators(latex: str) -> str:
    """Inside matrix environments, \\\\ and & separate rows and columns (elsewhere they are
    layout): mark them with characters of the same length, so positions stay exact."""
    def mark(match):
        return match.group(0).replace("\\\\", "@@").replace("&", "@")
    return re.sub(r"\\begin\s*\{\s*[bpv]?matrix\s*\}.*?\\end\s*\{\s*[bpv]?matrix\s*\}", mark, latex,
                  flags=re.DOTALL)


def _describe(error: lark.UnexpectedInput, latex: str) -> str:
    line, column = getattr(error, "line", 1), getattr(error, "column", 1)
    token = getattr(error, "token", None)
    if isinstance(error, lark.UnexpectedEOF) or getattr(token, "type", None) == "$END":
        found = "the end of the formula"
    elif isinstance(error, lark.UnexpectedToken):
        found = repr(str(error.token))
    else:
        position = getattr(error, "pos_in_stream", None)
        found = repr(latex[position:position + 12]) if position is not None else "?"
    expected = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or [])
    readable = [_EXPECTED[e] for e in expected if e in _EXPECTED][:6]
    hint = f"; expected {', '.join(readable)}" if readable else ""
    return f"unreadable LaTeX at line {line}, column {column}: unexpected {found}{hint}"


def _function_table() -> dict:
    """Spelling -> (f, f'): the activation registry's spellings, and log/ln/exp."""
    table: dict = {r"\log": (sp.log, None), r"\ln": (sp.log, None), r"\exp": (sp.exp, None)}
    for entry in ACTIVATIONS.values():
        if entry.elementwise and isinstance(entry.function, type):
            table.update({spelling: (entry.function, entry.derivative) for spelling in entry.spellings})
    return table


_FUNCTIONS = _function_table()
_NAME_WRAPPER = r"\\(?:operatorname|mathrm|mathit|rm)\s*\{\s*"  # \operatorname{relu}, \mathrm{ReLU}, …


def _function_pattern() -> str:
    """The FUNCTION terminal: every macro spelling, and every word spelling inside a name wrapper."""
    def escaped(spellings):
        return [re.escape(s) for s in sorted(spellings, key=lambda s: (-len(s), s))]
    macros = escaped(s for s in _FUNCTIONS if s.startswith("\\"))
    words = escaped(s for s in _FUNCTIONS if not s.startswith("\\"))
    return "|".join([*macros, _NAME_WRAPPER + "(?:" + "|".join(words) + r")\s*\}"])


class _Build(lark.visitors.Transformer_NonRecursive):  # no recursion limit on long sums
    def __init__(self, arch: Architecture, loss_names: tuple):
        super().__init__()
        self.arch = arch
        self.loss_names = loss_names

    def _loss(self, token) -> sp.Symbol:
        name = str(token)
        if name not in self.loss_names:
            names = ", ".join(self.loss_names)
            raise DeriveError(f"unknown name {name}: the loss of this network is written {names} "
                              "(other bare names are not part of the notation)")
        return sp.Symbol(name)

    def _call_userfunc(self, tree, new_children=None):
        """Sums and products are collected as lists and built once (SymPy re-flattens on
        every + or ·, quadratic over a long sum); every other rule gets them built."""
        children = new_children if new_children is not None else tree.children
        keep = {"add": _Sum, "sub": _Sum, "mul": _Product}.get(tree.data)
        children = [c if k == 0 and keep is not None and type(c) is keep else _built(c)
                    for k, c in enumerate(children)]
        return super()._call_userfunc(tree, children)

    # structure -----------------------------------------------------------------
    def start(self, items):
        return items[0]

    def chain(self, items):
        return [item for item in items if not isinstance(item, lark.Token)]

    def group(self, items):
        return items[1]

    def number(self, items):
        text = str(items[0])
        if len(text) > MAX_NUMBER_DIGITS:
            raise DeriveError(f"a number with {len(text)} digits; numbers of up to {MAX_NUMBER_DIGITS} digits are read")
        return sp.Rational(text)

    def loss_name(self, items):
        return self._loss(items[0])

    def add(self, items):
        return _Sum.of(items[0]).plus(items[2])

    def sub(self, items):
        return _Sum.of(items[0]).plus(-items[2])

    def neg(self, items):
        return -items[1]

    def pos(self, items):
        return items[1]

    def mul(self, items):
        factors = [i for i in items if not isinstance(i, lark.Token)]
        a, b = factors
        if not isinstance(b, sp.MatrixBase) and (isinstance(a, _Product) or not isinstance(a, sp.MatrixBase)):
            return _Product.of(a).times(b)
        a = _built(a)
        if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
            if a.shape[1] != b.shape[0]:
                raise ShapeError(f"cannot multiply a {a.shape[0]}×{a.shape[1]} matrix by a "
                                  f"{b.shape[0]}×{b.shape[1]} one")
            return a * b
        return a * b

    def hadamard(self, items):
        a, b = items[0], items[2]
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            raise ShapeError("⊙ needs two vectors or matrices of the same shape")
        return a.multiply_elementwise(b)

    def pow(self, items):
        base, token = items
        exponent = int(re.sub(r"[^\d-]", "", str(token)))
        if abs(exponent) > MAX_EXPONENT:
            raise DeriveError(f"the power {exponent} is too large; powers up to {MAX_EXPONENT} are read")
        if isinstance(base, sp.MatrixBase):
            raise DeriveError("a power of a matrix is not part of this notation")
        return base ** exponent

    def transpose(self, items):
        base = items[0]
        if not isinstance(base, sp.MatrixBase):
            raise DeriveError("^T applies to vectors and matrices only")
        return base.T

    def fraction(self, items):
        numerator, denominator = items[2], items[5]
        if isinstance(numerator, sp.MatrixBase) or isinstance(denominator, sp.MatrixBase):
            raise DeriveError("\\frac{…}{…} of vectors or matrices is not part of this notation")
        if denominator == 0:
            raise DeriveError("division by zero: \\frac{…}{0}")
        return numerator / denominator

    def partial(self, items):
        loss, variable = self._loss(items[3]), items[7]
        return sp.Derivative(loss, _scalar(variable), evaluate=False)

    def partial_named(self, items):
        """∂x_i^(l)/∂z_i^(l), ∂z/∂w …: the chain rule through named quantities."""
        quantity, variable = [i for i in items if not isinstance(i, lark.Token)]
        if isinstance(quantity, sp.MatrixBase):
            raise DeriveError("∂ of a vector or matrix is not part of this notation; write one entry")
        return sp.Derivative(quantity, _scalar(variable), evaluate=False)

    def exponential(self, items):
        power = items[1]
        if isinstance(power, sp.MatrixBase):
            raise DeriveError("e^{…} of a vector or matrix is not part of this notation")
        return sp.exp(power)

    def partial_of(self, items):
        variable, body = [i for i in items if not isinstance(i, lark.Token)]
        return sp.Derivative(body, _scalar(variable), evaluate=False)

    def gradient(self, items):
        matrix, loss = items[2], self._loss(items[4])
        for entry in matrix:
            _scalar(entry)
        return matrix.applyfunc(lambda w: sp.Derivative(loss, w, evaluate=False))

    def function(self, items):
        name = re.sub(_NAME_WRAPPER + r"|\s*\}$", "", str(items[0]))
        if name not in _FUNCTIONS:
            raise DeriveError(f"unknown function {name}; known: {', '.join(_FUNCTIONS)}")
        function, derivative = _FUNCTIONS[name]
        if len(items) > 1:
            if derivative is None:
                raise DeriveError(f"{name}' (a derivative written as a prime) exists for activations only; "
                                  f"write the derivative of {name} out")
            return derivative
        return function

    def call(self, items):
        function, argument = items[0], items[2]
        if function is sp.log and not isinstance(argument, sp.MatrixBase) and argument.is_zero:
            raise DeriveError("\\log(0) is undefined")
        if isinstance(argument, sp.MatrixBase):
            return argument.applyfunc(function)
        return function(argument)

    def softmax(self, items):
        index = next((t for t in items if isinstance(t, lark.Token) and t.type == "INDEX"), None)
        arguments = [i for i in items if not isinstance(i, lark.Token)]
        if len(arguments) == 1 and isinstance(arguments[0], sp.MatrixBase):
            if index is not None:
                raise DeriveError("softmax of a vector takes no index")
            z = list(arguments[0])
            return sp.Matrix([Softmax(k + 1, *z) for k in range(len(z))])
        if index is None:
            raise DeriveError("write one softmax output as \\operatorname{softmax}_{i}(z_1, …, z_n)")
        i = _indices(str(index))[0]
        if not isinstance(i, int) or not 1 <= i <= len(arguments):
            raise DeriveError(f"softmax index {i} is outside 1 … {len(arguments)}")
        return Softmax(i, *arguments)

    def diag(self, items):
        body = items[2]
        column = body if isinstance(body, sp.MatrixBase) else _over_index(body, self.arch)
        return sp.diag(*list(column))

    def sum_over(self, items):
        return sp.Add(*list(_over_index(items[1], self.arch)))

    def matrix(self, items):
        rows = items[1]
        if len({len(row) for row in rows}) != 1:
            raise DeriveError(f"the rows of this matrix have different lengths ({', '.join(str(len(r)) for r in rows)})")
        if any(isinstance(e, sp.MatrixBase) for row in rows for e in row):
            raise DeriveError("matrix entries must be numbers or expressions, not vectors or matrices")
        return sp.Matrix(rows)

    def rows(self, items):
        return [r for r in items if not isinstance(r, lark.Token)]

    def row(self, items):
        return [e for e in items if not isinstance(e, lark.Token)]

    # symbols -------------------------------------------------------------------
    def variable(self, items):
        letter = str(items[0])
        index = layer = None
        prime = False
        for token in items[1:]:
            if token.type == "INDEX":
                index = _indices(str(token), pair=letter == "w")
            elif token.type == "LAYER":
                layer = _layer(str(token))
                prime = prime or "'" in str(token)
            elif token.type == "PRIME":
                prime = True
        return self._symbol(letter, index, layer, prime)

    def _symbol(self, letter, index, layer, prime):
        arch = self.arch
        L = arch.depth
        if letter == "\\delta":
            number, i = layer[0], index[0]
            if len(index) != 1 or len(layer) != 1 or isinstance(i, str):
                raise DeriveError("write one δ like \\delta_1^{(3)}: one node number and its layer")
            if not 2 <= number <= L or not 1 <= i <= arch.widths[number - 1]:
                raise DeriveError(f"δ_{i}^({number}) does not exist in {arch.text}")
            return delta_symbol(number, i)
        written = f"{letter}{'_' + ''.join(map(str, index)) if index else ''}"
        if index is None:
            raise DeriveError(f"{written} needs an index (write it like {letter}_1)")
        generic = any(isinstance(i, str) for i in index)
        if letter != "w" and len(index) != 1:
            raise DeriveError(f"{letter}_{{{','.join(map(str, index))}}} has {len(index)} indices; "
                              f"{letter} takes one, like {letter}_1")
        if layer is not None and len(layer) != 1 and letter != "w":
            raise DeriveError(f"{letter} takes one layer, like {letter}_1^{{(2)}}; "
                              "arrows (l \\rightarrow l+1) belong to weights")
        if letter == "y":
            if layer is not None or prime:
                raise DeriveError("labels y_i carry no layer and no prime")
            if generic:
                return naming.NetworkSymbol(f"y_{GENERIC}{index[0]}")
            return self._check(naming.label(index[0]), 1 <= index[0] <= arch.widths[-1], f"y_{index[0]}",
                               f"there are {arch.widths[-1]} outputs")
        if letter in "xz":
            number = 1 if layer is None else layer[0]
            if not 1 <= number <= L:
                raise DeriveError(f"layer {number} does not exist: {arch.text} has layers 1 … {L}")
            if generic:
                kind = {"x": "x", "z": "z"}[letter] + ("'" if prime else "")
                return naming.NetworkSymbol(f"{kind}{number}_{GENERIC}{index[0]}")
            i = index[0]
            self._check(None, 1 <= i <= arch.widths[number - 1], f"{letter}_{i}^({number})",
                        f"layer {number} has {arch.widths[number - 1]} nodes")
            if letter == "z":
                if number == 1:
                    raise DeriveError("z exists for layers 2 … L only")
                return naming.preactivation(number, i)
            if prime:
                if number == 1:
                    raise DeriveError("the input layer has no activation, so x_j' does not exist")
                return naming.node_derivative(number, i)
            return naming.node(number, i)
        if letter == "w":
            if layer is None or len(index) != 2 or generic:
                raise DeriveError("write weights like w_{21}^{(2 \\rightarrow 3)} or w_{21}^{(2)}")
            source = layer[0]
            if len(layer) == 2 and layer[1] != source + 1:
                raise DeriveError(f"weights connect neighbouring layers: ({source} → {layer[1]}) does not")
            if not 1 <= source < L:
                raise DeriveError(f"there is no weight matrix from layer {source} in {arch.text}")
            i, j = index
            rows, cols = arch.widths[source], arch.widths[source - 1]
            if 1 <= i and 1 <= j and not (i <= rows and j <= cols):
                return naming.MissingSymbol(naming.weight(source, i, j).name, f"W{source} is {rows}×{cols}")
            return self._check(naming.weight(source, i, j), 1 <= i <= rows and 1 <= j <= cols,
                               f"w_{i}{j}^({source}→{source + 1})", f"W{source} is {rows}×{cols}")
        if letter == "b":
            if not arch.bias:
                raise DeriveError(f"{arch.text} has no biases (use --bias)")
            number = layer[0] if layer else None
            if number is None or not 2 <= number <= L:
                raise DeriveError("write biases like b_1^{(2)}, with the layer of their node")
            i = index[0]
            if generic:
                raise DeriveError("write biases with a node number, like b_1^{(2)}")
            return self._check(naming.bias(number - 1, i), 1 <= i <= arch.widths[number - 1],
                               f"b_{i}^({number})", f"layer {number} has {arch.widths[number - 1]} nodes")
        raise DeriveError(f"unknown symbol {letter}")

    @staticmethod
    def _check(symbol, ok, written, why):
        if not ok:
            raise DeriveError(f"{written} does not exist: {why}")
        return symbol

    def vector(self, items):
        arch = self.arch
        tokens = [str(t) for t in items]
        layer = next((_layer(t) for t in tokens if t.lstrip().startswith("^")), None)
        prime = any("'" in t for t in tokens)
        if any("delta" in t for t in tokens):
            number = layer[0] if layer else 0
            if not 2 <= number <= arch.depth or len(layer) != 1:
                raise DeriveError(f"write δ vectors with their layer, like \\vec{{\\delta}}^{{(3)}}; "
                                  f"{arch.text} has δ for layers 2 … {arch.depth}")
            return sp.Matrix([delta_symbol(number, i) for i in range(1, arch.widths[number - 1] + 1)])
        letter = next(t for t in tokens if t in ("x", "y", "w", "z", "b", "W"))
        if letter in ("w", "W"):
            if layer is None:
                raise DeriveError("write weight matrices with their layers, like W^{(1)} or "
                                  "\\underline{w}^{(1 \\rightarrow 2)}")
            if len(layer) == 2 and layer[1] != layer[0] + 1:
                raise DeriveError(f"weights connect neighbouring layers: ({layer[0]} → {layer[1]}) does not")
        elif layer is not None and len(layer) != 1:
            raise DeriveError(f"\\vec{{{letter}}} takes one layer, like \\vec{{{letter}}}^{{(2)}}")
        if prime and letter != "x":
            raise DeriveError("a prime (activation derivative) belongs to node vectors \\vec{x}^{(l)}")
        if letter == "b":
            number = layer[0] if layer else 0
            if not arch.bias or not 2 <= number <= arch.depth:
                raise DeriveError("write bias vectors like \\vec{b}^{(2)}, in a network with biases")
            return sp.Matrix([naming.bias(number - 1, i) for i in range(1, arch.widths[number - 1] + 1)])
        if letter == "y":
            if layer is not None:
                raise DeriveError("labels \\vec{y} carry no layer")
            return sp.Matrix([naming.label(i) for i in range(1, arch.widths[-1] + 1)])
        if letter in ("w", "W"):
            source = layer[0]
            if not 1 <= source < arch.depth:
                raise DeriveError(f"there is no weight matrix from layer {source} in {arch.text}")
            return sp.Matrix(arch.widths[source], arch.widths[source - 1],
                             lambda i, j: naming.weight(source, i + 1, j + 1))
        number = 1 if layer is None else layer[0]
        if not 1 <= number <= arch.depth:
            raise DeriveError(f"layer {number} does not exist: {arch.text} has layers 1 … {arch.depth}")
        n = arch.widths[number - 1]
        if letter == "z":
            if number == 1:
                raise DeriveError("z exists for layers 2 … L only")
            return sp.Matrix([naming.preactivation(number, i) for i in range(1, n + 1)])
        if prime:
            if number == 1:
                raise DeriveError("the input layer has no activation, so x^{(1)}' does not exist")
            return sp.Matrix([naming.node_derivative(number, i) for i in range(1, n + 1)])
        return sp.Matrix([naming.node(number, i) for i in range(1, n + 1)])


def delta_symbol(layer: int, i: int) -> sp.Symbol:
    """δ_i^{(layer)}: a name the checker gives the value ∂L/∂z_i^{(layer)}."""
    return naming.NetworkSymbol(f"delta{layer}_{i}")


class _Sum:
    """The terms of a sum being read, added up once when the sum is complete."""

    def __init__(self, first):
        self.terms = [first]

    @classmethod
    def of(cls, value):
        return value if type(value) is cls else cls(value)

    def plus(self, term):
        first = self.terms[0]
        if isinstance(first, sp.MatrixBase) != isinstance(term, sp.MatrixBase):
            raise ShapeError("cannot add a matrix and a number")
        if isinstance(first, sp.MatrixBase) and first.shape != term.shape:
            raise ShapeError(f"cannot add matrices of shapes {first.shape} and {term.shape}")
        self.terms.append(term)
        return self

    def built(self):
        if isinstance(self.terms[0], sp.MatrixBase):
            total = self.terms[0]
            for term in self.terms[1:]:
                total = total + term
            return total
        return sp.Add(*self.terms)


class _Product(_Sum):
    """The factors of a product of scalars being read, multiplied once when complete."""

    def times(self, factor):
        self.terms.append(factor)
        return self

    def built(self):
        return sp.Mul(*self.terms)


def _built(value):
    return value.built() if isinstance(value, _Sum) else value


def _scalar(value):
    """The variable of ∂/∂: one quantity of the network (a weight, a bias, an input, a label, a
    node value, a pre-activation, an activation derivative, a δ)."""
    if isinstance(value, sp.MatrixBase):
        raise DeriveError("∂/∂ needs a single quantity (one weight, one node …), not a vector or matrix")
    if isinstance(value, naming.NetworkSymbol):
        return value
    raise DeriveError(f"derivatives are taken with respect to one quantity of the network, not {sp.latex(value)}")


def _indices(token: str, pair: bool = False) -> tuple:
    body = token.lstrip("_").strip().strip("{}").strip()
    parts = [p for p in re.split(r"[\s,]+", body) if p]
    if pair and len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 2:
        parts = list(parts[0])  # w_{21}: two one-digit indices
    return tuple(int(p) if p.isdigit() else p for p in parts)


def _layer(token: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", token.split(")")[0]))


def _over_index(body, arch):
    """An expression written with a letter index (x_i^{(3)} - y_i) as a column over i."""
    generic = sorted({s for s in body.free_symbols if GENERIC in s.name}, key=lambda s: s.name)
    if not generic:
        raise DeriveError("diag(…) and Σ need a vector or an expression with an index like x_i")
    widths = set()
    for s in generic:
        match = re.fullmatch(rf"(x'?|z)(\d+)_{GENERIC}\w", s.name)
        widths.add(arch.widths[int(match.group(2)) - 1] if match else arch.widths[-1])
    if len(widths) != 1:
        raise DeriveError("the index runs over layers of different widths")
    n = widths.pop()
    entries = []
    for i in range(1, n + 1):
        mapping = {}
        for s in generic:
            base, _ = s.name.split(GENERIC)
            if base == "y_":
                mapping[s] = naming.label(i)
            elif base.startswith("x") and "'" in base:
                mapping[s] = naming.node_derivative(int(base[1:-2]), i)
            elif base.startswith("x"):
                mapping[s] = naming.node(int(base[1:-1]), i)
            else:
                mapping[s] = naming.preactivation(int(base[1:-1]), i)
        entries.append(body.xreplace(mapping))
    return sp.Matrix(entries)
