"""derive: backpropagation derivations, verified NumPy code and formula checks."""
from derive.architecture import Architecture
from derive.code_check import check_gradients
from derive.derivation import ELEMENTWISE_LIMIT, Derivation, derive
from derive.document import derivation_latex, derivation_markdown
from derive.errors import DeriveError, TooLargeError

# A derivation is plain data that documents and code read; how it shows in a notebook is the
# documents' business, attached here so that derive.derivation never imports derive.document.
Derivation._repr_markdown_ = derivation_markdown  # type: ignore[attr-defined]
Derivation._repr_latex_ = derivation_latex  # type: ignore[attr-defined]

# derive.check(latex, arch) and derive.audit(path_or_text, arch): the notebook API, callable on
# the modules of the same names (which stay importable as modules).
import derive.audit as _audit_module
import derive.check as _check_module
from derive import api as _api

_api.make_callable(_check_module, _api.check)
_api.make_callable(_audit_module, _api.audit)

__all__ = ["ELEMENTWISE_LIMIT", "Architecture", "Derivation", "DeriveError", "TooLargeError", "check_gradients",
           "derive"]
