"""Judging an article as a whole: its own names learned from its definitions, its worked
numbers checked with its own values, everything else in the reference notation.

``ArticleJudge.prepare`` reads every equation once (``derive.reader.parse``), learns the
article's names in article order (``derive.audit.flat``), and collects the numbers it gives
as data. ``judge`` then gives each equation's items:

- a definition that binds a new name is "skipped" (a definition, with what it binds); one
  that contradicts the network is "wrong" with why; a value given as data is "skipped";
- a link with a decimal number on a side, or with no name on a side, is a numeric link: both
  sides are evaluated with the article's values (``derive.audit.numbers``; the network's
  quantities and partials at the article's point from ``derive.judge.values``) and agree or
  not within the digits the article prints;
- other links that use a learned name are written in the engine's symbols and judged by the
  checker; a name the article never defines is "skipped" and listed as unbound;
- equations without any learned name or number go to the reference notation's reader.

A loss defined with a node of a free layer letter beside the label (``C = \\sum_i (a_l^i -
y^i)^2``) names that letter the output layer: from that definition on (itself included) the
chosen notation reads it as L (``Notation.output_letter``), before it the letter stays a
general layer; the notation block lists it (``"l": ["L (the output layer, from line N)"]``).
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

import mpmath
import sympy as sp

from derive import naming
from derive.audit.flat import (
    EULER,
    LOSS_SYMBOL,
    Contradiction,
    Learner,
    NotADefinition,
    Unbound,
    _activation_name,
    _is_number,
    _layer_activation,
    index_hint,
    to_sympy,
)
from derive.audit.items import Item, checker_judge, link_texts, member_texts
from derive.audit.numbers import ELEMENTARY, Approx, Unevaluable, decimals, evaluate, shown
from derive.errors import DeriveError, ShapeError
from derive.reader.syntax import Call, Number, Partial, Symbol, walk

_DEFINED_AS = re.compile(r"\\equiv(?![A-Za-z])|\\coloneqq(?![A-Za-z])|\\triangleq(?![A-Za-z])")
CHOOSING_ITEMS = 300  # --notation auto: the distinct equations the choice is made on


class ArticleJudge:
    """Judges the equations of one article (call ``prepare`` with all of them first)."""

    def __init__(self, checker, arch, loss_names=None, symbols: str | None = None, learn: bool = True,
                 notation: str = "auto"):
        self.checker, self.arch = checker, arch
        self.reference = checker_judge(checker, arch, loss_names)
        self.learner = Learner(arch)
        self.learned = self.learner.learned
        self.learned.reference = self._reference
        self.loss_names = loss_names
        self._references: dict = {}
        self.learn = learn
        self.notation_name = notation
        self.symbols_text = symbols
        self.chosen: Any = None  # the notation (derive.notation.Notation) the other formulas are read in
        self.output: tuple | None = None  # (letter, line): the loss's definition names that layer letter L
        self._output_notation: Any = None  # the chosen notation with that letter read as L
        self._at_output: set = set()  # the equations read with it: first written at or after that line
        self.not_bound: list = []  # what the chosen notation could not bind
        self.batch = False  # the article's whole quantities are batches of examples (formula.batch_article)
        self.assigned: dict = {}  # g ← …: an algorithm's variable -> the LaTeX of its latest value
        from derive.notation import parse_symbols

        self.given = parse_symbols(symbols) if symbols else {}  # --symbols: name -> meaning, parsed once
        if symbols:
            self.learner.reserved = set(self.given)
            self._bind_given(symbols)
        self.trees: dict = {}  # latex -> members, or the reason it could not be read
        self.outcomes: dict = {}  # latex -> ("definition" | "contradiction" | "value", message)
        self.unbound: set = set()
        self.printed: dict = {}  # a name the article gives only a computed number for -> its Approx
        self._judge: Any = None
        self._point: dict | None = None
        self._known_values: dict | None = None

    # ---------------------------------------------------------------------------------
    def prepare(self, equations) -> None:
        from derive.reader.parse import parse

        contradictions: dict = {}  # latex -> why it contradicts the network, read as a flat definition
        for equation in equations:
            latex = equation.latex
            if latex in self.trees:
                continue
            try:
                self.trees[latex] = parse(latex, functions=frozenset(self.learned.functions))
            except (DeriveError, RecursionError) as error:
                self.trees[latex] = str(error) or "unreadable"
                continue
            if not self.learn:
                continue
            try:
                what = self.learner.definition(self.trees[latex], equation.line)
            except Contradiction as contradiction:
                contradictions[latex] = str(contradiction)
                continue
            except Exception:  # noqa: BLE001, S112 -- one formula that cannot be learned from is judged as a claim
                continue
            if what:
                self.outcomes[latex] = ("definition", what)
        for latex, members in self.trees.items():
            if isinstance(members, list) and latex not in self.outcomes and self._is_value(members):
                self.learned.values[members[0]] = _number_text(members[1])
                given = f"{members[0].written} = {self.learned.values[members[0]]}"
                self.outcomes[latex] = ("value", f"a value the article gives: {given}")
        if self.learn and self.learned.values:
            self._learn_from_numbers(equations)
        self._choose(equations)
        if self.chosen is not None:
            from derive.judge import formula

            cost = formula.batch_article([e.latex for e in equations], self.chosen)
            self.batch = bool(cost)
            if cost and cost != self.chosen.batch_cost:  # the article's own cost: a 1/m mean
                self.chosen = replace(self.chosen, batch_cost=cost)
            if not self.chosen.bias_unit and self._states_a_bias_unit():
                self.chosen = replace(self.chosen, bias_unit=True)
        if self.notation_name != "reference":
            self._learn_output_layer(equations)
        for latex, why in contradictions.items():  # a_2 = \sigma(w_1 a_1) in a vector notation is a claim
            if not self._binds(latex):
                self.outcomes[latex] = ("contradiction", why)

    def _learn_output_layer(self, equations) -> None:
        """``C = \\sum_i (a_l^i - y^i)^2``: a loss defined with a node of a free layer letter
        beside the label makes that letter the output layer L from the definition on (the
        definition included); the equations before it keep the letter a general layer."""
        from derive.reader.bind import LOSS, read

        n = self.chosen
        if n is None or n.name == "flat" or n.output_letter:
            return
        for equation in equations:
            if "=" not in equation.latex:
                continue
            try:
                members = read(equation.latex, n, self.arch)
            except (DeriveError, RecursionError):
                continue
            if len(members) < 2 or members[0] != LOSS:
                continue
            letter = next(filter(None, (_beside_label(m) for m in members[1:])), None)
            if letter is None:
                continue
            self.output = (letter, equation.line)
            self._output_notation = dataclasses.replace(n, output_letter=letter)
            first: dict = {}
            for other in equations:
                first.setdefault(other.latex, other.line)  # identical equations are judged once, at the first
            self._at_output = {latex for latex, line in first.items() if line >= equation.line}
            return

    def _states_a_bias_unit(self) -> bool:
        """Whether the article says that node 0 is the constant 1 (x_0 = 1, x_0 = z_0 = 1: Bishop's
        absorbed bias, the weight from node 0 being the bias), in its text or in --symbols."""
        def unit(members) -> bool:
            return isinstance(members, list) and len(members) >= 2 and isinstance(members[-1], Number) \
                and members[-1].text == "1" and all(isinstance(m, Symbol) and m.sub == "0" and m.sup is None
                                                    for m in members[:-1])

        return any(unit([key, meaning]) for key, meaning in self.given.items()) \
            or any(unit(members) for members in self.trees.values())

    def _binds(self, latex: str, flat: bool = False) -> bool:
        """Whether the chosen notation reads and binds ``latex`` (then it is a claim to judge in
        that notation, not a flat definition that contradicts the network; a name the notation
        binds is no unbound name even where the flat reading does not know it, ``flat``)."""
        from derive.reader.bind import read

        if self.chosen is None or (self.chosen.name == "flat" and not flat):
            return False
        try:
            read(latex, self.chosen, self.arch)
        except (DeriveError, RecursionError):
            return False
        return True

    def _choose(self, equations) -> None:
        """The notation for the formulas the article's own names do not cover: --notation's, or
        for auto the preset under which most of them read and bind (derive.reader.bind.choose)."""
        from derive.notation import chosen_loss_name, load_toml, notation
        from derive.reader.bind import choose

        symbols = self.given or None
        loss_name = chosen_loss_name(self.loss_names)
        if self.notation_name in ("auto", "flat", "reference"):
            texts = list(dict.fromkeys(e.latex for e in equations if "=" in e.latex
                                       and e.latex not in self.outcomes))[:CHOOSING_ITEMS]
            if not texts:
                return
            choice = choose(texts, self.arch, symbols, loss_name=loss_name)
            tied = [name for name, count in choice.tried.items() if count == choice.read]
            if len(tied) > 1:  # the article's own forward definitions say which reading is its own
                scores = {name: self._definitions_hold(choose(texts, self.arch, symbols, (name,), loss_name).notation,
                                                       texts) for name in tied}
                best = max(tied, key=lambda name: scores[name])  # ties: the earlier
                if scores[best] > scores[choice.notation.name]:
                    choice = choose(texts, self.arch, symbols, (best,), loss_name)
            self.chosen = choice.notation
            self.not_bound = [why for _, why in choice.unbound]
            return
        chosen = load_toml(self.notation_name) if self.notation_name.endswith(".toml") else notation(self.notation_name)
        if symbols:
            chosen = chosen.with_symbols(symbols)
        if loss_name:
            chosen = chosen.with_loss_name(loss_name)
        self.chosen = chosen

    def _definitions_hold(self, n, texts: list, most: int = 8) -> int:
        """How many of the article's forward definitions (a node value or weighted input = an
        expression without derivatives, the first ``most`` of them) are proven under ``n``."""
        from derive.check import Judge
        from derive.judge.meaning import Conventions, claims
        from derive.reader.bind import read
        from derive.reader.syntax import Nabla, Quantity

        judge = Judge(self.checker.d)
        judge._checkers[self.arch] = self.checker
        proven = seen = 0
        for text in texts:
            if seen >= most:
                break
            try:
                members = read(text, n, self.arch)
            except DeriveError:
                continue
            if len(members) != 2 or not isinstance(members[0], Quantity) \
                    or members[0].kind not in ("node", "preactivation") \
                    or any(isinstance(p, (Partial, Nabla)) for m in members for p in walk(m)):
                continue
            seen += 1
            try:
                verdicts = judge.judge(claims(members, self.arch, Conventions.of(n)))
            except DeriveError:
                continue
            proven += bool(verdicts) and all(v.verdict == "right" for v in verdicts)
        return proven

    def _reference_items(self, latex: str) -> list[Item]:
        """The reference notation's items (``checker_judge``), its failure an item too."""
        try:
            return self.reference(latex)
        except DeriveError as error:
            reason = str(error)
            kind = "unreadable" if reason.startswith("unreadable") else "not checkable"
            return [Item(0, 0, latex, "skipped", f"{kind}: {reason}", True)]
        except RecursionError:
            return [Item(0, 0, latex, "skipped", "not checkable: nested too deep to judge", True)]

    def _in_notation(self, latex: str) -> list[Item]:
        """An equation read in the chosen notation and judged for every value of its free indices
        (derive.judge.meaning, derive.check.Judge); the reference reader when that fails."""
        from derive.check import Judge
        from derive.judge import formula
        from derive.judge.meaning import Conventions, claims
        from derive.reader.bind import read

        if "=" not in latex and len(_DEFINED_AS.findall(latex)) == 1:
            # δ^l_j \equiv ∂C/∂z^l_j: a definition, checked against the network like an equation
            items = self._in_notation(_DEFINED_AS.sub("=", latex))
            for item in items:
                item.latex = latex
                if item.verdict == "right":
                    item.diagnosis = "a definition the network agrees with"
            return items
        if self.chosen is None or "=" not in latex:
            return self._reference_items(latex)
        if r"\text{new}" in latex:  # W_new = W - ε∇L in any notation: a definition, before binding
            return [Item(0, 0, latex, "skipped", "a definition (the update rule), nothing to prove")]
        n = self.chosen
        try:
            members = read(latex, n, self.arch) if n.batch_cost else []
            if n.batch_cost and (formula.batch(latex, n) or self.batch and formula.couples_examples(members)):
                # dW = (1/m) dZ A^T, a batch article's ∂l/∂b = 1^T δ: judged over batches of m examples
                verdicts = self.checker.judge(latex, self.loss_names, n, batch=self.batch)
            else:
                members = members or read(latex, n, self.arch)
                found = claims(members, self.arch, Conventions.of(n))
                if self._judge is None:
                    self._judge = Judge(self.checker.d)
                    self._judge._checkers[self.arch] = self.checker
                verdicts = self._judge.judge(found)
        except ShapeError as error:
            # as read, the sides cannot be compared; an elementwise reading the notation does not
            # know could fit, so this is no proof of a mistake unless that reading fails too
            fallback = self._reference_items(latex)
            if any(i.verdict in ("right", "wrong") for i in fallback):
                return fallback
            if _product_misfit(str(error)) and not self._fits_elementwise(latex):
                return [Item(0, 0, latex, "wrong", f"the shapes do not fit together: {error}, and neither "
                                                   f"elementwise nor with the factors in the other order", False)]
            return [Item(0, 0, latex, "undecided", f"the shapes do not fit together as read: {error}", True)]
        except DeriveError as error:
            fallback = self._reference_items(latex)
            if any(i.verdict in ("right", "wrong") for i in fallback):
                return fallback
            reason = str(error)
            kind = "unreadable" if reason.startswith("unreadable") else "not checkable"
            name = re.search(r"(?:cannot bind|unknown name) (\S+)", reason)
            if name:
                self.unbound.add(name.group(1))
            return [Item(0, 0, latex, "skipped", f"{kind}: {reason}", True)]
        texts = link_texts(latex, len(verdicts) + 1)
        items = []
        for k, verdict in enumerate(verdicts):
            if verdict.verdict == "wrong":
                diagnosis = verdict.diagnosis or "the two sides differ and no single change makes them equal"
            else:
                diagnosis = verdict.how if verdict.verdict == "undecided" else None
            items.append(Item(0, 0, texts[k], verdict.verdict, diagnosis, verdict.verdict == "undecided",
                              blame=verdict.blame, plain=verdict.diagnosis_text if verdict.verdict == "wrong" else None))
        return items + self._bridges(latex, items)

    def _bridges(self, latex: str, links: list[Item]) -> list[Item]:
        """In ``A = B = C`` with B to blame for both of its links, ``A = C`` judged on its own: the
        member after a slip is right (or wrong) by itself, reported at its lines."""
        members = member_texts(latex)
        if len(members) != len(links) + 1:
            return []
        bridges = []
        for k in range(1, len(links)):
            before, after = links[k - 1], links[k]
            if before.verdict == after.verdict == "wrong" and before.blame == after.blame == k:
                bridge = f"{members[k - 1]} = {members[k + 1]}"
                judged = self._in_notation(bridge)
                if len(judged) == 1 and judged[0].member is None:
                    judged[0].member, judged[0].blame = k + 1, None
                    if judged[0].verdict == "right":
                        judged[0].diagnosis = f"equal to the member before the one at fault: {bridge}"
                    bridges.append(judged[0])
        return bridges

    def _fits_elementwise(self, latex: str) -> bool:
        """Whether ``latex`` computes when every product in it is read elementwise, or with its
        factors in the other order (a row-vector habit, ``a w`` for ``w a``); or may: a reading
        that fails for another reason than a product of misfitting shapes."""
        from derive.judge.meaning import Conventions, claims
        from derive.reader.bind import read
        from derive.reader.syntax import Mul, Nabla, replaced

        def elementwise(node):
            if isinstance(node, Mul):
                return Mul(tuple(replaced(f, elementwise) for f in node.factors), ("odot",) * len(node.ops))
            return None

        def reversed_order(node):
            if isinstance(node, Mul):
                return Mul(tuple(replaced(f, reversed_order) for f in reversed(node.factors)), node.ops[::-1])
            return None

        n = self.chosen
        try:
            bound = read(latex, n, self.arch)
        except DeriveError:
            return True
        if any(isinstance(node, Mul) and any(isinstance(part, (Partial, Nabla)) for f in node.factors for part in walk(f))
               for m in bound for node in walk(m)):
            return True  # derivatives laid out by rows or by columns: articles differ, a misfit proves nothing
        for change, products in ((elementwise, ("odot",)), (reversed_order, n.elementwise)):
            try:
                members = [replaced(m, change) for m in bound]
                claims(members, self.arch, Conventions.of(n, elementwise=products))
            except ShapeError as error:
                if not _product_misfit(str(error)):
                    return True
                continue
            except DeriveError:
                return True
            return True
        return False

    def _learn_from_numbers(self, equations) -> None:
        """``out_{o1} = \\frac{1}{1 + e^{-1.130685409}}``: a name defined only by a computation
        with numbers; each number that is the value of exactly one known name (a given value,
        or a quantity's value to the digits printed) is read as that name, and the definition
        learned from the result."""
        for equation in equations:
            members = self.trees.get(equation.latex)
            if not isinstance(members, list) or len(members) < 2 or equation.latex in self.outcomes:
                continue
            name = members[0]
            if not isinstance(name, Symbol) or name.sup is not None or self.learned.quantity(name) is not None \
                    or name in self.learned.macros or name in self.learned.values or not _numeric(members[1]):
                continue
            try:
                symbolic = self._unnumber(members[1])
                what = self.learner.definition([name, symbolic], equation.line) if symbolic is not None else None
            except Exception:  # noqa: BLE001, S112 -- a computation not read as a definition stays a claim
                continue
            if what:
                self._point = None
                self._known_values = None
                self.outcomes[equation.latex] = ("numbers", f"{what} (read from its numbers)")

    def _unnumber(self, tree):
        """``tree`` with each decimal number that is exactly one known name's value replaced by
        the name; None when no number was replaced or a number stays."""
        from derive.audit.flat import _replace

        known = self._values_of_names()
        replaced = []

        def name_for(node):
            if not isinstance(node, Number) or "." not in node.text:
                return None
            printed = Approx.printed(node.text)
            given = [s for s, v in self.learned.values.items() if _same_decimal(v, node.text)]
            close = [s for s, v in known.items() if len(node.text) >= 6 and v.agrees(printed)]
            found = list(dict.fromkeys(given + close))
            if len(found) == 1:
                replaced.append(found[0])
                return found[0]
            return None

        result = _replace(tree, name_for)
        if not replaced or any(isinstance(n, Number) and "." in n.text for n in walk(result)):
            return None
        return result

    def _values_of_names(self) -> dict:
        """Every learned name's value at the article's point (those that have one)."""
        if self._known_values is None:
            point = _Point(self)
            values = {}
            for symbol, binding in self.learned.bindings.items():
                if binding.quantities[0] == LOSS_SYMBOL or symbol in self.learned.values:
                    continue
                try:
                    values[symbol] = point.symbol(symbol)
                except Unevaluable:
                    continue
            self._known_values = values
        return self._known_values

    def _is_value(self, members: list) -> bool:
        """``S = number`` with S data: a leaf of the network (input, weight, bias, label) or a
        name that is no quantity of it (a learning rate)."""
        if len(members) != 2 or not isinstance(members[0], Symbol) or not _is_number(members[1]):
            return False
        name = members[0]
        if name in self.learned.macros or name in self.learned.values:
            return False
        quantity = self.learned.quantity(name)
        if quantity is None:
            return self.learned.bindings != {} or self.learned.loss is not None
        return _is_leaf(quantity)

    def _bind_given(self, text: str) -> None:
        """``--symbols 'h=z_1^{(2)}, o=x_1^{(2)}, l=L'``: names bound by hand, in the reference
        notation; a one-line DeriveError for anything else."""
        from derive.audit.flat import Binding
        from derive.notation import split_top_level
        from derive.reader.parse import parse

        for pair in split_top_level(text, ","):
            if not pair.strip():
                continue
            name, equals, meaning = pair.partition("=")
            if not equals or not name.strip() or not meaning.strip():
                raise DeriveError(f"--symbols: {pair.strip()!r} is not NAME=MEANING, like 'h=z_1^{{(2)}}'")
            try:
                members = parse(name.strip())
            except DeriveError as error:
                raise DeriveError(f"--symbols: cannot read the name {name.strip()!r}: {error}") from None
            if len(members) != 1 or not isinstance(members[0], Symbol):
                raise DeriveError(f"--symbols: {name.strip()!r} is not one name")
            function = _activation_name(meaning.strip())
            if function:  # h=\tanh: the article's name for an activation
                self.learned.functions[members[0].base] = function
                continue
            quantity = self._reference(Symbol("MEANING", text=meaning.strip()))
            if quantity is None:
                continue  # a vector, a matrix or an index form: the notation's symbols read it
            self.learned.bindings[members[0]] = Binding(members[0], [quantity], 0)
            if quantity == LOSS_SYMBOL:
                self.learned.loss = members[0]

    def _reference(self, symbol: Symbol):
        """The engine symbol the reference notation reads ``symbol`` as (the loss's names as
        the loss), or None."""
        key = symbol.written
        if key not in self._references:
            from derive.judge import formula
            from derive.notation import chosen_loss_name

            found = formula.quantity(key, self.arch, chosen_loss_name(self.loss_names))
            if found is not None and not isinstance(found, naming.NetworkSymbol):
                found = LOSS_SYMBOL
            self._references[key] = found
        return self._references[key]

    @property
    def notation(self) -> dict:
        """The notation used: the article's own names when it defines any, else the preset
        chosen; what each learned name is; the names that could not be bound."""
        learned = any(binding.line for binding in self.learned.bindings.values())  # line 0: given by --symbols
        name = "flat" if learned else self.chosen.name if self.chosen else "arrows"
        unbound = set(self.unbound)
        for why in self.not_bound:
            match = re.search(r"(?:cannot bind|unknown name) (\S+)", why)
            if match:
                unbound.add(match.group(1))
        symbols = self.learned.spelled()
        if self.symbols_text:  # --symbols: what the user gave, as given
            from derive.notation import split_top_level

            for pair in split_top_level(self.symbols_text, ","):
                given, _, meaning = (part.strip() for part in pair.partition("="))
                if given and meaning:
                    symbols.setdefault(given, [meaning])
                    unbound.discard(given)
        unbound = {written for written in unbound if not self._binds(written, flat=True)}
        if self.output is not None:
            letter, line = self.output
            symbols[letter] = [f"L (the output layer, from line {line})"]
        result = {"name": name, "symbols": symbols, "unbound": sorted(unbound)}
        if learned and self.chosen is not None:
            result["preset"] = self.chosen.name  # for the formulas without the article's own names
        return result

    # ---------------------------------------------------------------------------------
    def __call__(self, latex: str) -> list[Item]:
        arrow = _ARROW.search(latex)
        if arrow and "=" not in latex[:arrow.start()]:  # g ← …: a step of an algorithm
            return self._assignment(latex, latex[:arrow.start()].strip(), latex[arrow.end():].strip())
        if self.assigned:
            judged = self._with_assigned(latex)
            if judged != latex:  # ∇_b J = g after g ← …: g as the algorithm last gave it
                return self._judged_as(judged, latex)
        return self._in_order(latex)

    def _in_order(self, latex: str) -> list[Item]:
        """An equation's items, with the output layer's letter as learned where it applies."""
        if latex not in self._at_output:
            return self._judged(latex)
        general, self.chosen = self.chosen, self._output_notation  # after the loss's definition: l is L
        try:
            items = self._judged(latex)
        finally:
            self.chosen = general
        if items and all(i.verdict == "skipped" and "does not exist" in (i.diagnosis or "") for i in items):
            # a_{l+1} = N(…) after the definition names a layer past the output: when it holds for
            # every layer l, it was written for a general one
            again = self._judged(latex)
            if all(i.verdict == "right" for i in again):
                return again
        return items

    def _assignment(self, latex: str, name: str, rest: str) -> list[Item]:
        """``g \\leftarrow \\nabla_{a} J = g \\odot f'(a)``, a step of an algorithm (Goodfellow et al.'s
        backprop): the chain after the arrow is judged with ``g`` as the algorithm's previous step
        gave it, and ``g`` takes the chain's first member from here on (steps are met in article order)."""
        from derive.reader.parse import parse

        try:
            (symbol,) = parse(name)
        except (DeriveError, ValueError):
            symbol = None
        if not isinstance(symbol, Symbol):
            return [Item(0, 0, latex, "skipped", f"unreadable: {name} \\leftarrow …: the left of an assignment "
                                                 "is one name", True)]
        used = _used(name)
        previous = self.assigned.get(name)
        if used.search(rest) and previous is None:
            return [Item(0, 0, latex, "skipped", f"not checkable: the step uses {name} before the algorithm gives "
                                                 "it a value", True)]
        letters = set(_LAYER_LETTER.findall(rest))
        if used.search(rest) and letters - set(_LAYER_LETTER.findall(previous or "")):
            self.assigned[name] = member_texts(rest)[0]
            return [Item(0, 0, latex, "skipped", f"not checkable: in a loop over the layer "
                                                 f"{', '.join(sorted(letters))}, {name} carries the value of the loop's "
                                                 "previous step, which the audit does not follow", True)]
        judged = self._with_assigned(rest)
        members = member_texts(judged)
        self.assigned[name] = members[0]
        if len(members) < 2:
            return [Item(0, 0, latex, "skipped", f"a definition (a step of the algorithm: {name} ← …), "
                                                 "nothing to prove")]
        return self._judged_as(judged, rest)

    def _with_assigned(self, text: str) -> str:
        """``text`` with each algorithm variable it uses written as its latest value."""
        for name, value in self.assigned.items():
            written = f"\\left({value}\\right)"
            text = _used(name).sub(written.replace("\\", "\\\\"), text)  # the value's backslashes as written
        return text

    def _judged_as(self, judged: str, shown: str) -> list[Item]:
        """The items of ``judged`` (an equation with the algorithm's variables written out),
        shown as the article wrote it (``shown``)."""
        from derive.reader.parse import parse

        if judged not in self.trees:
            try:
                self.trees[judged] = parse(judged, functions=frozenset(self.learned.functions))
            except (DeriveError, RecursionError) as error:
                self.trees[judged] = str(error) or "unreadable"
        items = self._in_order(judged)
        count = len(member_texts(judged))
        written, texts = link_texts(judged, count), link_texts(shown, count)
        for item in items:
            if item.latex in written:
                item.latex = texts[written.index(item.latex)]
            elif item.latex == judged:
                item.latex = shown
        return items

    def _judged(self, latex: str) -> list[Item]:
        members = self.trees.get(latex)
        if isinstance(members, list) and len(members) == 2:
            defined = self._function_definition(members, latex)
            if defined is not None:
                return [defined]
        if not isinstance(members, list) or len(members) < 2 or not self._uses_the_article(latex, members):
            return self._in_notation(latex)
        texts = _member_texts(latex, len(members))
        links = link_texts(latex, len(members)) if len(member_texts(latex)) == len(members) else []
        items = []
        outcome = self.outcomes.get(latex)
        anchor = self._anchor(members)
        if anchor and anchor[0] == 1 and not outcome:
            # E_{o1} = ½(0.05 - 0.7559…)² = …: a name for the number the article computes
            self.printed[members[0]] = anchor[1]
            outcome = ("definition", f"{members[0].written} names the number the article computes for it")
        for k in range(len(members) - 1):
            text = links[k] if len(links) == len(members) - 1 else f"{texts[k]} = {texts[k + 1]}"
            if anchor and k >= anchor[0] and self._numeric_link(members[k], members[k + 1]):
                items.append(self._against(anchor, members, texts, k + 1, text))
                continue
            if k == 0 and outcome:
                kind, message = outcome
                verdict = "wrong" if kind == "contradiction" else "skipped"
                label = "a definition" if kind in ("definition", "numbers") else None
                items.append(Item(0, 0, text, verdict, f"{label}: {message}" if label else message))
                continue
            try:
                item = self._link(members[k], members[k + 1], texts[k], texts[k + 1], text)
                if item.unjudged and item.diagnosis and item.diagnosis.startswith("cannot bind") and not outcome:
                    other = self._in_notation(latex)  # names of the chosen notation, not the article's
                    if any(i.verdict in ("right", "wrong") for i in other):
                        return other
                items.append(item)
            except NotADefinition:
                if not outcome:
                    return self._in_notation(latex)  # a form of a preset notation (vectors, sums)
                items.append(Item(0, 0, text, "skipped", "not checkable: a form the flat notation does not "
                                  "read (vectors, sums over an index)", True))
        return items

    def _no_such_parameter(self, left, symbol: Symbol) -> str | None:
        """∂E/∂w_9 in a network whose weights the article named w_1 … w_8: that parameter does
        not exist (wrong), and which one the article's names have."""
        if not (isinstance(left, Partial) and left.wrt == symbol and symbol.base in ("w", "b")
                and index_hint(symbol) is not None):
            return None
        same = sorted((index_hint(s), s.written) for s in self.learned.bindings
                      if s.base == symbol.base and index_hint(s) is not None and s.sup is None)
        if not same:
            return None
        kind = "weight" if symbol.base == "w" else "bias"
        return (f"{symbol.written} is no {kind} of the {self.arch.text} network: the article's {kind}s are "
                f"{same[0][1]} … {same[-1][1]}")

    def _numeric_link(self, a, b) -> bool:
        """A worked-number link: the article gives numbers as data, a side computes with them,
        and every name in it has a value there."""
        return bool(self.learned.values) and (_numeric(a) or _numeric(b)) and self._valued(a) and self._valued(b)

    def _anchor(self, members: list):
        """(position, value) of the member a numeric chain is about: its first member, or the
        second when the first is a new name for a computed number; None for other chains."""
        if not any(self._numeric_link(a, b) for a, b in itertools.pairwise(members)):
            return None
        first = members[0]
        candidates = [0]
        if isinstance(first, Symbol) and not self._valued(first) and _numeric(members[1]) and self._valued(members[1]):
            candidates = [1]
        for position in candidates:
            if self._valued(members[position]):
                try:
                    return position, evaluate(members[position], _Point(self))
                except Unevaluable:
                    return None
        return None

    def _against(self, anchor, members: list, texts: list, k: int, text: str) -> Item:
        """Member k of a numeric chain against the member the chain is about."""
        position, value = anchor
        try:
            mine = evaluate(members[k], _Point(self))
        except Unevaluable as why:
            return Item(0, 0, text, "undecided", f"not evaluated: {why}", True)
        if mine.agrees(value):
            return Item(0, 0, text, "right", None)
        if _is_number(members[k]):
            printed = _number_text(members[k])
            diagnosis = f"{texts[position]} is {shown(value.value, decimals(printed))}, not {printed}"
        else:
            diagnosis = f"{texts[k]} is {shown(mine.value)}, but {texts[position]} is {shown(value.value)}"
        return Item(0, 0, text, "wrong", diagnosis, blame=k)

    def _uses_the_article(self, latex: str, members: list) -> bool:
        if latex in self.outcomes:
            return True
        known = set(self.learned.bindings) | set(self.learned.macros) | set(self.learned.values) | set(self.printed)
        names = {n for m in members for n in walk(m) if isinstance(n, Symbol)}
        return bool(names & known) or (bool(self.learned.values) and any(_numeric(m) for m in members))

    def _valued(self, member) -> bool:
        """Every name in ``member`` has a number at the article's point."""
        learned = self.learned
        for node in walk(member):
            if isinstance(node, Call) and node.name not in ELEMENTARY and _activation_name(node.name) is None:
                return False
            if isinstance(node, Symbol) and not (node == EULER or node in learned.values or node in learned.macros
                                                 or node in self.printed or learned.quantity(node) is not None):
                return False
        return True

    def _link(self, a, b, left: str, right: str, text: str) -> Item:
        if self._numeric_link(a, b):
            return self._numbers(a, b, left, right, text)
        try:
            sides = [to_sympy(a, self.learned), to_sympy(b, self.learned)]
        except Unbound as unbound:
            missing = self._no_such_parameter(a, unbound.symbol)
            if missing:
                return Item(0, 0, text, "wrong", missing)
            self.unbound.add(unbound.symbol.written)
            return Item(0, 0, text, "skipped", f"cannot bind {unbound.symbol.written}: the article does not define "
                        "it and it is no quantity of the network", True)
        ties = self.learned.ties()
        if ties and any(self.learned.bindings.get(n) and len(self.learned.bindings[n].quantities) > 1
                        for m in (a, b) for n in walk(m) if isinstance(n, Symbol)):
            # a shared name: both sides written out, the tied parameters made one
            sides = [self.checker.values.value(side).xreplace(ties) for side in sides]
        (verdict,) = self.checker.check(sides)
        plain = None
        if verdict.verdict == "wrong":
            diagnosis = verdict.diagnosis or "the two sides differ and no single change makes them equal"
            diagnosis = self._in_article_names(diagnosis)
            plain = self._plain_in_article_names(verdict.found)
        else:
            diagnosis = verdict.how if verdict.verdict == "undecided" else None
        return Item(0, 0, text, verdict.verdict, diagnosis, verdict.verdict == "undecided", plain=plain)

    def _plain_in_article_names(self, found) -> str | None:
        """A diagnosis in plain Unicode with the article's own names for what it binds (σ'(z_o))."""
        if found is None:
            return None
        names = {quantity: sp.Symbol(binding.symbol.written) for binding in self.learned.bindings.values()
                 for quantity in binding.quantities if quantity != LOSS_SYMBOL}
        pieces = tuple(piece.xreplace(names) if isinstance(piece, sp.Basic) else piece for piece in found.pieces)
        return replace(found, pieces=pieces).text

    def _function_definition(self, members: list, latex: str) -> Item | None:
        """``\\sigma(x) = \\frac{1}{1 + e^{-x}}``: an activation written out, checked against the
        registry's (proven equal, or different at two points)."""
        call = members[0]
        if not (isinstance(call, Call) and len(call.args) == 1 and isinstance(call.args[0], Symbol)):
            return None
        name = self.learned.functions.get(call.name, _activation_name(call.name))
        if name == "" and len(set(self.arch.activations)) == 1:
            name = self.arch.activations[0]  # f(x) = …: the article's own name for the activation
        if not name or self.learned.quantity(call.args[0]) is not None:
            return None
        from derive.activations import ACTIVATIONS

        u = sp.Symbol("u", real=True)
        entry = ACTIVATIONS[name]
        if not entry.elementwise:
            return None
        try:
            written = to_sympy(members[1], self.learned, local={call.args[0]: u})
        except (Unbound, NotADefinition):
            return None
        own = entry.explicit(u)
        if call.primes == 1:
            own = sp.diff(own, u)
        elif call.primes:
            return None
        if written.has(*[type(f) for f in written.atoms(sp.Function) if not isinstance(f, (sp.exp, sp.log))]):
            from derive.judge.values import explicit

            written = explicit(written)
        text = f"{call.name}{chr(39) * call.primes}"
        from derive.judge.values import exp_atoms_zero

        if sp.simplify(own - written) == 0 or exp_atoms_zero(own - written):
            return Item(0, 0, latex, "right", None)
        points = [sp.Rational(37, 100), sp.Rational(-13, 10)]
        differ = [abs(sp.N((own - written).subs(u, p), 30)) > 1e-20 for p in points]
        if all(differ):
            at = points[0]
            return Item(0, 0, latex, "wrong", f"this is not {text} ({name}): at {call.args[0].written} = {float(at)} "
                                              f"{text} is {sp.N(own.subs(u, at), 10)}, the right side "
                                              f"{sp.N(written.subs(u, at), 10)}")
        return Item(0, 0, latex, "undecided", f"not proven equal to {text} and not shown different", True)

    def _in_article_names(self, diagnosis: str) -> str:
        """x_{2}^{(2)} should be x_{1}^{(2)} -> out_{h2} should be out_{h1}, for the names it binds."""
        names = self.learned.article_names()
        if not names:
            return diagnosis
        pattern = re.compile("(?:" + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
                             + r")(?![\^_'])")  # x_{1} alone, never the start of x_{1}^{(3)}
        return pattern.sub(lambda m: names[m.group(0)], diagnosis)

    def _numbers(self, a, b, left: str, right: str, text: str) -> Item:
        point = _Point(self)
        try:
            first, second = evaluate(a, point), evaluate(b, point)
        except Unevaluable as why:
            return Item(0, 0, text, "undecided", f"not evaluated: {why}", True)
        if first.agrees(second):
            return Item(0, 0, text, "right", None)
        if isinstance(b, Number) or _is_number(b):
            diagnosis = f"{left} is {shown(first.value, decimals(_number_text(b)))}, not {_number_text(b)}"
        elif isinstance(a, Number) or _is_number(a):
            diagnosis = f"{right} is {shown(second.value, decimals(_number_text(a)))}, not {_number_text(a)}"
        else:
            diagnosis = f"{left} is {shown(first.value)}, but {right} is {shown(second.value)}"
        return Item(0, 0, text, "wrong", diagnosis)

    # the article's point -------------------------------------------------------------
    def leaf_point(self) -> dict:
        """engine leaf symbol -> the article's value (decimal text)."""
        if self._point is None:
            self._point = {}
            for symbol, value in self.learned.values.items():
                binding = self.learned.bindings.get(symbol)
                for quantity in binding.quantities if binding else ():
                    if _is_leaf(quantity):
                        self._point[quantity] = value
        return self._point

    def given_numbers(self) -> set:
        found = set()
        for value in self.learned.values.values():
            try:
                found.add(Decimal(value))
            except InvalidOperation:
                continue
        return found


