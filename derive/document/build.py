"""The derivation an article wants (shared/NOTATION.md), as a document model.

1. the network: input vector, weight matrices and biases with all entries, labels, a diagram;
2. the loss, every layer compact and written out in full, the fully expanded loss;
3. the gradient matrices and the update rule;
4. for each chosen element: the chain rule step by step on the expanded loss, the expanded
   result, the short form after substituting back, the other elements, the gradient matrix
   and its pattern (diag · column · row, with transposed weights for inner layers);
5. the δ recurrence for any depth.
"""
from __future__ import annotations

import itertools
import re

import sympy as sp

from derive import naming
from derive.activations import activation
from derive.derivation import Derivation
from derive.document import chain
from derive.document.layout import NotationPrinter
from derive.document.model import (
    Chain,
    Diagram,
    Document,
    Elementwise,
    Equation,
    Hadamard,
    Nabla,
    Section,
    Text,
    loss_symbol,
)
from derive.document.notation import notation
from derive.document.sections import DEFAULT_STEPS, chosen_sections
from derive.errors import DeriveError
from derive.pattern import XP, X, Y, Z

DOCUMENT_LIMIT = 120  # parameters: beyond this a document that writes every weight is unreadable


def parse_wrt(text: str, arch) -> tuple:
    """``W2[1,2]`` or ``b1[2]`` -> ("W2", 1, 2) / ("b1", 2, None), 1-based."""
    match = re.fullmatch(r"\s*([Wb]\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*", text)
    if not match:
        raise DeriveError(f"--wrt {text!r} is not an element like W2[1,2] or b1[2]")
    name, i, j = match.group(1), int(match.group(2)), match.group(3)
    shape = arch.shape(name)
    index = (i,) if j is None else (i, int(j))
    if len(index) != len(shape) or not all(1 <= k <= n for k, n in zip(index, shape)):
        raise DeriveError(f"--wrt {text!r}: {name} has shape {shape} (indices start at 1)")
    return name, i, None if j is None else int(j)


EXPANDED_LIMIT = 5_000  # tree nodes of the expanded loss: every step of the document restates it


def document_refusal(d: Derivation) -> str | None:
    """Why no document can be written for ``d`` (it writes out every weight and the expanded
    loss at every step), or None."""
    from derive.derivation import expanded_size

    arch = d.arch
    if arch.parameter_count > DOCUMENT_LIMIT:
        return (f"it writes out every weight, and {arch.text} has {arch.parameter_count:,} parameters "
                f"(limit {DOCUMENT_LIMIT}); use a smaller network of the same shape")
    size = expanded_size(arch)
    if d.method != "elementwise" or size > EXPANDED_LIMIT:
        return (f"it restates the expanded loss at every step, and that of {arch.text} has {size:,} "
                f"terms (limit {EXPANDED_LIMIT:,}); use a shallower network of the same layers")
    return None


def build_document(d: Derivation, wrt: list | None = None, loss_name: str | None = None,
                   notation_name: str = "arrows", steps: str = DEFAULT_STEPS, sections=None) -> Document:
    """The document of ``d``: ``steps`` (full, named, result) says how the chain rule is written
    and which sections are written by default, ``sections`` changes them (``chosen_sections``)."""
    arch = d.arch
    refusal = document_refusal(d)
    if refusal:
        raise DeriveError(f"no derivation document: {refusal}")
    if d.pattern is None:
        raise DeriveError(f"no document: the matrix pattern of {arch.text} was not proven ({d.failure})")
    chosen = chosen_sections(steps, sections)
    return _Builder(d, notation(notation_name), loss_name, steps, chosen).build(wrt)


