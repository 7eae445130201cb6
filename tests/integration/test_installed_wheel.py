"""The wheel as a practice gets it: built, installed into a fresh environment, run from there.

Nothing of this source tree is on the path and nothing runs from inside it:
the wheel must carry its own migrations, stylesheet, pictures and sample, and
its two commands must work from the environment's ``bin`` alone.

Downloading and unpacking Qt and the rest into each new environment takes
minutes, so by default the fresh environment finds its dependencies in the
one running these tests (their folder on its path, without that folder's
start-up files, so this source tree stays out) and ``pip check`` proves the
wheel's requirements are met by them. With ``CLINFILE_WHEEL_FULL_INSTALL=1``
(CI's packaging step) pip installs every dependency into the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
ADMIN, CLINICIAN = ("manager", "manager's long password"), ("drlee", "doctor's long password")
WINDOW_PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from clinfile.ui.application import prepare
from clinfile.ui.shell import Shell

app = QApplication(sys.argv)
prepare(app)
shell = Shell()
shell.start()

def report():
    shown = [w.windowTitle() or type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()]
    print("shown:", shown)
    print("stylesheet:", len(app.styleSheet()))
    print("icon:", not app.windowIcon().isNull())
    app.quit()

QTimer.singleShot(1000, report)
sys.exit(app.exec())
"""

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                    str(ROOT)], check=True, cwd=out, timeout=600)
    (built,) = out.glob("clinfile-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Installed:
    place = tmp_path_factory.mktemp("installed")
    venv = place / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    if os.environ.get("CLINFILE_WHEEL_FULL_INSTALL"):
        subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                       cwd=place, timeout=1800)
    else:
        own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True,
                             check=True).stdout.strip()
        (Path(own) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                       check=True, cwd=place, timeout=600)
    installed = Installed(venv, place)
    installed.ok("-m", "pip", "check", program="python")
    return installed


class Installed:
    """The fresh environment, run with a home and a working folder of its own."""

    def __init__(self, venv: Path, place: Path) -> None:
        self.venv = venv
        self.place = place
        self.home = place / "home"
        self.home.mkdir()

    def run(self, *argv: str, stdin: str = "", program: str = "clinfile",
            ) -> subprocess.CompletedProcess:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(HOME=str(self.home), QT_QPA_PLATFORM="offscreen",
                   XDG_CONFIG_HOME=str(self.home / ".config"),
                   XDG_DATA_HOME=str(self.home / ".local" / "share"),
                   XDG_STATE_HOME=str(self.home / ".local" / "state"),
                   XDG_CACHE_HOME=str(self.home / ".cache"))
        return subprocess.run([str(self.venv / "bin" / program), *argv], input=stdin,
                              capture_output=True, text=True, cwd=self.place, env=env,
                              timeout=300)

    def ok(self, *argv: str, stdin: str = "", program: str = "clinfile") -> str:
        done = self.run(*argv, stdin=stdin, program=program)
        assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
        return done.stdout


def test_the_wheel_is_one_package_with_its_migrations_and_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names}
    assert tops == {"clinfile", f"clinfile-{PROJECT['version']}.dist-info"}
    migrations = {f"clinfile/db/migrations/{p.name}"
                  for p in (ROOT / "src" / "clinfile" / "db" / "migrations").glob("*.sql")}
    shipped = ROOT / "src" / "clinfile" / "resources"
    resources = {f"clinfile/resources/{p.relative_to(shipped).as_posix()}"
                 for p in shipped.rglob("*")
                 if p.suffix in {".qss", ".svg", ".jpg", ".ttf", ".txt"}}
    assert migrations and migrations <= names
    assert {"clinfile/resources/clinfile.qss", "clinfile/resources/sample-picture.jpg",
            "clinfile/resources/fonts/DejaVuSans.ttf",
            "clinfile/resources/fonts/LICENSE-DejaVu.txt",
            "clinfile/resources/fonts/DroidSansFallback.ttf",
            "clinfile/resources/fonts/LICENSE-DroidSansFallback.txt"} <= resources
    assert resources <= names
    entry_points = zipfile.ZipFile(wheel).read(
        f"clinfile-{PROJECT['version']}.dist-info/entry_points.txt").decode()
    assert "clinfile = clinfile.ui.launcher:main" in entry_points
    assert "clinfile-desk = clinfile.ui.launcher:desk" in entry_points


def test_the_installed_command_runs_from_the_environment_alone(installed):
    assert installed.ok("--version").strip() == f"clinfile {PROJECT['version']}"
    where = installed.ok("-c", "import clinfile; print(clinfile.__file__)", program="python")
    assert Path(where.strip()).is_relative_to(installed.venv)
    path = installed.ok("-c", "import sys; print('\\n'.join(sys.path))", program="python")
    assert not {str(ROOT), str(ROOT / "src")} & set(path.splitlines()), path


def test_a_vault_made_filled_and_checked_by_the_installed_command(installed):
    vault = installed.place / "vault"
    installed.ok("init", str(vault), "--admin", ADMIN[0], "--password-stdin",
                 stdin=f"{ADMIN[1]}\n")
    as_admin = (str(vault), "--user", ADMIN[0], "--password-stdin")
    installed.ok("user", "add", *as_admin, CLINICIAN[0], "--role", "clinician",
                 stdin=f"{ADMIN[1]}\n{CLINICIAN[1]}\n")
    as_doctor = (str(vault), "--user", CLINICIAN[0], "--password-stdin")
    doctor = f"{CLINICIAN[1]}\n"

    patients = installed.place / "patients.csv"
    patients.write_text("Surname,First Name,DOB,Record No\nRivers,Ada,02/03/1961,W1961\n")
    assert "1 added" in installed.ok("patients", "import", *as_doctor, str(patients),
                                     stdin=doctor)
    drop = installed.place / "drop"
    drop.mkdir()
    shutil.copyfile(ROOT / "src" / "clinfile" / "resources" / "sample-picture.jpg",
                    drop / "ankle.jpg")
    installed.ok("import", *as_doctor, str(drop), stdin=doctor)
    assert not (drop / "ankle.jpg").exists()
    (item,) = json.loads(installed.ok("inbox", *as_doctor, "--json", stdin=doctor))
    consent = json.loads(installed.ok(
        "consent", "add", *as_doctor, "--patient", "W1961", "--purposes", "clinical-care",
        "--method", "verbal", "--recipients", "treating-team", "--told", "all", "--json",
        stdin=doctor))
    filed = installed.ok("file", *as_doctor, str(item["item_id"]), "--patient", "W1961",
                         "--kind", "clinical-photo", "--body-site", "left-ankle",
                         "--consent", consent["code"], stdin=doctor)
    assert f"Filed picture {item['item_id']} to " in filed
    outbox = installed.place / "outbox"
    outbox.mkdir()
    installed.ok("report", "summary", *as_doctor, "--patient", "W1961", "--out", str(outbox),
                 stdin=doctor)
    (summary,) = outbox.glob("*.pdf")
    assert summary.read_bytes().startswith(b"%PDF")
    checked = installed.ok("verify", str(vault), "--user", ADMIN[0], "--password-stdin",
                           stdin=f"{ADMIN[1]}\n")
    assert checked.startswith("All checks passed"), checked


def test_the_window_opens_from_the_installed_package(installed):
    out = installed.ok("-c", WINDOW_PROBE, program="python")
    shown = out.splitlines()[0]
    assert shown.startswith("shown: [") and shown != "shown: []", out
    assert int(out.splitlines()[1].split(": ")[1]) > 1000
    assert out.splitlines()[2] == "icon: True"