class _Point:
    """What the numbers of a formula are at the article's point (see numbers.evaluate)."""

    def __init__(self, judge: ArticleJudge):
        self.judge, self.learned = judge, judge.learned
        self.given = judge.given_numbers()

    def number(self, text: str) -> Approx:
        try:
            exact = Decimal(text) == Decimal(text).to_integral_value() or Decimal(text) in self.given
        except InvalidOperation:
            exact = False
        return Approx.exact(text) if exact else Approx.printed(text)

    def has_value(self, symbol: Symbol) -> bool:
        return symbol in self.learned.values or symbol in self.learned.bindings or symbol in self.learned.macros \
            or symbol in self.judge.printed

    def symbol(self, symbol: Symbol) -> Approx:
        if symbol in self.learned.values:
            return Approx.exact(self.learned.values[symbol])
        quantity = self.learned.quantity(symbol)
        if quantity is not None:
            return self._engine(quantity, symbol.written)
        if symbol in self.learned.macros:
            return evaluate(self.learned.macros[symbol], self)
        if symbol in self.judge.printed:
            return self.judge.printed[symbol]
        if symbol == EULER:
            return Approx.exact(mpmath.e)
        raise Unevaluable(f"{symbol.written} has no value in the article")

    def partial(self, node: Partial) -> Approx:
        try:
            expression = to_sympy(node, self.learned)
        except (Unbound, NotADefinition):
            raise Unevaluable(f"the derivative {_text(node)} is not one of the network's") from None
        return self._engine(expression, _text(node))

    def activation(self, call) -> str | None:
        name = _activation_name(call.name)
        if name == "":
            return _layer_activation(sp.Integer(0), self.learned)
        return name

    def _engine(self, expression, written: str) -> Approx:
        from derive.judge.values import precise

        try:
            value = precise(self.judge.checker.values.value(expression), self.judge.leaf_point())
        except DeriveError as error:
            raise Unevaluable(str(error)) from None
        if value is None:
            raise Unevaluable(f"{written}: the article does not give every input, weight, bias and label it "
                              "depends on")
        return Approx.exact(value)


