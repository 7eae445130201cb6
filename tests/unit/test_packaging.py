import importlib
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing; .ci/run should install it")
        pytest.skip(f"{name} is not installed here")
    return path


def test_desktop_entry_is_valid():
    tool = _tool("desktop-file-validate")
    result = subprocess.run([tool, str(ROOT / "packaging" / "clinfile.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("table, name", [("scripts", "clinfile"),
                                         ("gui-scripts", "clinfile-desk")])
def test_entry_points_name_functions_that_exist(table, name):
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][table][name]
    module, _, function = target.partition(":")
    assert callable(getattr(importlib.import_module(module), function))
