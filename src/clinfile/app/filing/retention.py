"""How long each image is kept, and deleting what is due, audited, bytes and all.

Avant: clinical images "form part of the patient's medical record and must be
handled in the same way as any other medical records"; AMA: "Find out what
your health service/hospital policy is for storing clinical images". Health
records are kept for 7 years after the last entry for adults, and for a
patient who was a child at that entry until they turn 25; both numbers are
practice settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.settings import read_settings
from clinfile.app.vault.errors import VaultError
from clinfile.db.blobs import BlobNotFound
from clinfile.db.connection import Connection
from clinfile.db.filing import DeletionRow, FilingRepository, InboxLookup, PatientLookup

ADULT_AGE = 18


class RetentionError(VaultError):
    """A deletion that cannot be made as asked; ``str()`` says why."""


@dataclass(frozen=True)
class RetentionRule:
    """The practice's retention periods."""

    adult_years: int = 7
    minor_until_age: int = 25


@dataclass(frozen=True)
class Retention:
    """When one image may be deleted, and from what."""

    image_id: int
    patient_id: int
    last_entry: date
    keep_until: date


@dataclass(frozen=True)
class Deletion:
    """What one deletion did: the pictures it deleted, and those already deleted before it."""

    deleted: tuple[int, ...]
    earlier: tuple[DeletionRow, ...] = ()

    def words(self) -> str:
        """Say plainly what was deleted now, and who deleted any of the others, and when."""
        said = []
        if self.deleted:
            count = len(self.deleted)
            said.append(f"{count} {'picture was' if count == 1 else 'pictures were'} deleted "
                        "for good; each is noted in the audit trail.")
        for row in self.earlier:
            said.append(f"Picture {row.image_id} was already deleted, by {row.deleted_by} "
                        f"on {clock.local_time(row.deleted_at)}.")
        return " ".join(said)


def retention_date(birth_date: date | None, last_entry: date, rule: RetentionRule) -> date:
    """Return the first day a record may be deleted.

    Seven years (by default) after the last entry; for someone under 18 at the
    last entry, not before their 25th birthday either. Without a date of birth
    the adult rule is all that can be applied.
    """
    keep_until = _add_years(last_entry, rule.adult_years)
    if birth_date is not None and _add_years(birth_date, ADULT_AGE) > last_entry:
        keep_until = max(keep_until, _add_years(birth_date, rule.minor_until_age))
    return keep_until


def load_rule(conn: Connection) -> RetentionRule:
    """Return the practice's retention periods, with the defaults for any not set."""
    settings = read_settings(conn)
    return RetentionRule(settings.retention_adult_years, settings.retention_minor_until_age)


