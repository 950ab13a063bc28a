"""The package's shape: its import graph reads as the data flow, modules and functions stay small.

The graph holds every import of an automodel module, function-level ones included,
so a circle cannot hide behind a late import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "automodel"
MAX_IMPORTS = 8
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules(package: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _targets(node: ast.AST, module: str, is_package: bool, modules: set[str]) -> list[str]:
    """The automodel modules an import statement runs: a submodule named in
    ``from package import submodule`` is one; a name from a package's ``__init__`` is
    the package."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        parts = parts[: len(parts) - node.level + is_package]
        base = ".".join([*parts, *([base] if base else [])])
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [base if name not in modules else name for name in names]


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (anywhere in its body)."""
    modules = _modules(package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            for target in _targets(node, name, path.name == "__init__.py", set(modules)):
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    deps.add(target)
        graph[name] = deps
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in sorted(graph[node]):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def long_functions() -> list[str]:
    """``module:function (lines)`` for every function longer than the limit."""
    found = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.name} ({lines})")
    return found


def test_the_import_graph_has_no_circle():
    assert circles(import_graph()) == []


def _outside(name: str, deps: set[str]) -> set[str]:
    """The imports of ``name`` but a package's own submodules: a registry package (the
    families) lists one module per entry by design, so those do not make it a hub."""
    return {dep for dep in deps if not dep.startswith(f"{name}.")}


def test_no_module_imports_more_than_eight_others():
    graph = import_graph()
    wide = {name: len(_outside(name, deps)) for name, deps in graph.items()}
    assert {name: n for name, n in wide.items() if n > MAX_IMPORTS} == {}
    # The families package imports its family modules and nothing else of automodel.
    assert _outside("automodel.families", graph["automodel.families"]) == set()


def test_modules_and_functions_stay_small():
    long_modules = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long_modules == {}
    assert long_functions() == []


def test_no_formatter_escapes():
    escapes = [
        name
        for name, path in _modules().items()
        if "fmt: skip" in path.read_text() or "fmt: off" in path.read_text()
    ]
    assert escapes == []


def test_each_module_says_what_it_is_for():
    undocumented = [
        name
        for name, path in _modules().items()
        if not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert undocumented == []


def test_circles_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_the_benchmarks_import_graph_has_no_circle():
    assert circles(import_graph(PACKAGE.parent / "benchmarks")) == []


def test_design_md_lists_every_module_and_no_other():
    """DESIGN.md's module table is the map: a module added, moved or removed changes it."""
    design = (PACKAGE.parent / "DESIGN.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([\w/]+(?:\.py)?)` \|", design, flags=re.MULTILINE))
    top = {p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "py.typed"}}
    assert top - listed == set(), "modules missing from DESIGN.md's table"
    assert {name for name in listed if name.endswith(".py")} - top == set(), (
        "DESIGN.md lists modules that do not exist"
    )
