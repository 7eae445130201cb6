"""The dependency rule ui -> app -> db, checked by importing every module."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "clinfile"


def _modules(layer: str) -> list[str]:
    package = f"clinfile.{layer}"
    names = [package]
    for info in pkgutil.walk_packages([str(PACKAGE / layer)], prefix=f"{package}."):
        names.append(info.name)
    return names


def test_app_and_db_import_no_qt():
    modules = _modules("app") + _modules("db")
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


def _layers_imported(path: Path) -> set[str]:
    """The layers (``app``, ``db``, ``ui``) a source file imports from."""
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "clinfile" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def test_db_imports_nothing_of_app_or_ui():
    for path in (PACKAGE / "db").rglob("*.py"):
        assert not _layers_imported(path) & {"app", "ui"}, path


def test_app_imports_nothing_of_ui():
    for path in (PACKAGE / "app").rglob("*.py"):
        assert "ui" not in _layers_imported(path), path


def test_every_module_imports_cleanly():
    for name in _modules("app") + _modules("db"):
        importlib.import_module(name)


def test_ui_imports_nothing_of_db():
    for path in (PACKAGE / "ui").rglob("*.py"):
        assert "db" not in _layers_imported(path), path


def _part_of_app(path: Path) -> str:
    """The subpackage of app a file is in (a top-level module counts as its own)."""
    first = path.relative_to(PACKAGE / "app").parts[0]
    return first.removesuffix(".py")


def _app_imports() -> dict[str, set[str]]:
    """Which other parts of app each part of app imports."""
    parts = {_part_of_app(p) for p in (PACKAGE / "app").rglob("*.py")}
    graph: dict[str, set[str]] = {part: set() for part in parts}
    for path in (PACKAGE / "app").rglob("*.py"):
        here = _part_of_app(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                target = name.split(".")[2:3]
                if name.startswith("clinfile.app.") and target and target[0] in parts \
                        and target[0] != here:
                    graph[here].add(target[0])
    return graph


def _rings(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected parts of the graph with more than one member."""
    reach = {part: _reachable(graph, part) for part in graph}
    rings = []
    for part in sorted(graph):
        ring = {other for other in reach[part] if part in reach[other]}
        if len(ring) > 1 and ring not in rings:
            rings.append(ring)
    return rings


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, waiting = set(), [start]
    while waiting:
        for following in graph[waiting.pop()]:
            if following not in seen:
                seen.add(following)
                waiting.append(following)
    return seen


def test_app_subpackages_import_one_another_in_one_direction():
    graph = _app_imports()
    rings = _rings(graph)
    assert rings == [], f"parts of app importing one another in a ring: {rings}; " \
                        f"what each part imports: {graph}"
