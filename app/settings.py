"""Every practice setting, declared once with its type, default and why.

Settings live in the vault's index, so every workstation of the practice
shares them and changing them is audited.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from app.reports.naming import DEFAULT_SUMMARY_PATTERN, check_pattern
from app.security.audit import AuditEntry
from app.security.locations import CloudFolderRefused, require_local
from app.security.roles import Permission
from app.security.session import Session
from db.connection import Connection, transaction
from db.settings import SettingsRepository

_KINDS = {"int": int, "bool": bool, "str": str}


class SettingError(ValueError):
    """A setting's value is not acceptable."""


@dataclass(frozen=True)
class PracticeSettings:
    """The practice's policy choices.

    Attributes:
        auto_lock_minutes: idle minutes before the window locks itself and hides
            every image (AMA guide: lock the device when not in use).
        max_import_megabytes: files larger than this are refused as unsafe to open.
        max_import_megapixels: pictures larger than this are refused as possible
            decompression bombs (iPhone 48 MP photos fit).
        written_consent_for_clinical_photos: whether a clinical photo needs a
            signed form rather than documented verbal consent (Avant: a practice
            policy may say "whether you need to obtain written consent").
        retention_adult_years: years a record is kept after its last entry
            (health records law in most states: at least seven).
        retention_minor_until_age: a record made for a child is kept at least
            until the patient reaches this age.
        practice_name: printed at the top of consent forms and summaries.
        report_page_size: ``a4`` (Australia) or ``letter``.
        summary_file_pattern: how summary PDFs are named for the clinical
            software's import folder; fields as in :mod:`app.reports.naming`.
        outbox_folder: the practice's default outbox (a workstation may set its own).
        device_deletion: whether pictures imported from a phone or camera are
            deleted from it once safely in the vault: ``ask`` once per import
            (the default), ``always`` or ``never``. The AMA guide: delete images
            from the device once they are in the record.
    """

    auto_lock_minutes: int = 5
    max_import_megabytes: int = 200
    max_import_megapixels: int = 100
    written_consent_for_clinical_photos: bool = False
    retention_adult_years: int = 7
    retention_minor_until_age: int = 25
    practice_name: str = ""
    report_page_size: str = "a4"
    summary_file_pattern: str = DEFAULT_SUMMARY_PATTERN
    outbox_folder: str = ""
    device_deletion: str = "ask"

    def validate(self) -> None:
        """Raise SettingError for a value outside its sensible range."""
        if not 1 <= self.auto_lock_minutes <= 60:
            raise SettingError("Auto-lock must be between 1 and 60 minutes.")
        if not 1 <= self.max_import_megabytes <= 2048:
            raise SettingError("The largest file must be between 1 MB and 2 GB.")
        if not 50 <= self.max_import_megapixels <= 500:
            raise SettingError("The largest picture must be between 50 and 500 megapixels.")
        if not 7 <= self.retention_adult_years <= 100:
            raise SettingError("Adults' records must be kept for at least 7 years.")
        if not 25 <= self.retention_minor_until_age <= 100:
            raise SettingError("Children's records must be kept at least until they turn 25.")
        for f in fields(self):
            if type(getattr(self, f.name)) is not _KINDS[f.type]:
                raise SettingError(f"{f.name} has a value of the wrong kind.")
        if self.device_deletion not in ("ask", "always", "never"):
            raise SettingError("Deleting from the device must be ask, always or never.")
        if self.report_page_size not in ("a4", "letter"):
            raise SettingError("Paper must be A4 or Letter.")
        if len(self.practice_name) > 120:
            raise SettingError("The practice name must fit on one line (120 characters).")
        try:
            check_pattern(self.summary_file_pattern)
        except ValueError as exc:
            raise SettingError(str(exc)) from None
        if self.outbox_folder:
            try:
                require_local(Path(self.outbox_folder), what="outbox")
            except CloudFolderRefused as exc:
                raise SettingError(str(exc)) from None


def read_settings(conn: Connection) -> PracticeSettings:
    """Return the stored settings, with defaults for anything never set.

    For services that already hold a connection; people's sessions use
    :meth:`SettingsService.load`.
    """
    stored = SettingsRepository(conn).all()
    known = {f.name for f in fields(PracticeSettings)}
    return PracticeSettings(**{k: v for k, v in stored.items() if k in known})


class SettingsService:
    """Reading settings for anyone; changing them for admins, audited."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def load(self) -> PracticeSettings:
        """Return the stored settings, with defaults for anything never set."""
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            return read_settings(conn)

    def change(self, **values: Any) -> PracticeSettings:
        """Change some settings and return the whole new set."""
        self._session.require(Permission.CHANGE_SETTINGS)
        current = self.load()
        try:
            updated = dataclasses.replace(current, **values)
        except TypeError as exc:
            raise SettingError(f"Unknown setting: {exc}") from None
        updated.validate()
        vault = self._session.vault
        with vault.index() as conn:
            with transaction(conn):
                repo = SettingsRepository(conn)
                for name, value in values.items():
                    repo.put(name, value)
                row = vault.audit.append(conn, self._entry(current, values))
        vault.audit.publish_head(row)
        return updated

    def _entry(self, current: PracticeSettings, values: dict[str, Any]) -> AuditEntry:
        changes = {k: {"from": getattr(current, k), "to": v} for k, v in values.items()}
        return AuditEntry(self._session.actor.name, "settings.changed", "", changes)
