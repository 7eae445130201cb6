import importlib
import os
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from clinfile.ui.application import APP_ID

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "packaging" / "icons" / "hicolor"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing; .ci/run should install it")
        pytest.skip(f"{name} is not installed here")
    return path


def test_desktop_entry_is_valid():
    tool = _tool("desktop-file-validate")
    result = subprocess.run([tool, str(LINUX / f"{APP_ID}.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_appstream_metainfo_is_valid():
    tool = _tool("appstreamcli")
    result = subprocess.run([tool, "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_names_the_desktop_entry_icon_and_this_version():
    component = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert component.findtext("id") == APP_ID
    assert component.find("launchable").text == f"{APP_ID}.desktop"
    assert component.find("releases/release").get("version") == PROJECT["version"]
    entry = dict(line.split("=", 1) for line in
                 (LINUX / f"{APP_ID}.desktop").read_text().splitlines() if "=" in line)
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] in PROJECT["gui-scripts"]


@pytest.mark.parametrize("size", [48, 128, 256])
def test_each_icon_size_is_a_png_of_that_size(size):
    data = (ICONS / f"{size}x{size}" / "apps" / f"{APP_ID}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (size, size)


def test_the_scalable_icon_is_the_one_the_window_shows():
    shipped = ROOT / "src" / "clinfile" / "resources" / "clinfile-icon.svg"
    assert (ICONS / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize("table, name", [("scripts", "clinfile"),
                                         ("gui-scripts", "clinfile-desk")])
def test_entry_points_name_functions_that_exist(table, name):
    target = PROJECT[table][name]
    module, _, function = target.partition(":")
    assert callable(getattr(importlib.import_module(module), function))