class _Builder:
    def __init__(self, d: Derivation, note, loss_name, steps: str = DEFAULT_STEPS, sections=None):
        self.d, self.arch, self.net = d, d.arch, d.network
        self.steps = steps
        self.sections = chosen_sections(steps) if sections is None else sections
        self.note = note
        self.printer = NotationPrinter(note)
        from derive.losses import loss as loss_entry

        default = note.default_loss_name if note.default_loss_name != "MSE" else loss_entry(d.arch.loss).latex_name
        self.loss = loss_symbol(loss_name or default)
        self.remark_due = bool(self.assumptions())  # Σ y = 1 is said once, where first used
        self.softmax_defined = False
        self.pattern_deltas: dict = {}
        self.L = self.arch.depth
        self.matrices: dict[sp.Symbol, sp.ImmutableMatrix] = {}
        net, arch = self.net, self.arch
        self.xs = {l: self._column(f"vec_x_{l}", net.nodes[l]) for l in range(1, self.L + 1)}
        self.ws = {p: self._matrix(f"mat_W_{p}", net.weights[p]) for p in range(1, self.L)}
        self.bs = {p: self._column(f"vec_b_{p}", net.biases[p]) for p in range(1, self.L)} if arch.bias else {}
        self.y = self._column("vec_y", net.labels)
        self.primes = {l: self._column(f"vec_xp_{l}", net.derivatives[l])
                       for l in range(2, self.L + 1) if net.derivatives.get(l)}
        self.named = {}  # δ_i^(l) as symbols, for readable gradient matrices
        for layer in range(2, self.L + 1):
            for i in range(1, arch.widths[layer - 1] + 1):
                self.named[self.delta_symbol(layer, i)] = d.delta(layer, i)
        self.deltas = {l: self._column(f"vec_delta_{l}", [self.delta_symbol(l, i)
                                                          for i in range(1, arch.widths[l - 1] + 1)])
                       for l in range(2, self.L + 1)}

    def assumptions(self) -> dict:
        """Σ_i y_i = 1 as a substitution, for the losses whose labels sum to one."""
        return self.net.label_assumptions()

    @staticmethod
    def delta_symbol(layer, i):
        return sp.Symbol(f"delta{layer}_{i}")

    def _column(self, name, entries):
        symbol = sp.MatrixSymbol(name, len(entries), 1)
        self.matrices[symbol] = sp.ImmutableMatrix(len(entries), 1, list(entries))
        return symbol

    def _matrix(self, name, rows):
        symbol = sp.MatrixSymbol(name, len(rows), len(rows[0]))
        self.matrices[symbol] = sp.ImmutableMatrix(rows)
        return symbol

    def build(self, wrt) -> Document:
        d, arch = self.d, self.arch
        assumptions = self.assumptions()
        doc = Document(
            title=f"Backpropagation for the {arch.text} network",
            sections=[],
            loss_symbol=self.loss,
            expand=self.net.expanded,
            loss=d.loss,
            matrices=self.matrices,
            assumptions=assumptions,
            named=self.named,
            diagram=arch,
            definitions=self.definitions(),
        )
        wanted = self.sections
        if wanted & {"network", "diagram"}:
            doc.sections.append(self.network())
        if wanted & {"loss", "forward", "expanded"}:
            doc.sections.append(self.loss_section())
        if wanted & {"gradients", "update"}:
            doc.sections.append(self.gradients())
        if wanted & {"chain", "short", "elements", "matrix"}:
            chosen = [parse_wrt(t, arch) for t in wrt] if wrt else [(f"W{p}", 1, 1) for p in range(self.L - 1, 0, -1)]
            doc.sections += [self.element(*element) for element in chosen]
        if "pattern" in wanted:
            doc.sections.append(self.recurrence())
        return doc

    def definitions(self) -> dict:
        """Every node and pre-activation -> its definition one level down; None -> the loss."""
        from derive.network import LOSS

        out = {k: v for k, v in self.net.definitions.items() if k != LOSS}
        out.update({prime: derivative for derivative, prime in self.net.derivative_names.items()
                    if (naming.parse_symbol(prime.name) or {}).get("kind") == "x'"})  # x' = f'(z) (softmax: x itself)
        out[None] = self.net.loss
        return out

    def remark(self) -> list:
        """Σ y = 1, said once: at the first section that shows a result."""
        if not self.remark_due:
            return []
        self.remark_due = False
        return [Text("The labels sum to one, $\\sum_i y_i = 1$ (one-hot labels or a distribution); every "
                     "result below is simplified with it, as the pattern needs.")]

    def softmax_definition(self) -> list:
        """What s_i means, once, before the first written-out softmax."""
        if self.softmax_defined or all(activation(a).elementwise for a in self.arch.activations):
            return []
        self.softmax_defined = True
        return [Text("Written out, the softmax is $s_i(u_1, \\dots, u_n) = e^{u_i} / \\sum_k e^{u_k}$.")]

    # 1 -----------------------------------------------------------------------
    def network(self) -> Section:
        arch = self.arch
        from derive.document.render import tex_text

        first = self.note.first_layer  # the layers as the notation numbers them
        acts = ", ".join(f"layer {l}: {tex_text(name)}" for l, name in enumerate(arch.activations, start=first + 1))
        bias = "a bias on every node" if arch.bias else "no biases"
        source, destination = ("i", "j") if self.note.weight_order == "from-to" else ("j", "i")
        section = Section("The network")
        section.blocks.append(Text(
            f"{arch.depth} layers of {', '.join(map(str, arch.widths))} nodes and {bias} "
            f"({acts}). Layer {first} is the input; the weight $w_{{ij}}$ connects node ${source}$ of one layer "
            f"to node ${destination}$ of the next."))
        if "network" in self.sections:
            symbols = [self.xs[1]] + [m for p in range(1, self.L)
                                      for m in ([self.ws[p]] + ([self.bs[p]] if arch.bias else []))]
            for symbol in symbols + [self.y]:
                section.blocks.append(Equation([symbol, self.matrices[symbol]], definition=True))
        if "diagram" in self.sections:
            section.blocks.append(Diagram())
        return section

    # 2 -----------------------------------------------------------------------
    def loss_section(self) -> Section:
        net, arch, wanted = self.net, self.arch, self.sections
        from derive.losses import loss as loss_entry

        titles = [t for t, names in (("The loss", {"loss"}), ("the forward pass", {"forward", "expanded"}))
                  if wanted & names]
        section = Section(" and ".join(titles)[:1].upper() + " and ".join(titles)[1:])
        if "loss" in wanted:
            section.blocks.append(Text(f"The loss is the {loss_entry(arch.loss).description}:"))
            section.blocks.append(Equation([self.loss, net.loss]))
            section.blocks += self.remark()
        if "forward" in wanted:
            section.blocks.append(Text("Each layer, first compact and then written out node by node:"))
            if "expanded" in wanted:
                section.blocks += self.softmax_definition()
            for layer in range(2, self.L + 1):
                section.blocks += self.layer_equations(layer, "expanded" in wanted)
        if "expanded" in wanted:
            section.blocks.append(Text("With every layer plugged in, the loss written out in full:"))
            section.blocks += self.softmax_definition()
            section.blocks.append(Equation([self.loss, self.d.loss]))
        return section

    def layer_equations(self, layer, expanded: bool) -> list:
        """x^(l) = f(W x^(l-1) + b), then node by node (written out in full with ``expanded``);
        a softmax layer through its z, so that e^z / Σ e^z stays readable."""
        net, arch = self.net, self.arch
        p = layer - 1
        inner = sp.MatMul(self.ws[p], self.xs[p])
        if arch.bias:
            inner = sp.MatAdd(inner, self.bs[p])
        blocks = [Equation([self.xs[layer], Elementwise(arch.activations[p - 1], inner)])]
        softmax = not activation(arch.activations[p - 1]).elementwise
        if softmax:
            blocks += [Equation([z, net.definitions[z]]) for z in net.preactivations[layer]]
        for x in net.nodes[layer]:
            definition = net.definitions[x]
            parts = [x, definition if softmax else
                     definition.xreplace({z: net.definitions[z] for z in net.preactivations[layer]})]
            if expanded and layer > 2:
                parts.append(net.expanded(x))
            blocks.append(Equation(parts))
        return blocks

    # 3 -----------------------------------------------------------------------
    def gradients(self) -> Section:
        wanted, layers = self.sections, range(self.L - 1, 0, -1)
        titles = [t for t, name in (("The gradient", "gradients"), ("the update rule", "update")) if name in wanted]
        section = Section(" and ".join(titles)[:1].upper() + " and ".join(titles)[1:])
        parameters = [(self.ws[p], f"mat_W_{p}") for p in layers] + [(self.bs[p], f"vec_b_{p}") for p in layers
                                                                      if self.arch.bias]
        if "gradients" in wanted:
            section.blocks.append(Text("Gradient descent needs the derivative of the loss with respect to "
                                       "every weight, arranged like the weights:"))
            for symbol, _ in parameters:
                grid = self.matrices[symbol].applyfunc(lambda w: sp.Derivative(self.loss, w))
                section.blocks.append(Equation([Nabla(symbol), grid]))
        if "update" in wanted:
            section.blocks.append(Text("and each step moves the weights against it, with a learning rate "
                                       "$\\epsilon$:" if "gradients" in wanted else
                                       "Each step of gradient descent moves the weights against the gradient, "
                                       "with a learning rate $\\epsilon$:"))
            for symbol, name in parameters:
                new = sp.MatrixSymbol(f"{name}_new", *symbol.shape)
                rate = sp.Symbol("epsilon")
                self.matrices[new] = self.matrices[symbol]
                section.blocks.append(Equation([new, sp.MatAdd(symbol, -rate * Nabla(symbol))], definition=True))
        return section

    # 4 -----------------------------------------------------------------------
    def element(self, name, i, j) -> Section:
        d, net, wanted = self.d, self.net, self.sections
        p = int(name[1:])
        symbol = net.weights[p][i - 1][j - 1] if name[0] == "W" else net.biases[p][i - 1]
        target = sp.Derivative(self.loss, symbol)
        section = Section(f"The derivative with respect to ${self.printer.doprint(symbol)}$")
        section.blocks += self.remark()
        if "chain" in wanted and self.steps == "full":
            from derive.losses import loss as loss_entry

            section.blocks.append(Text("The chain rule, applied step by step to the expanded loss: first "
                                       f"{loss_entry(self.arch.loss).outer}, then the activation, then the inner sum."))
            section.blocks += self.softmax_definition()
            steps = chain.steps(d.loss, symbol)
            notes = [""] + [chain.describe(a, b) for a, b in itertools.pairwise(steps)]
            section.blocks.append(Equation([target] + steps, notes=notes))
        elif "chain" in wanted:
            section.blocks += self.named_chain(symbol, name[0], p, i, j)
        if "short" in wanted:
            section.blocks.append(Text(
                "Substituting back the named quantities (the nodes $x$ and the derivatives of their "
                "activations $x'$) gives the short form:" if self.steps == "full" or "chain" not in wanted else
                "Multiplied out, in the named quantities:" if p == self.L - 1 else
                "Multiplied out over every path through the network, in the named quantities:"))
            section.blocks.append(Equation([target, self.short_form(name, i, j)]))
        if name[0] == "W" and "elements" in wanted:
            section.blocks.append(Text("The other elements of this matrix follow the same way:"))
            rows, cols = self.arch.shape(name)
            for a in range(1, rows + 1):
                for b in range(1, cols + 1):
                    if (a, b) != (i, j):
                        other = net.weights[p][a - 1][b - 1]
                        section.blocks.append(Equation([sp.Derivative(self.loss, other), self.short_form(name, a, b)]))
            if p < self.L - 1:
                section.blocks.append(Text(
                    "Each element is a $\\delta$ of the layer above times a node of this layer, with"))
                for a in range(1, rows + 1):
                    delta = self.delta_symbol(p + 1, a)
                    section.blocks.append(Equation([delta, self.distributed(self.shown_delta(p + 1, a))]))
        if name[0] == "W" and "matrix" in wanted:
            rows, cols = self.arch.shape(name)
            entries = [[self.grid_entry(p, a, b) for b in range(1, cols + 1)] for a in range(1, rows + 1)]
            if self.steps != "full" and p == self.L - 1 and self.too_wide(entries):  # δ_a x_b instead
                section.blocks.append(Text(f"With $\\delta_i^{{({self.L})}} = \\partial {sp.latex(self.loss)} / "
                                           f"\\partial z_i^{{({self.L})}}$ for each output:"))
                for a in range(1, rows + 1):
                    z = self.net.preactivations[self.L][a - 1]
                    section.blocks.append(Equation([self.delta_symbol(self.L, a), sp.Derivative(self.loss, z),
                                                    self.shown_delta(self.L, a)]))
                entries = [[self.delta_symbol(self.L, a) * self.net.nodes[p][b - 1] for b in range(1, cols + 1)]
                           for a in range(1, rows + 1)]
            section.blocks.append(Text("Together, and written as a matrix product:"))
            grid = sp.ImmutableMatrix(entries)
            section.blocks.append(Equation([Nabla(self.ws[p]), grid, self.pattern_product(p)]))
        return section

    def named_chain(self, symbol, kind, p, i, j) -> list:
        """∂L/∂w through the named quantities: ∂L/∂x · ∂x/∂z · ∂z/∂w, each factor on its own line,
        the δ of every layer above from the output down, and the product."""
        net, L, loss, D = self.net, self.L, self.loss, sp.Derivative
        layer = p + 1
        x, z = net.nodes[layer][i - 1], net.preactivations[layer][i - 1]
        elementwise = activation(self.arch.activations[p - 1]).elementwise
        target = D(loss, symbol)
        show = self.printer.doprint
        what = "weight" if kind == "W" else "bias"
        local = D(z, symbol)
        factors = [D(loss, x), D(x, z), local] if elementwise else [D(loss, z), local]
        through = f"${show(z)}$, which enters it only through ${show(x)}$" if elementwise else f"${show(z)}$"
        blocks: list = [
            Text(f"The {what} enters the loss only through {through}, so by the chain rule:"),
            Equation([target, Chain(*factors)]),
            Text("One factor at a time:"),
            Equation([local, net.nodes[p][j - 1] if kind == "W" else sp.Integer(1)]),
        ]
        values = [net.nodes[p][j - 1]] if kind == "W" else []  # ∂z/∂b = 1 is left out of the product
        if elementwise:
            prime = self.prime(layer, i)
            blocks.append(Equation([D(x, z), prime]))
            values.insert(0, prime)
        if layer == L:
            if elementwise:
                gradient = sp.factor_terms(sp.diff(net.loss, x))
                blocks.append(Equation([D(loss, x), gradient]))
            else:
                gradient = self.shown_delta(L, i)
                blocks.append(Equation([D(loss, z), self.through_outputs(z), gradient]))
            values.insert(0, gradient)
            blocks.append(Text("Multiplied together:"))
            blocks.append(Equation([target, Chain(*values) if len(values) > 1 else values[0]]))
            return blocks
        above = net.preactivations[layer + 1]
        weights = [net.weights[layer][k][i - 1] for k in range(len(above))]
        gradient = sp.Add(*[self.delta_symbol(layer + 1, k + 1) * w for k, w in enumerate(weights)])
        blocks.append(Equation([D(loss, x), sp.Add(*[Chain(D(loss, zk), D(zk, x)) for zk in above]), gradient]))
        blocks.append(Text("with $\\delta_k^{(l)} = \\partial " + sp.latex(loss) + " / \\partial z_k^{(l)}$ "
                           "for every layer above, from the output down:"))
        for m in range(L, layer, -1):
            hidden = activation(self.arch.activations[m - 2]).elementwise
            for k in range(1, self.arch.widths[m - 1] + 1):
                xk, zk = net.nodes[m][k - 1], net.preactivations[m][k - 1]
                parts = [self.delta_symbol(m, k), D(loss, zk)]
                if m == L:
                    parts += [Chain(D(loss, xk), D(xk, zk)) if hidden else self.through_outputs(zk),
                              self.shown_delta(L, k)]
                elif hidden:
                    inner = sp.Add(*[self.delta_symbol(m + 1, n + 1) * net.weights[m][n][k - 1]
                                     for n in range(self.arch.widths[m])])
                    parts += [Chain(D(loss, xk), D(xk, zk)), Chain(inner, self.prime(m, k))]
                else:
                    parts.append(self.shown_delta(m, k))
                blocks.append(Equation(parts))
        blocks.append(Text("Multiplied together:"))
        values.insert(0, gradient)
        delta = self.delta_symbol(layer, i)
        blocks.append(Equation([target, Chain(*values), Chain(delta, values[-1]) if kind == "W" else delta]))
        return blocks

    def prime(self, layer, i):
        """∂x_i/∂z_i of an elementwise layer as named: x_i', or a constant (identity: 1)."""
        x, z = self.net.nodes[layer][i - 1], self.net.preactivations[layer][i - 1]
        return sp.diff(self.net.definitions[x], z).xreplace(self.net.derivative_names)

    def through_outputs(self, z):
        """∂L/∂z of a softmax output: Σ_n ∂L/∂x_n · ∂x_n/∂z (every output depends on every z)."""
        D = sp.Derivative
        return sp.Add(*[Chain(D(self.loss, xn), D(xn, z)) for xn in self.net.outputs])

    def shown_delta(self, layer, i):
        """δ_i^(layer) as shown: from the proven pattern, simplified with the labels' assumptions
        (x - y for softmax with cross-entropy), else as recognized."""
        if not self.assumptions():
            return self.named[self.delta_symbol(layer, i)]
        key = (layer, i)
        if key not in self.pattern_deltas:
            if layer == self.L:
                value = self.d.output_delta(i)
            else:
                factor = self.net.derivatives[layer][i - 1] if self.d.proven.inner_factor[layer] != 1 else 1
                value = factor * sp.Add(*[self.net.weights[layer][k][i - 1] * self.shown_delta(layer + 1, k + 1)
                                          for k in range(self.arch.widths[layer])])
            self.pattern_deltas[key] = value
        return self.pattern_deltas[key]

    def short_form(self, name, a, b=None):
        """∂L/∂ of one element in named quantities, multiplied out over the paths."""
        if not self.assumptions():
            return self.distributed(self.d.partial(name, a, b, short=True))
        p = int(name[1:])
        delta = self.shown_delta(p + 1, a)
        return self.distributed(delta if b is None else delta * self.net.nodes[p][b - 1])

    def too_wide(self, rows) -> bool:
        """Whether a matrix of these entries is wider than a display line."""
        from derive.document.layout import WIDTH, visual_width

        return max(sum(visual_width(self.printer.doprint(e)) + 2 for e in row) for row in rows) > WIDTH - 14

    def grid_entry(self, p, a, b):
        """∂L/∂w_ab^(p) as shown in the gradient matrix: the short form for the output layer,
        δ_a^(p+1) x_b^(p) below it."""
        if p == self.L - 1:
            if self.assumptions():
                return self.shown_delta(self.L, a) * self.net.nodes[p][b - 1]
            return self.d.partial(f"W{p}", a, b, short=True)
        return self.delta_symbol(p + 1, a) * self.net.nodes[p][b - 1]

    def pattern_product(self, p):
        """∇W^(p) as explicit matrices: diag · column · row, with transposed weights inside."""
        row = sp.ImmutableMatrix(self.matrices[self.xs[p]]).T
        return sp.MatMul(*self.delta_factors(p + 1), row)

    def delta_factors(self, layer):
        """δ^(layer) as a product of explicit matrices, down from the output layer."""
        out = self.d.proven.output
        L, net = self.L, self.net
        if layer == L:
            n = self.arch.widths[-1]
            if out.kind == "elementwise" and out.simplified == out.delta and XP in out.delta.free_symbols:
                g = [sp.factor_terms(out.gradient.xreplace({X: net.outputs[i], Y: net.labels[i]})) for i in range(n)]
                return [sp.diag(*g), sp.ImmutableMatrix(net.derivatives[L])]
            column = [self.d.output_delta(i) for i in range(1, n + 1)]
            return [sp.ImmutableMatrix(n, 1, column)]
        above = sp.ImmutableMatrix(self.matrices[self.deltas[layer + 1]])
        factors = [sp.ImmutableMatrix(self.matrices[self.ws[layer]]).T, above]
        if self.d.proven.inner_factor[layer] != 1:
            factors.insert(0, sp.diag(*net.derivatives[layer]))
        return factors

    def distributed(self, expr):
        """The sum over paths, as articles write it: the chain rule's sums multiplied out,
        the factors that come from the loss (x - y) kept whole."""
        labels, weights = set(self.net.labels), set(self.net.all_parameters)
        kept = {}

        def keep(e):
            kept.setdefault(e, sp.Dummy(f"loss{len(kept)}"))
            return kept[e]

        protected = expr.replace(lambda e: _is_loss_factor(e, labels, weights), keep)
        result = sp.expand_mul(protected)
        restore = {v: k for k, v in kept.items()}
        while result.free_symbols & set(restore):  # placeholders may hold placeholders
            result = result.xreplace(restore)
        return result

    # 5 -----------------------------------------------------------------------
    def recurrence(self) -> Section:
        d, L = self.d, self.L
        section = Section("The pattern: the $\\delta$ recurrence")
        section.blocks += self.remark()
        section.blocks.append(Text(
            "Every gradient matrix is an outer product of a vector $\\delta$ with the layer below; "
            "$\\delta$ of the output layer comes from the loss, and each inner $\\delta$ from the one above "
            f"through the transposed weights. Proven element by element for this network "
            f"({d.proven.proof_count} identities):"))
        section.blocks.append(Equation([self.deltas[L], self.output_delta_form()]))
        for layer in range(L - 1, 1, -1):
            through = sp.MatMul(sp.Transpose(self.ws[layer]), self.deltas[layer + 1])
            if d.proven.inner_factor[layer] != 1:
                through = Hadamard(through, self.primes[layer])
            section.blocks.append(Equation([self.deltas[layer], through]))
        for p in range(L - 1, 0, -1):
            section.blocks.append(Equation([Nabla(self.ws[p]), sp.MatMul(self.deltas[p + 1], sp.Transpose(self.xs[p]))]))
            if self.arch.bias:
                section.blocks.append(Equation([Nabla(self.bs[p]), self.deltas[p + 1]]))
        if d.proven.output.rewrite and not (d.proven.output.rewrite == _SUM_TO_ONE and self.assumptions()):
            section.blocks.append(Text(f"(The output $\\delta$ uses {_rule_text(d.proven.output.rewrite)}.)"))
        return section

    def output_delta_form(self):
        out, net, L = self.d.proven.output, self.net, self.L
        n = self.arch.widths[-1]
        names = lambda i: {X: net.outputs[i], Y: net.labels[i], Z: net.preactivations[L][i]}
        if out.kind == "elementwise" and out.simplified == out.delta and L in self.primes:
            g = sp.ImmutableMatrix(n, 1, [sp.factor_terms(out.gradient.xreplace(names(i))) for i in range(n)])
            return Hadamard(g, self.primes[L])
        return sp.ImmutableMatrix(n, 1, [self.d.output_delta(i + 1) for i in range(n)])


_SUM_TO_ONE = "Σ_i y_i = 1"  # the pattern's rewrite for labels that sum to one (said once, by remark)


def _rule_text(rule: str) -> str:
    return {"Σ_i y_i = 1": "that the labels sum to one, $\\sum_i y_i = 1$"}.get(
        rule, f"the rewrite rule ${rule.replace('*', ' ')}$")


def _is_loss_factor(expr, labels, weights) -> bool:
    """A sum that comes from the loss: it holds labels and no weights, like x_1 - y_1."""
    return expr.is_Add and bool(expr.free_symbols & labels) and not expr.free_symbols & weights


def pattern_equations(d: Derivation) -> tuple:
    """The proven δ recurrence of ``d`` (its document and equations), for small networks."""
    builder = _Builder(d, notation("arrows"), None)
    document = Document(title="", sections=[], loss_symbol=builder.loss, expand=d.network.expanded,
                        loss=d.network.expanded(d.network.loss), matrices=builder.matrices,
                        named=builder.named, assumptions=builder.assumptions())
    equations = [b for b in builder.recurrence().blocks if isinstance(b, Equation)]
    for equation in equations:
        document.prove(equation)
    return document, equations
