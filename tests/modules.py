"""Generating a module for an architecture and importing it, for the tests."""
import importlib.util
import itertools
import tempfile
from pathlib import Path

import codegen
import derive

_counter = itertools.count()
_directory = Path(tempfile.mkdtemp(prefix="derive-generated-"))
_cache = {}


def generated_module(arch, form="matrix"):
    """Import the module ``derive code`` writes for ``arch`` in ``form``."""
    key = (arch, form)
    if key not in _cache:
        source = codegen.generate(derive.derive(arch), form)
        path = _directory / f"module_{next(_counter)}.py"
        path.write_text(source)
        _cache[key] = import_path(path)
    return _cache[key]


def import_path(path):
    spec = importlib.util.spec_from_file_location(Path(path).stem + f"_{next(_counter)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
