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


def test_console_entry_point_exists():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["clinfile"].partition(":")
    assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file()
    assert f"def {function}(" in (ROOT / Path(*module.split("."))).with_suffix(".py").read_text()
