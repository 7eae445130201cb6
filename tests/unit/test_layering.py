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
