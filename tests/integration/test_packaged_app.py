"""The one-folder application that ``make package`` builds, run as a practice would run it.

Building takes minutes, so ``make test`` does not build it: CI runs ``make
package`` and then this file as a step of its own (see ``.ci/run``), with
``CLINFILE_PACKAGE_BUILT=1`` so a missing build fails instead of skipping.
"""

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
BUILT = ROOT / "dist" / f"{PROJECT['name']}-{PROJECT['version']}"

pytestmark = pytest.mark.slow


@pytest.fixture
def built() -> Path:
    if not (BUILT / "clinfile").exists():
        if os.environ.get("CLINFILE_PACKAGE_BUILT"):
            pytest.fail(f"{BUILT} is missing: make package did not build it")
        pytest.skip("run make package first")
    return BUILT


@pytest.fixture
def app(built, tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path), TMPDIR=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               QT_QPA_PLATFORM="offscreen")

    def run(program: str, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(built / program), *argv], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=600)

    return run


def test_the_built_command_says_its_version(app):
    done = app("clinfile", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"clinfile {PROJECT['version']}"


def test_the_built_command_passes_its_selftest(app, tmp_path):
    done = app("clinfile", "selftest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "Everything worked."
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith("clinfile-selftest")]


def test_the_built_command_runs_the_doctor(app):
    done = app("clinfile", "doctor")
    assert "Window toolkit: PySide6 " in done.stdout, done.stdout + done.stderr
    assert done.returncode in (0, 1)


def test_the_folder_carries_what_a_linux_desktop_needs(built):
    share = built / "share"
    assert (share / "applications" / "au.clinfile.Clinfile.desktop").is_file()
    assert (share / "metainfo" / "au.clinfile.Clinfile.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "au.clinfile.Clinfile.png").is_file()
    assert (built / "clinfile-desk").is_file()


def test_the_folder_carries_the_type_every_pdf_is_drawn_in(built):
    fonts = {font.name for font in built.rglob("clinfile/resources/fonts/*")}
    assert {"DejaVuSans.ttf", "DroidSansFallback.ttf", "LICENSE-DejaVu.txt",
            "LICENSE-DroidSansFallback.txt"} <= fonts


def test_the_built_window_opens_and_stays_open_until_closed(built, tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               QT_QPA_PLATFORM="offscreen")
    window = subprocess.Popen([str(built / "clinfile-desk")], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            window.wait(timeout=15)
    finally:
        window.terminate()
        output = window.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