def _beside_label(tree) -> str | None:
    """The layer letter of a node written beside the label in a sum or product (a_l^i - y^i,
    y \\log a^l): the letter a loss's definition uses for the output layer; None if none."""
    from derive.reader.syntax import Add, Mul, Quantity

    def letter(node):
        if isinstance(node, Call) and len(node.args) == 1:
            node = node.args[0]  # y \log a_l
        if isinstance(node, Quantity) and node.kind == "node" and isinstance(node.layer, str) \
                and re.fullmatch(r"[a-z]", node.layer):
            return node.layer
        return None

    for node in walk(tree):
        parts = [t for _, t in node.terms] if isinstance(node, Add) else list(node.factors) \
            if isinstance(node, Mul) else []
        if any(isinstance(p, Quantity) and p.kind == "label" for p in parts):
            found = next(filter(None, map(letter, parts)), None)
            if found:
                return found
    return None


_LAYER_LETTER = re.compile(r"\^\{?[(\[]\s*([A-Za-z])\s*(?:[+-]\s*\d+\s*)?[)\]]")  # ^{(k)}, ^{(k-1)}, ^{[l]}
_ARROW = re.compile(r"\\leftarrow(?![A-Za-z])|\\gets(?![A-Za-z])|←")


def _used(name: str) -> re.Pattern:
    """Where an algorithm's variable (g, \\boldsymbol{g}) is used in a text, as a whole name."""
    transpose = r"\s*(?:\\top|\\intercal|T(?![A-Za-z])|\{\s*(?:\\top|T)\s*\})"  # g^\top is g, transposed
    return re.compile(r"(?<![\\A-Za-z])" + re.escape(name) + r"(?![A-Za-z_'(])(?!\^(?!" + transpose + "))")


