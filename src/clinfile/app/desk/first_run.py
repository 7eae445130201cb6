"""Setting up Clinfile on a practice's first computer, as the first-run wizard does.

The same checks as ``clinfile init`` decide whether a folder may hold the
vault (never a cloud-sync folder, a warning for a network drive, only an
empty folder), and the drop folder and outbox get the cloud check too,
because patient pictures pass through both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.locations import check_location
from clinfile.app.reports.recovery_sheet import RecoverySheet, write_recovery_sheet
from clinfile.app.security.roles import Role
from clinfile.app.security.session import Actor, Session
from clinfile.app.security.users import (
    UserError,
    UserService,
    check_full_name,
    check_name,
    check_password,
)
from clinfile.app.settings import SettingsService
from clinfile.app.vault.vault import Vault


@dataclass(frozen=True)
class LocationVerdict:
    """Whether a folder may be used, and what a person should know about it.

    Attributes:
        path: the folder, made absolute.
        refusal: why it may not be used, in plain words; empty when it may.
        warnings: what to know before using it (a network drive, say).
    """

    path: Path
    refusal: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Whether the folder may be used."""
        return not self.refusal


def check_vault_folder(path: Path) -> LocationVerdict:
    """Judge a folder for a new vault as ``clinfile init`` would."""
    if not str(path).strip():
        return LocationVerdict(Path(), "Choose a folder for the vault.")
    verdict = _judge(Path(path), "vault")
    if verdict.usable and verdict.path.exists():
        if not verdict.path.is_dir():
            return LocationVerdict(verdict.path, f"{verdict.path} is a file, not a folder.")
        if any(verdict.path.iterdir()):
            return LocationVerdict(verdict.path, f"{verdict.path} already has files in it; "
                                                 "choose a new, empty folder for the vault.")
    return verdict


def check_working_folder(path: Path, what: str) -> LocationVerdict:
    """Judge a folder pictures pass through (the drop folder or the outbox)."""
    if not str(path).strip():
        return LocationVerdict(Path(), f"Choose a folder for the {what}.")
    verdict = _judge(Path(path), what)
    if verdict.usable and verdict.path.exists() and not verdict.path.is_dir():
        return LocationVerdict(verdict.path, f"{verdict.path} is a file, not a folder.")
    return verdict


def _judge(path: Path, what: str) -> LocationVerdict:
    found = check_location(path)
    if found.cloud_service:
        return LocationVerdict(found.path, found.refusal(what))
    return LocationVerdict(found.path, "", tuple(found.warnings))


@dataclass(frozen=True)
class PracticeSetup:
    """Everything the first-run wizard asks for."""

    vault: Path
    admin: str
    password: str
    drop_folder: Path
    outbox: Path
    auto_lock_minutes: int = 5
    written_consent_for_clinical_photos: bool = False
    admin_full_name: str = ""


@dataclass(frozen=True)
class NewPractice:
    """A vault just made, its admin logged in, and the recovery key to show once."""

    session: Session
    recovery_key: str
    warnings: tuple[str, ...]


def check_admin(name: str, password: str, again: str, full_name: str) -> str:
    """Return what is wrong with the first admin's names and password, or ''.

    The full name is asked for because it, not the login name, is printed on
    consent forms, summaries and the lock screen.
    """
    if not full_name.strip():
        return "Type your full name, as it should be printed on forms."
    try:
        check_name(name)
        check_full_name(full_name.strip())
        check_password(password)
    except UserError as exc:
        return str(exc)
    if password != again:
        return "The two passwords are not the same."
    return ""


def set_up_practice(setup: PracticeSetup) -> NewPractice:
    """Create the vault and its first admin, make the folders, and store the policy."""
    created = Vault.create(setup.vault, setup.admin, setup.password)
    full_name = setup.admin_full_name.strip()
    session = Session(created.vault, Actor(setup.admin, frozenset({Role.ADMIN}), full_name),
                      idle_seconds=setup.auto_lock_minutes * 60)
    if full_name:
        UserService(session).set_full_name(setup.admin, full_name)
    SettingsService(session).change(
        auto_lock_minutes=setup.auto_lock_minutes,
        written_consent_for_clinical_photos=setup.written_consent_for_clinical_photos)
    for folder in (setup.drop_folder, setup.outbox):
        Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    return NewPractice(session, created.recovery_key, tuple(created.warnings))


def save_recovery_sheet(vault: Vault, recovery_key: str, path: Path) -> Path:
    """Write the recovery sheet PDF where the admin asked."""
    sheet = RecoverySheet(vault.vault_id, str(vault.layout.root.resolve()), recovery_key,
                          clock.today())
    write_recovery_sheet(sheet, Path(path))
    return Path(path)
