"""The house rules that keep the code one table per concept and free of cycles."""
import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("derive", "codegen")


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, at the top or inside functions alike."""
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    names = {_module_name(p) for p in files}
    graph = {}
    for path in files:
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                submodules = {f"{node.module}.{a.name}" for a in node.names} & names
                deps |= submodules or {node.module}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.split(".")[0] in PACKAGES}
        graph[_module_name(path)] = (deps & names) - {_module_name(path)}
    return graph


def test_no_module_imports_itself_through_others():
    graph = import_graph()
    cycles = []

    def visit(start, node, path):
        for nxt in graph[node]:
            if nxt == start:
                cycles.append(" -> ".join([*path, start]))
            elif nxt not in path:
                visit(start, nxt, [*path, nxt])

    for module in sorted(graph):
        visit(module, module, [module])
    assert cycles == []


def test_the_graph_sees_imports_inside_functions():
    """The check above would catch a cycle made by a lazy import (as cli <-> commands was)."""
    graph = import_graph()
    assert "derive.commands.code" in graph["derive.cli"]  # imported inside build_parser()


def test_gelu_and_silu_are_named_only_in_their_registry():
    """Adding an activation is one entry: no other production file names the two newest."""
    for name in ("gelu", "silu"):
        found = subprocess.run(check=False, args=["grep", "-rli", "--exclude-dir=__pycache__", name, *PACKAGES], cwd=ROOT, capture_output=True, text=True).stdout
        assert found.split() == ["derive/activations.py"], name


def test_every_package_is_installed_by_a_plain_pip_install():
    """pyproject's package list finds every folder of derive/ and codegen/ with an __init__.py
    (a non-editable install once missed derive.judge and derive.audit)."""
    import tomllib

    from setuptools import find_packages

    root = Path(__file__).resolve().parents[1]
    found = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    installed = set(find_packages(str(root), include=found["include"]))
    present = {".".join(p.parent.relative_to(root).parts) for top in ("derive", "codegen")
               for p in (root / top).rglob("__init__.py")}
    assert present and present <= installed