def _product_misfit(reason: str) -> bool:
    """Whether a shape error is two factors of a product whose shapes do not fit."""
    return reason.startswith(("cannot multiply a ", "⊙ of a "))


def _same_decimal(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


def _is_leaf(quantity) -> bool:
    if quantity == LOSS_SYMBOL or not isinstance(quantity, naming.NetworkSymbol):
        return False
    parts = naming.parse_symbol(quantity.name)
    if not parts:
        return False
    return parts["kind"] in ("w", "b", "y") or (parts["kind"] == "x" and parts["layer"] == 1)


def _numeric(member) -> bool:
    """A side that is a computation with numbers: a decimal number in it, or no name at all."""
    names = [n for n in walk(member) if isinstance(n, Symbol) and n != EULER]
    numbers = [n for n in walk(member) if isinstance(n, Number)]
    return bool(numbers) and (not names or any("." in n.text for n in numbers))


def _number_text(node) -> str:
    if isinstance(node, Number):
        return node.text
    sign, inner = node.terms[0]
    return ("-" if sign < 0 else "") + _number_text(inner)




def _member_texts(latex: str, count: int) -> list[str]:
    members = member_texts(latex)
    return members if len(members) == count else [f"side {k + 1}" for k in range(count)]


def _text(node) -> str:
    if isinstance(node, Partial) and isinstance(node.of, Symbol) and isinstance(node.wrt, Symbol):
        return f"∂{node.of.written}/∂{node.wrt.written}"
    return "a derivative"