class RetentionService:
    """Retention dates for everyone; listing and deleting what is due for admins."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def of(self, image_id: int) -> Retention:
        """Return when one filed image may be deleted.

        Raises:
            RetentionError: the image is not filed (an unfiled image is never due).
        """
        self._session.require(Permission.VIEW_RETENTION, subject=f"image {image_id}")
        with self._session.vault.index() as conn:
            found = _retentions(conn, [image_id])
        if not found:
            raise RetentionError(f"Image {image_id} is not in any patient's record.")
        return found[0]

    def due(self, today: date | None = None) -> list[Retention]:
        """Return every kept image whose retention period has ended, oldest first."""
        self._session.require(Permission.SEE_DELETIONS_DUE)
        today = today or clock.today()
        with self._session.vault.index() as conn:
            return sorted((r for r in _retentions(conn) if r.keep_until <= today),
                          key=lambda r: (r.keep_until, r.image_id))

    def next_due(self, today: date | None = None) -> date | None:
        """Return the first day after ``today`` on which a kept image falls due, if any will."""
        self._session.require(Permission.SEE_DELETIONS_DUE)
        today = today or clock.today()
        with self._session.vault.index() as conn:
            return min((r.keep_until for r in _retentions(conn) if r.keep_until > today),
                       default=None)

    def delete(self, image_ids: list[int], reason: str, today: date | None = None) -> Deletion:
        """Delete pictures whose retention has ended: record and audit it, then remove the bytes.

        Each picture is checked as due in the same write that deletes it, so a
        picture another window or process deleted a moment before is passed
        over and named as already deleted, while the rest of the batch goes.
        The deletion is committed first and the bytes removed after, so a crash
        in between leaves bytes that a second run removes, never a record that
        points at nothing unannounced.

        Raises:
            RetentionError: a picture is not due yet or not in any record, or no
                reason was given; nothing is deleted then.
        """
        self._session.require(Permission.DELETE_IMAGES,
                              subject=", ".join(f"image {i}" for i in image_ids))
        image_ids = list(dict.fromkeys(image_ids))
        if not image_ids:
            raise RetentionError("Choose the pictures to delete.")
        if not reason.strip():
            raise RetentionError("Say why the pictures are deleted (for example 'retention "
                                 "period ended').")
        today = today or clock.today()
        vault = self._session.vault
        actor = self._session.actor.name
        with vault.audited() as work:
            repo = FilingRepository(work.conn)
            kept = {r.image_id: r for r in _retentions(work.conn, image_ids)}
            earlier = tuple(row for row in map(repo.deletion, image_ids) if row is not None)
            gone = {row.image_id for row in earlier}
            _refuse_any_not_due([i for i in image_ids if i not in gone], kept, today)
            inbox = InboxLookup(work.conn)
            blobs = []
            deleted = tuple(i for i in image_ids if i in kept)
            for image_id in deleted:
                keep_until = kept[image_id].keep_until.isoformat()
                repo.add_deletion(DeletionRow(image_id, keep_until, reason.strip(), actor,
                                              clock.stamp()))
                inbox.set_status(image_id, "deleted")
                blobs += inbox.by_id(image_id).blobs
                work.record(AuditEntry(
                    actor, "image.deleted", f"image {image_id}", {
                        "patient_id": kept[image_id].patient_id, "keep_until": keep_until,
                        "reason": reason.strip()}))
        for blob_id in blobs:
            try:
                vault.blobs.delete(blob_id)
            except BlobNotFound:
                continue
        return Deletion(deleted, earlier)


def _retentions(conn: Connection, image_ids: list[int] | None = None) -> list[Retention]:
    """Work out kept images' retention dates, all or those asked, from their patients' last entry.

    Each patient's last entry and date of birth is looked up once, from
    indexes, so the cost follows the images asked about, not the vault.
    """
    rule = load_rule(conn)
    repo = FilingRepository(conn)
    patients = PatientLookup(conn)
    dates: dict[int, tuple[date, date]] = {}
    found = []
    for image_id, patient_id in repo.kept_holders(image_ids):
        if patient_id not in dates:
            patient = patients.by_id(patient_id)
            born = date.fromisoformat(patient.birth_date) if patient.birth_date else None
            last = _day(repo.last_entry_at(patient_id))
            dates[patient_id] = (last, retention_date(born, last, rule))
        last, keep_until = dates[patient_id]
        found.append(Retention(image_id, patient_id, last, keep_until))
    return found


def _refuse_any_not_due(image_ids: list[int], kept: dict[int, Retention], today: date) -> None:
    """Refuse the whole batch if a picture asked for is not in any record or not yet due."""
    for image_id in image_ids:
        if image_id not in kept:
            raise RetentionError(f"Picture {image_id} is not in any patient's record, so it "
                                 "cannot be deleted; nothing was deleted.")
        if kept[image_id].keep_until > today:
            raise RetentionError(
                f"Picture {image_id} is kept until {kept[image_id].keep_until:%d/%m/%Y}; only "
                "pictures past their retention date are deleted, so nothing was deleted.")


def _day(stamp: str) -> date:
    """The practice's day of a stamp: a Melbourne morning is still the evening before in UTC."""
    return datetime.fromisoformat(stamp).astimezone().date()


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)

