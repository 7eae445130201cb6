"""``clinfile doctor``: what on this computer could stop Clinfile working, in plain words.

Each finding is one line a practice manager can act on, marked OK, Warning
or Problem. Nothing here needs a password or changes anything: the checks
read the keyring's choice of backend, the kernel's folder-watch limit, where
the vault and folders sit, the free disk, the vault's files, and the
installed Qt binding's version.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata
from pathlib import Path

import keyring
from keyring.errors import InitError, NoKeyringError

from clinfile.app.custody.locations import check_location
from clinfile.app.vault.verify import verify_without_key

INOTIFY_WATCHES = Path("/proc/sys/fs/inotify/max_user_watches")
# Other programs (file managers, editors, sync clients) share the same limit.
WATCHES_TO_SPARE = 1024
LOW_DISK_BYTES = 5 * 2**30
VERY_LOW_DISK_BYTES = 1 * 2**30
QT_BINDING = "PySide6-Essentials"
# Qt binding releases with a known defect that Clinfile cannot work around.
BAD_QT_RELEASES = {"6.12.0": "leaks memory on every signal, so the window slows down and "
                             "grows through the day"}


class Level(StrEnum):
    """How much a finding matters."""

    OK = "OK"
    WARNING = "Warning"
    PROBLEM = "Problem"


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    level: Level
    words: str


@dataclass(frozen=True)
class Places:
    """The folders this computer uses; any may be unknown."""

    vault: Path | None = None
    drop_folders: tuple[Path, ...] = ()
    outbox: Path | None = None


def examine(places: Places) -> list[Finding]:
    """Run every check and return its findings, in the order a person reads them."""
    return [keyring_finding(), *watch_findings(places.drop_folders),
            *cloud_findings(places), disk_finding(places.vault), vault_finding(places.vault),
            qt_finding()]


def keyring_finding() -> Finding:
    """Whether server passwords can be kept in a real keyring of the operating system."""
    try:
        backend = keyring.get_keyring()
    except (InitError, NoKeyringError):
        backend = None
    name = _backend_name(backend)
    if backend is None or getattr(backend, "priority", 0) <= 0:
        return Finding(Level.WARNING, "Password keyring: none found. Clinfile cannot remember "
                                      "the PACS or FHIR server passwords here, and will ask "
                                      "for them each time.")
    if _keeps_plain_text(backend):
        return Finding(Level.PROBLEM, f"Password keyring: {name} keeps passwords in a plain "
                                      "file anyone with the disk can read. Remove the "
                                      "keyrings.alt package or choose the system keyring.")
    return Finding(Level.OK, f"Password keyring: {name}.")


def _backend_name(backend: object) -> str:
    return str(getattr(backend, "name", type(backend).__name__))


def _keeps_plain_text(backend: object) -> bool:
    """Whether a backend (or one a chainer uses) writes secrets unencrypted to a file."""
    parts = [backend, *getattr(backend, "backends", ())]
    return any("plaintext" in type(part).__name__.lower() for part in parts)


def watch_findings(drop_folders: tuple[Path, ...], *,
                   limit_file: Path = INOTIFY_WATCHES) -> list[Finding]:
    """Whether Linux lets Clinfile watch every folder under the drop folders."""
    missing = [Finding(Level.WARNING, f"Drop folder: {folder} is not there, so nothing saved "
                                      "for it can be taken in. Check the mail rule's folder.")
               for folder in drop_folders if not folder.is_dir()]
    return missing + [_watch_limit_finding(drop_folders, limit_file)]


def _watch_limit_finding(drop_folders: tuple[Path, ...], limit_file: Path) -> Finding:
    if not sys.platform.startswith("linux"):
        return Finding(Level.OK, "Folder watching: this system needs no setting for it.")
    try:
        limit = int(limit_file.read_text().strip())
    except (OSError, ValueError):
        return Finding(Level.WARNING, "Folder watching: the limit could not be read; drop "
                                      "folders will be checked every few seconds instead.")
    needed = sum(_folders_under(folder) for folder in drop_folders)
    if needed > limit:
        return Finding(Level.PROBLEM, f"Folder watching: the drop folders hold {needed:,} "
                                      f"folders but this computer allows {limit:,} watches. "
                                      "New files are found only by the slower regular check. "
                                      "Ask your IT support to raise "
                                      "fs.inotify.max_user_watches.")
    if needed + WATCHES_TO_SPARE > limit:
        return Finding(Level.WARNING, f"Folder watching: {limit:,} watches allowed and the "
                                      f"drop folders need {needed:,}, leaving few for other "
                                      "programs. Ask your IT support to raise "
                                      "fs.inotify.max_user_watches.")
    what = (f"the drop folders need {needed:,}" if drop_folders
            else "no drop folder is set on this computer")
    return Finding(Level.OK, f"Folder watching: {limit:,} watches allowed; {what}.")


def _folders_under(folder: Path) -> int:
    """The folder and every folder beneath it: one watch each."""
    if not folder.is_dir():
        return 0
    return 1 + sum(1 for p in folder.rglob("*") if p.is_dir() and not p.is_symlink())


def cloud_findings(places: Places) -> list[Finding]:
    """Whether the vault or any folder Clinfile writes to is synced to the internet or a share."""
    named = [(places.vault, "vault"), *((d, "drop folder") for d in places.drop_folders),
             (places.outbox, "outbox")]
    findings = []
    for path, what in named:
        if path is None:
            continue
        check = check_location(path)
        if check.cloud_service:
            findings.append(Finding(Level.PROBLEM, f"Cloud sync: {check.refusal(what)}"))
        findings += [Finding(Level.WARNING, f"Network drive: {w}") for w in check.warnings]
    if not findings:
        checked = " or the ".join(what for path, what in named if path is not None)
        findings.append(Finding(Level.OK, f"Cloud sync: no cloud-sync or network folder holds "
                                          f"the {checked}." if checked else
                                          "Cloud sync: no vault or folder is set on this "
                                          "computer yet."))
    return findings


def disk_finding(vault: Path | None) -> Finding:
    """How much room the disk holding the vault (or the home folder) has left."""
    where = vault or Path.home()
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free
    said = f"Free disk: {free / 2**30:.1f} GB free for the {'vault' if vault else 'home folder'}"
    if free < VERY_LOW_DISK_BYTES:
        return Finding(Level.PROBLEM, f"{said}. Clinfile stops taking pictures in when the disk "
                                      "is full; make room now.")
    if free < LOW_DISK_BYTES:
        return Finding(Level.WARNING, f"{said}. That is a few thousand photographs; make room "
                                      "soon.")
    return Finding(Level.OK, f"{said}.")


def vault_finding(vault: Path | None) -> Finding:
    """The vault's files, checked without a password."""
    if vault is None:
        return Finding(Level.OK, "Vault: none chosen on this computer, so none was checked.")
    report = verify_without_key(vault)
    if not report.ok:
        return Finding(Level.PROBLEM, f"Vault {vault}: {'; '.join(report.problems)}")
    return Finding(Level.OK, f"Vault {vault}: its files are there, whole and encrypted "
                             f"({len(report.checked)} checks made without a password). For "
                             "the full check of every picture an admin runs "
                             "'clinfile verify'.")


def qt_finding() -> Finding:
    """Whether the window's Qt binding is installed and is not a release known to be bad."""
    try:
        version = metadata.version(QT_BINDING)
    except metadata.PackageNotFoundError:
        return Finding(Level.PROBLEM, "Window toolkit: PySide6 is not installed, so the window "
                                      "cannot open (the commands still work).")
    if version in BAD_QT_RELEASES:
        return Finding(Level.WARNING, f"Window toolkit: PySide6 {version} "
                                      f"{BAD_QT_RELEASES[version]}. Reinstall Clinfile.")
    return Finding(Level.OK, f"Window toolkit: PySide6 {version}.")
