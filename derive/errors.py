"""Errors the user sees: one line that says what is wrong and what to do."""


class DeriveError(ValueError):
    """Bad input or an impossible request; the message is shown as is."""


class TooLargeError(DeriveError):
    """A request that would need an expression too large to build or print."""


class ShapeError(DeriveError):
    """Vectors or matrices whose shapes do not fit together (a product, a sum, ⊙): the formula is
    read, and it is wrong."""


def lookup(table: dict, name: str, what: str):
    """``table[name]``, or a one-line error that names the unknown ``what`` and lists the known."""
    try:
        return table[name]
    except KeyError:
        raise DeriveError(f"unknown {what} {name!r}; use one of: {', '.join(table)}") from None
