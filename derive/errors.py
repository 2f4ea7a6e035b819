"""Errors the user sees: one line that says what is wrong and what to do."""


class DeriveError(ValueError):
    """Bad input or an impossible request; the message is shown as is."""


class TooLargeError(DeriveError):
    """A request that would need an expression too large to build or print."""
