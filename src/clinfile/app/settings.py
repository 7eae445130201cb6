"""Every practice setting, declared once with its type, default and why.

Settings live in the vault's index, so every workstation of the practice
shares them and changing them is audited.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.custody.locations import CloudFolderRefused, require_local
from clinfile.app.errors import MeantForPeople
from clinfile.app.name_pattern import DEFAULT_SUMMARY_PATTERN, FIELDS, check_pattern
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.connection import Connection
from clinfile.db.settings import SettingsRepository

_KINDS = {"int": int, "bool": bool, "str": str}


class SettingError(MeantForPeople, ValueError):
    """A setting's value is not acceptable."""


@dataclass(frozen=True)
class SettingRule:
    """How one setting is named to people and which values it may take.

    Declared once, on the field of :class:`PracticeSettings`: validation
    checks against it and the settings window builds its editor from it.

    Attributes:
        label: the setting's name on screen.
        minimum, maximum: the range of a number, both included.
        unit: what a number counts (``minutes``, ``MB``).
        why: why the minimum is what it is (the law, the guidance), shown beside it.
        choices: the allowed words of a text setting and how each reads on screen.
        longest: the most characters a text setting may hold.
        help: what to type into a free text setting.
    """

    label: str
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    why: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    longest: int | None = None
    help: str = ""

    @property
    def allowed(self) -> str:
        """What may be chosen, in words: '1 to 60 minutes.', 'At least 7 years: why'."""
        if self.choices:
            return "One of: " + ", ".join(words for _, words in self.choices) + "."
        if self.minimum is not None and self.why:
            return f"At least {self._amount(self.minimum)}: {self.why}"
        if self.minimum is not None:
            return f"{self.minimum} to {self._amount(self.maximum)}."
        return self.help

    def check(self, value: Any) -> None:
        """Raise SettingError if ``value`` is outside what this rule allows."""
        low, high = self.minimum, self.maximum
        name = f"\u201c{self.label}\u201d"
        if low is not None and not low <= value <= high:
            if self.why:
                raise SettingError(f"{name} must be at least {self._amount(low)}: {self.why}")
            raise SettingError(f"{name} must be between {low} and {self._amount(high)}.")
        if self.choices and value not in {word for word, _ in self.choices}:
            raise SettingError(f"{name} must be one of: "
                               f"{', '.join(words for _, words in self.choices)}.")
        if self.longest is not None and len(value) > self.longest:
            raise SettingError(f"{name} must fit on one line ({self.longest} characters).")

    def _amount(self, number: int) -> str:
        return f"{number} {self.unit}".strip()


def _setting(default: Any, rule: SettingRule) -> Any:
    return field(default=default, metadata={"rule": rule})


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
            software's import folder; fields as in :mod:`clinfile.app.name_pattern`.
        outbox_folder: the practice's default outbox (a workstation may set its own).
        device_deletion: whether pictures imported from a phone or camera are
            deleted from it once safely in the vault: ``ask`` once per import
            (the default), ``always`` or ``never``. The AMA guide: delete images
            from the device once they are in the record.
    """

    auto_lock_minutes: int = _setting(5, SettingRule(
        "Lock after", 1, 60, "minutes"))
    max_import_megabytes: int = _setting(200, SettingRule(
        "Largest file", 1, 2048, "MB"))
    max_import_megapixels: int = _setting(100, SettingRule(
        "Largest picture", 50, 500, "megapixels"))
    written_consent_for_clinical_photos: bool = _setting(False, SettingRule(
        "Clinical photos need signed, written consent",
        help="Otherwise consent spoken in the consultation and documented is enough."))
    retention_adult_years: int = _setting(7, SettingRule(
        "Keep adults' records for", 7, 100, "years",
        why="health records law keeps a record at least seven years after its last entry."))
    retention_minor_until_age: int = _setting(25, SettingRule(
        "Keep children's records until age", 25, 100,
        why="health records law keeps a child's record at least until they turn 25."))
    practice_name: str = _setting("", SettingRule(
        "Practice name", longest=120, help="Printed at the top of consent forms and summaries."))
    report_page_size: str = _setting("a4", SettingRule(
        "Paper size", choices=(("a4", "A4"), ("letter", "Letter"))))
    summary_file_pattern: str = _setting(DEFAULT_SUMMARY_PATTERN, SettingRule(
        "Summary file name", help="Built from " + ", ".join(
            "{" + name + "}" for name in sorted(FIELDS)) + "; the .pdf is added."))
    outbox_folder: str = _setting("", SettingRule(
        "Practice outbox, for every computer without its own", help="A folder on the "
        "practice's network, never a cloud-synced one; empty for none. This computer's "
        "outbox, below, is used instead wherever one is set."))
    device_deletion: str = _setting("ask", SettingRule(
        "Phone pictures, once safely copied", choices=(
            ("ask", "Ask each time"), ("always", "Delete the pictures from the phone"),
            ("never", "Leave the pictures on the phone"))))

    def validate(self) -> None:
        """Raise SettingError for a value outside what its rule allows."""
        for f in fields(self):
            if type(getattr(self, f.name)) is not _KINDS[f.type]:
                raise SettingError(f"{f.name} has a value of the wrong kind.")
        for f in fields(self):
            f.metadata["rule"].check(getattr(self, f.name))
        try:
            check_pattern(self.summary_file_pattern)
        except ValueError as exc:
            raise SettingError(str(exc)) from None
        if self.outbox_folder:
            try:
                require_local(Path(self.outbox_folder), what="outbox")
            except CloudFolderRefused as exc:
                raise SettingError(str(exc)) from None


def rule_of(name: str) -> SettingRule:
    """Return the rule declared for one setting."""
    return next(f.metadata["rule"] for f in fields(PracticeSettings) if f.name == name)


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
        with vault.audited() as work:
            repo = SettingsRepository(work.conn)
            for name, value in values.items():
                repo.put(name, value)
            work.record(self._entry(current, values))
        return updated

    def _entry(self, current: PracticeSettings, values: dict[str, Any]) -> AuditEntry:
        changes = {k: {"from": getattr(current, k), "to": v} for k, v in values.items()}
        return AuditEntry(self._session.actor.name, "settings.changed", "", changes)
