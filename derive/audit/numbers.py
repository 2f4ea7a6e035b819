"""Worked numbers: values known to the digits an article prints, and links checked with them.

A number an article prints as the result of a computation (``= 0.3775``) stands for every
value that rounds to it: ``Approx.printed("0.3775")`` is 0.3775 ± 0.00005. A number it reuses
in a later step carries the same half unit, and every operation propagates the bounds (sums
add them, products by the product rule, functions by their largest change over the interval),
so a link holds when the two sides' intervals meet. Numbers the article gives as data
(``w_1 = 0.15``) and integers are exact. Arithmetic is mpmath at ``DIGITS`` significant
digits, far below any printed half unit.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import mpmath

DIGITS = 40
_NUMBER = re.compile(r"^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$")


def _mpf(value) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        return mpmath.mpf(value)


@dataclass(frozen=True)
class Approx:
    """A value and a bound on its absolute error."""

    value: mpmath.mpf
    error: mpmath.mpf

    @classmethod
    def exact(cls, value) -> Approx:
        return cls(_mpf(value), _mpf(0))

    @classmethod
    def printed(cls, text: str) -> Approx:
        """A number as printed, standing for everything that rounds to it (integers are exact)."""
        with mpmath.workdps(DIGITS):
            return cls(_mpf(text.strip()), half_unit(text))

    # arithmetic ------------------------------------------------------------------------
    def __add__(self, other: Approx) -> Approx:
        with mpmath.workdps(DIGITS):
            return Approx(self.value + other.value, self.error + other.error)

    def __sub__(self, other: Approx) -> Approx:
        return self + (-other)

    def __neg__(self) -> Approx:
        with mpmath.workdps(DIGITS):
            return Approx(-self.value, self.error)

    def __mul__(self, other: Approx) -> Approx:
        with mpmath.workdps(DIGITS):
            error = abs(self.value) * other.error + abs(other.value) * self.error + self.error * other.error
            return Approx(self.value * other.value, error)

    def __truediv__(self, other: Approx) -> Approx:
        with mpmath.workdps(DIGITS):
            if other.value == 0 or abs(other.value) <= other.error:
                raise ZeroDivisionError("division by a value that may be zero")
            value = self.value / other.value
            error = (self.error + abs(value) * other.error) / (abs(other.value) - other.error)
            return Approx(value, error)

    def power(self, exponent: Approx) -> Approx:
        if exponent.error == 0 and exponent.value == int(exponent.value) and exponent.value >= 0:
            result = Approx.exact(1)
            for _ in range(int(exponent.value)):
                result = result * self
            return result
        return self.apply2(lambda a, b: a ** b, exponent)

    def apply(self, function: Callable) -> Approx:
        """f(self), its bound the largest change of f over [value - error, value + error]
        (the functions here are monotone or smooth on such small intervals; the midpoint
        is sampled too)."""
        with mpmath.workdps(DIGITS):
            value = function(self.value)
            if self.error == 0:
                return Approx(value, _mpf(0))
            points = [self.value - self.error, self.value + self.error,
                      self.value - self.error / 2, self.value + self.error / 2]
            error = max(abs(function(p) - value) for p in points)
            return Approx(value, error)

    def apply2(self, function: Callable, other: Approx) -> Approx:
        with mpmath.workdps(DIGITS):
            value = function(self.value, other.value)
            corners = [function(self.value + s * self.error, other.value + t * other.error)
                       for s in (-1, 1) for t in (-1, 1)]
            return Approx(value, max(abs(c - value) for c in corners))

    # comparison ------------------------------------------------------------------------
    def agrees(self, other: Approx) -> bool:
        """The two intervals meet (beyond the working precision's own rounding)."""
        with mpmath.workdps(DIGITS):
            slack = max(abs(self.value), abs(other.value), _mpf(1)) * _mpf(10) ** (-(DIGITS - 15))
            return abs(self.value - other.value) <= self.error + other.error + slack


def half_unit(text: str) -> mpmath.mpf:
    """Half a unit in the last printed place: 0.3775 -> 0.00005; integers -> 0 (exact)."""
    match = _NUMBER.match(text)
    if not match or not match.group(3):
        return _mpf(0)
    with mpmath.workdps(DIGITS):
        return _mpf(5) * _mpf(10) ** (-(len(match.group(3)) + 1))


def decimals(text: str) -> int:
    match = _NUMBER.match(text)
    return len(match.group(3)) if match and match.group(3) else 0


def shown(value: mpmath.mpf, places: int | None = None) -> str:
    """A value for a diagnosis: to ``places`` decimals (those of the number it is compared
    with), else to 10 significant digits."""
    with mpmath.workdps(DIGITS):
        if places is not None and places > 0 and abs(value) >= _mpf(10) ** (-places):
            return mpmath.nstr(value, max(1, int(mpmath.floor(mpmath.log10(abs(value)))) + 1 + places),
                               strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf)
        return mpmath.nstr(value, 10, min_fixed=-mpmath.inf, max_fixed=mpmath.inf)


# evaluating a formula's tree ---------------------------------------------------------------
class Unevaluable(Exception):
    """A part of the formula has no number: the message says which."""


def evaluate(node, point) -> Approx:
    """The value of a syntax tree as an Approx. ``point`` resolves what the tree itself does not
    fix: ``point.number(text)`` (exact data or a printed result), ``point.symbol(symbol)`` and
    ``point.partial(node)`` (Approx, or raise Unevaluable), ``point.activation(call)`` (the
    registry name a call means, or None)."""
    from derive.reader.syntax import Add, Call, Frac, Mul, Number, Partial, Pow, Symbol

    if isinstance(node, Number):
        return point.number(node.text)
    if isinstance(node, Symbol):
        return point.symbol(node)
    if isinstance(node, Add):
        total = Approx.exact(0)
        for sign, term in node.terms:
            value = evaluate(term, point)
            total = total + value if sign > 0 else total - value
        return total
    if isinstance(node, Mul):
        if any(op in ("odot", "circ") for op in node.ops):
            raise Unevaluable("an elementwise product of numbers")
        product = Approx.exact(1)
        for factor in node.factors:
            product = product * evaluate(factor, point)
        return product
    if isinstance(node, Frac):
        try:
            return evaluate(node.num, point) / evaluate(node.den, point)
        except ZeroDivisionError:
            raise Unevaluable("a division by zero") from None
    if isinstance(node, Pow):
        if isinstance(node.base, Symbol) and node.base.base == "e" and node.base.sub is None \
                and node.base.sup is None and not point.has_value(node.base):
            return evaluate(node.exponent, point).apply(mpmath.exp)
        return evaluate(node.base, point).power(evaluate(node.exponent, point))
    if isinstance(node, Call) and len(node.args) == 1:
        argument = evaluate(node.args[0], point)
        function = _function(node, point)
        try:
            return argument.apply(function)
        except (ValueError, ZeroDivisionError):
            raise Unevaluable(f"{node.name} has no real value there") from None
    if isinstance(node, Partial):
        return point.partial(node)
    raise Unevaluable(f"a {type(node).__name__.lower()} is not a number")


ELEMENTARY = {"\\exp": mpmath.exp, "\\log": mpmath.log, "\\ln": mpmath.log, "\\sqrt": mpmath.sqrt,
               "\\tanh": mpmath.tanh}


def _function(call, point) -> Callable:
    if call.name in ELEMENTARY and not call.primes:
        return ELEMENTARY[call.name]
    name = point.activation(call)
    if name is None or call.primes > 1:
        raise Unevaluable(f"{call.name}{chr(39) * call.primes}(…) is no function this network knows")
    return _activation_numbers(name)[1 if call.primes else 0]


_ACTIVATION_NUMBERS: dict = {}


def _activation_numbers(name: str) -> tuple:
    """(f, f') of a registry activation as mpmath functions."""
    if name not in _ACTIVATION_NUMBERS:
        import sympy as sp

        from derive.activations import ACTIVATIONS

        u = sp.Symbol("u", real=True)
        form = ACTIVATIONS[name].explicit(u)
        _ACTIVATION_NUMBERS[name] = (sp.lambdify(u, form, "mpmath"), sp.lambdify(u, sp.diff(form, u), "mpmath"))
    return _ACTIVATION_NUMBERS[name]
