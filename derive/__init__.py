"""derive: backpropagation derivations, verified NumPy code and formula checks."""
from derive.architecture import Architecture
from derive.code_check import check_gradients
from derive.derivation import ELEMENTWISE_LIMIT, Derivation, derive
from derive.errors import DeriveError, TooLargeError

__all__ = ["ELEMENTWISE_LIMIT", "Architecture", "Derivation", "DeriveError", "TooLargeError", "check_gradients", "derive"]
