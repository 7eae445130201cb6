"""The installed package never reaches the demonstration practice under ``tests/``.

A practice installs ``src/clinfile`` alone; a shipped module importing the
invented patients would fail there, or worse, offer them to a real vault.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "clinfile"


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_shipped_module_imports_the_tests():
    reaching = sorted(f"{path.relative_to(PACKAGE)} imports {name}"
                      for path in PACKAGE.rglob("*.py") for name in _imported(path)
                      if name.split(".")[0] == "tests")
    assert reaching == []
