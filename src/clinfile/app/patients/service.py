"""The patient index for one session: importing, adding, editing and searching.

Role checks are made here, in the core: managing the index needs
``MANAGE_PATIENTS`` and searching needs ``SEARCH_PATIENTS``. Every import and
every edit is written to the audit trail in the same transaction as the
change itself, and so are the patient's names as searching reads them from the
vault (:mod:`app.patients.stored_index`). Searches read those from the vault
until the whole index has been loaded in memory (at login, in the background),
which is then kept in step with this session's own changes.
"""

from __future__ import annotations

import gc
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.patients.csv_import import DEFAULT_PRESET, PRESETS, ColumnMapping, read_csv
from clinfile.app.patients.details import InvalidPatient, PatientDetails, Validated, validate
from clinfile.app.patients.fhir_import import read_fhir
from clinfile.app.patients.hints import hints_from_filename, hints_from_image
from clinfile.app.patients.hl7_import import read_hl7
from clinfile.app.patients.index import PatientIndex
from clinfile.app.patients.matching import MatchResult, search
from clinfile.app.patients.query import Query, parse_query
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource
from clinfile.app.patients.stored_index import StoredPatientIndex, bring_up_to_date
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import Connection, DatabaseError, is_read_only, transaction
from clinfile.db.patient_search import PatientSearchRepository
from clinfile.db.patients import PatientRepository, PatientRow, PatientValues

FORMATS = ("csv", "fhir", "hl7")
PROGRESS_EVERY = 250


class PatientError(VaultError):
    """A patient change that cannot be made as asked; ``str()`` says why, for people."""


class ImportCancelled(PatientError):
    """The person stopped an import; nothing from it was kept."""

    def __init__(self) -> None:
        super().__init__("The import was stopped; nothing from it was kept.")


@dataclass(frozen=True)
class Saved:
    """A stored patient and the warnings to show about them."""

    patient: PatientRow
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    """What an import did, and every row it could not use or must warn about."""

    source: str
    format: str
    added: int
    updated: int
    unchanged: int
    problems: tuple[SourceProblem, ...]
    warnings: tuple[SourceProblem, ...]

    def as_dict(self) -> dict:
        """Plain data for JSON output and the audit trail."""
        return {"source": self.source, "format": self.format, "added": self.added,
                "updated": self.updated, "unchanged": self.unchanged,
                "problems": [{"where": p.where, "why": p.why} for p in self.problems],
                "warnings": [{"where": w.where, "why": w.why} for w in self.warnings]}


@dataclass(frozen=True)
class PreviewRow:
    """One row of a file as an import would read it: the details it found, or why not."""

    where: str
    family_name: str = ""
    given_names: str = ""
    birth_date: date | None = None
    record_number: str = ""
    medicare_number: str = ""
    problem: str = ""


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has got: rows read and checked, then rows saved.

    The last event carries the report.
    """

    read: int
    saved: int = 0
    report: ImportReport | None = None


class PatientService:
    """The patient index in one person's session."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._index: PatientIndex | None = None
        self._stored: StoredPatientIndex | None = None
        self._built_at = 0
        self._changes: list[PatientRow] = []
        self._generation = 0
        self._index_lock = threading.RLock()

    # --- searching --------------------------------------------------------------------

    def search(self, text: str | Query, *, limit: int = 10) -> MatchResult:
        """Rank patients against what was typed (or a query built from hints)."""
        self._forget_if_locked()
        self._session.require(Permission.SEARCH_PATIENTS)
        query = parse_query(text) if isinstance(text, str) else text
        with self._index_lock:
            return search(self._searchable(), query, limit=limit)

    def search_with_hints(self, typed: str = "", *, filename: str = "",
                          image: Path | bytes | None = None, limit: int = 10) -> MatchResult:
        """Rank patients using what reception typed, the image's filename and any label barcode.

        What was typed comes first; the filename and the label only add what
        it does not already say. ``image`` is the display copy Clinfile made of
        a picture in custody (see :func:`app.patients.hints.barcode_texts`).
        """
        query = parse_query(typed)
        if filename:
            query = query.merged(hints_from_filename(filename))
        if image is not None:
            try:
                labels = hints_from_image(image)
            except OSError:
                raise PatientError("Clinfile could not look for a label barcode in that "
                                   "picture: it is not a JPEG, PNG or WebP display copy."
                                   ) from None
            for label in labels:
                query = query.merged(label)
        return self.search(query, limit=limit)

    def index(self) -> PatientIndex:
        """The in-memory search index, loaded from the vault on first use.

        Loading takes seconds for a large practice and holds no lock meanwhile,
        so searches go on from the vault as it loads; changes this session
        makes meanwhile are applied once it is in. Once the session has
        locked, the index is dropped rather than kept in memory, and is loaded
        again after the person unlocks. Searches from several worker threads
        take turns with it, since its caches are not safe to change from two
        threads at once.
        """
        while True:
            with self._index_lock:
                self._forget_if_locked()
                self._session.ensure_unlocked()
                if self._index is not None:
                    return self._index
                generation = self._generation
                self._changes = []
            with self._session.vault.index() as conn:
                built_at = PatientSearchRepository(conn).latest_change()
                loaded = PatientIndex(PatientRepository(conn).search_fields(),
                                      read_rows=self._rows)
            with self._index_lock:
                if self._index is None and generation == self._generation:
                    for row in self._changes:
                        loaded.upsert(row)
                    self._index, self._built_at = loaded, built_at
                    # The index is millions of long-lived objects; left to the cyclic
                    # collector, each full collection walked them all and paused a
                    # search for a third of a second. Dropped on lock, they are still
                    # freed by reference counting.
                    gc.freeze()

    def _searchable(self) -> PatientIndex:
        """The whole index once it is loaded; until then, the one read from the vault.

        Either is first brought up to date with every patient written since it
        was built, by this session or any other process (another workstation,
        a ``clinfile patients import``), so a renamed patient is found by their
        new name and no longer by their old one. Where the vault cannot be
        written (read-only media, a restored copy being looked through), the
        names stored for those patients cannot be brought up to date, so the
        whole index is loaded in memory instead: it is read from the patients
        as they stand, and searching writes nothing.
        """
        self._forget_if_locked()
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            search = PatientSearchRepository(conn)
            latest = search.latest_change()
            if self._index is not None:
                if latest != self._built_at:
                    self._catch_up(conn, search.changed_since(self._built_at))
                    self._built_at = latest
                return self._index
            if self._stored is not None and latest == self._built_at:
                return self._stored
            stored_names_current = not search.any_stale() or _brought_up_to_date(conn)
        if not stored_names_current:
            return self.index()
        self._stored = StoredPatientIndex(self._session.vault.index, read_rows=self._rows)
        self._built_at = latest
        return self._stored

    def _catch_up(self, conn: Connection, patient_ids: list[int]) -> None:
        """Bring the loaded index in step with these patients as the vault now holds them."""
        rows = {row.id: row for row in PatientRepository(conn).by_ids(patient_ids)}
        for patient_id in patient_ids:
            if patient_id in rows:
                self._index.upsert(rows[patient_id])
            else:
                self._index.forget(patient_id)

    def load_ahead(self) -> None:
        """Load the search index now, so the first search of the session need not wait for it.

        Meant for a worker at login: loading a large practice takes a second
        or more, which a person otherwise waits through at their first
        keystroke. Nothing is loaded for someone who may not search patients.
        """
        if self._session.may(Permission.SEARCH_PATIENTS):
            self.index()

    def _rows(self, patient_ids: list[int]) -> list[PatientRow]:
        """Read the whole rows of the few patients a search scores in full."""
        with self._session.vault.index() as conn:
            return PatientRepository(conn).by_ids(patient_ids)

    @property
    def holds_index(self) -> bool:
        """Whether patient details are held in memory for searching."""
        return self._index is not None or self._stored is not None

    def _forget_if_locked(self) -> None:
        if self._session.lock_if_idle():
            with self._index_lock:
                self._index = self._stored = None
                self._generation += 1

    def patient(self, patient_id: int) -> PatientRow:
        """Return one patient by id."""
        self._session.require(Permission.SEARCH_PATIENTS, subject=f"patient {patient_id}")
        with self._session.vault.index() as conn:
            row = PatientRepository(conn).by_id(patient_id)
        if row is None:
            raise PatientError(f"There is no patient with id {patient_id}.")
        return row

    # --- adding and editing -----------------------------------------------------------

    def add(self, details: PatientDetails) -> Saved:
        """Add one patient typed in by hand, with the same checks as every import.

        Raises:
            PatientError: the details cannot be kept, or the record number is taken.
        """
        self._session.require(Permission.MANAGE_PATIENTS)
        checked = self._checked(details)
        vault = self._session.vault
        with vault.audited() as work:
            patients = PatientRepository(work.conn)
            self._refuse_taken_record_number(patients, checked.values.record_number, None)
            row = patients.add(checked.values, clock.stamp())
            bring_up_to_date(work.conn)
            work.record(self._entry(
                "patient.added", row, {"warnings": len(checked.warnings)}))
        self._indexed(row)
        return Saved(row, checked.warnings)

    def edit(self, patient_id: int, details: PatientDetails) -> Saved:
        """Replace a patient's details after the same checks as adding them.

        Raises:
            PatientError: no such patient, the details cannot be kept, or the
                record number belongs to someone else.
        """
        self._session.require(Permission.MANAGE_PATIENTS, subject=f"patient {patient_id}")
        checked = self._checked(details)
        vault = self._session.vault
        with vault.audited() as work:
            patients = PatientRepository(work.conn)
            before = patients.by_id(patient_id)
            if before is None:
                raise PatientError(f"There is no patient with id {patient_id}.")
            self._refuse_taken_record_number(patients, checked.values.record_number,
                                             patient_id)
            row = patients.update(patient_id, checked.values, clock.stamp())
            bring_up_to_date(work.conn)
            work.record(self._entry(
                "patient.edited", row, {"changed": _changed(before.values, row.values),
                                        "warnings": len(checked.warnings)}))
        self._indexed(row)
        return Saved(row, checked.warnings)

    # --- importing --------------------------------------------------------------------

    def import_file(self, path: Path, *, format: str | None = None,
                    mapping: ColumnMapping | str | None = None,
                    cancelled: Callable[[], bool] = lambda: False
                    ) -> Iterator[ImportProgress]:
        """Import patients from a CSV, FHIR JSON or HL7 file (or a folder of HL7 files).

        Yields progress as rows are read; the last event carries the report.
        Everything readable is kept in one transaction with its audit row, so
        a stopped or failed import keeps nothing. Re-importing updates patients
        (by record number, else by IHI, Medicare number and IRN, DVA number, or
        exact name and date of birth) and never adds them twice.

        Raises:
            PatientError: the format is unknown or the file cannot be read at all.
            ImportCancelled: ``cancelled()`` returned true.
        """
        self._session.require(Permission.MANAGE_PATIENTS, subject=Path(path).name)
        path = Path(path)
        if not path.exists():
            raise PatientError(f"There is no file or folder called {path}.")
        format = format or guess_format(path)
        column_mapping = self.column_mapping(mapping) if format == "csv" else None
        try:
            records = _reader(format, path, column_mapping)
            yield from self._import(path, format, records, cancelled)
        except UnreadableSource as exc:
            raise PatientError(str(exc)) from None

    def import_records(self, source: str, format: str,
                       records: Iterable[SourceRecord | SourceProblem],
                       cancelled: Callable[[], bool] = lambda: False
                       ) -> Iterator[ImportProgress]:
        """Import patients read from elsewhere (a FHIR server's search) as :meth:`import_file` does.

        Raises:
            ImportCancelled: ``cancelled()`` returned true.
        """
        self._session.require(Permission.MANAGE_PATIENTS, subject=source)
        yield from self._import(Path(source), format, records, cancelled)

    def preview(self, path: Path, *, format: str | None = None,
                mapping: ColumnMapping | str | None = None, rows: int = 8) -> list[PreviewRow]:
        """Read and check the first rows without storing anything.

        A person choosing a column mapping sees what each column would become
        (a date of birth read month-first shows as the wrong date at once)
        before anything is written.

        Raises:
            PatientError: the format is unknown or the file cannot be read at all.
        """
        self._session.require(Permission.MANAGE_PATIENTS, subject=Path(path).name)
        path = Path(path)
        format = format or guess_format(path)
        column_mapping = self.column_mapping(mapping) if format == "csv" else None
        try:
            return [_previewed(item) for item in
                    itertools.islice(_reader(format, path, column_mapping), rows)]
        except UnreadableSource as exc:
            raise PatientError(str(exc)) from None

    def _import(self, path: Path, format: str, records: Iterable[SourceRecord | SourceProblem],
                cancelled: Callable[[], bool]) -> Iterator[ImportProgress]:
        """Check every row first, then write them all in one short transaction.

        Reading and checking (the slow part) holds no lock on the vault, so
        images keep arriving while a big export is read; only the writing
        itself, with its audit row, is one transaction.
        """
        problems: list[SourceProblem] = []
        warnings: list[SourceProblem] = []
        accepted: list[PatientValues] = []
        read = 0
        for item in records:
            read += 1
            if read % PROGRESS_EVERY == 0:
                yield self._progress(cancelled, read, 0)
            if isinstance(item, SourceProblem):
                problems.append(item)
                continue
            try:
                checked = validate(item.details, item.date_order)
            except InvalidPatient as exc:
                problems.append(SourceProblem(item.where, str(exc)))
                continue
            accepted.append(checked.values)
            warnings += [SourceProblem(item.where, w) for w in checked.warnings]
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        vault = self._session.vault
        when = clock.stamp()
        with vault.audited() as work:
            patients = PatientRepository(work.conn)
            for saved, values in enumerate(accepted, start=1):
                counts[_upsert(patients, values, when)] += 1
                if saved % PROGRESS_EVERY == 0:
                    yield self._progress(cancelled, read, saved)
            bring_up_to_date(work.conn)
            report = ImportReport(path.name, format, counts["added"], counts["updated"],
                                  counts["unchanged"], tuple(problems), tuple(warnings))
            summary = {k: v for k, v in report.as_dict().items()
                       if k not in ("problems", "warnings")}
            work.record(AuditEntry(
                self._session.actor.name, "patients.imported", path.name,
                {**summary, "problems": len(problems), "warnings": len(warnings)}))
        with self._index_lock:
            self._index = self._stored = None
            self._generation += 1
        yield ImportProgress(read, len(accepted), report)

    @staticmethod
    def _progress(cancelled: Callable[[], bool], read: int, saved: int) -> ImportProgress:
        if cancelled():
            raise ImportCancelled()
        return ImportProgress(read, saved)

    # --- column mappings --------------------------------------------------------------

    def column_mapping(self, mapping: ColumnMapping | str | None) -> ColumnMapping:
        """Find a mapping: given outright, a preset, one the practice saved, or a JSON file."""
        if isinstance(mapping, ColumnMapping):
            return mapping
        name = mapping or DEFAULT_PRESET
        if name.casefold() in PRESETS:
            return PRESETS[name.casefold()]
        with self._session.vault.index() as conn:
            saved = PatientRepository(conn).mapping(name)
        if saved is not None:
            return ColumnMapping.from_dict(saved)
        file = Path(name)
        if file.suffix.casefold() == ".json" and file.is_file():
            try:
                data = json.loads(file.read_text(encoding="utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PatientError(f"The column mapping {file.name} is not readable JSON "
                                   f"({exc}).") from None
            try:
                return ColumnMapping.from_dict(data, name=data.get("name") or file.stem)
            except UnreadableSource as exc:
                raise PatientError(str(exc)) from None
        known = ", ".join([*PRESETS, *self.saved_mapping_names()])
        raise PatientError(f"There is no column mapping called {name}. Known: {known}.")

    def save_mapping(self, mapping: ColumnMapping) -> None:
        """Keep a column mapping under its name for this practice's next imports."""
        self._session.require(Permission.MANAGE_PATIENTS, subject=mapping.name)
        if not mapping.name or mapping.name.casefold() in PRESETS:
            raise PatientError("Give the column mapping a name of its own (not a preset's).")
        vault = self._session.vault
        with vault.audited() as work:
            PatientRepository(work.conn).save_mapping(mapping.name, mapping.as_dict(),
                                                      clock.stamp())
            work.record(AuditEntry(
                self._session.actor.name, "patients.mapping_saved", mapping.name))

    def saved_mapping_names(self) -> list[str]:
        """Return the names of the practice's saved column mappings."""
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            return PatientRepository(conn).mapping_names()

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _checked(details: PatientDetails) -> Validated:
        try:
            return validate(details)
        except InvalidPatient as exc:
            raise PatientError(f"This patient cannot be saved: {exc}.") from None

    @staticmethod
    def _refuse_taken_record_number(patients: PatientRepository, record_number: str | None,
                                    patient_id: int | None) -> None:
        if not record_number:
            return
        holder = patients.by_record_number(record_number)
        if holder is not None and holder.id != patient_id:
            raise PatientError(f"Record number {record_number} already belongs to "
                               f"{holder.family_name.upper()}, {holder.given_names}.")

    def _entry(self, action: str, row: PatientRow, detail: dict) -> AuditEntry:
        return AuditEntry(self._session.actor.name, action, f"patient {row.id}",
                          {"record_number": row.record_number, **detail})

    def _indexed(self, row: PatientRow) -> None:
        with self._index_lock:
            self._stored = None
            if self._index is not None:
                self._index.upsert(row)
            else:
                self._changes.append(row)


def guess_format(path: Path) -> str:
    """Tell CSV, FHIR JSON and HL7 apart by the folder, the name, or the first bytes."""
    if path.is_dir():
        return "hl7"
    suffix = path.suffix.casefold()
    if suffix in (".hl7", ".adt"):
        return "hl7"
    if suffix == ".json":
        return "fhir"
    with open(path, "rb") as handle:
        start = handle.read(64).lstrip(b"\xef\xbb\xbf\x0b \r\n\t")
    if start.startswith(b"MSH"):
        return "hl7"
    if start.startswith(b"{"):
        return "fhir"
    return "csv"


def _reader(format: str, path: Path, mapping: ColumnMapping | None
            ) -> Iterator[SourceRecord | SourceProblem]:
    if format == "csv":
        return read_csv(path, mapping or PRESETS[DEFAULT_PRESET])
    if format == "fhir":
        return read_fhir(path)
    if format == "hl7":
        return read_hl7(path)
    raise PatientError(f"Clinfile cannot import “{format}”; choose one of {', '.join(FORMATS)}.")


def _previewed(item: SourceRecord | SourceProblem) -> PreviewRow:
    if isinstance(item, SourceProblem):
        return PreviewRow(item.where, problem=item.why)
    try:
        values = validate(item.details, item.date_order).values
    except InvalidPatient as exc:
        details = item.details
        return PreviewRow(item.where, details.family_name, details.given_names,
                          record_number=details.record_number or "",
                          medicare_number=details.medicare_number or "", problem=str(exc))
    born = date.fromisoformat(values.birth_date) if values.birth_date else None
    return PreviewRow(item.where, values.family_name, values.given_names, born,
                      values.record_number or "", values.medicare_number)


def _upsert(patients: PatientRepository, values: PatientValues, when: str) -> str:
    """Store one imported patient: update the one already held, or add them."""
    existing = _existing(patients, values)
    if existing is None:
        patients.add(values, when)
        return "added"
    if existing.values == values:
        return "unchanged"
    patients.update(existing.id, values, when)
    return "updated"


def _existing(patients: PatientRepository, values: PatientValues) -> PatientRow | None:
    """The patient an imported row describes: by record number first, then by identifiers.

    A patient found by identifiers or name and date of birth is only taken to
    be the same when they have no record number of their own, since two record
    numbers mean two records in the practice's software.
    """
    if values.record_number:
        held = patients.by_record_number(values.record_number)
        if held is not None:
            return held
    for found in (
        patients.by_ihi(values.ihi) if values.ihi else [],
        patients.by_medicare(values.medicare_number, values.medicare_irn)
        if values.medicare_number and values.medicare_irn else [],
        patients.by_dva(values.dva_number) if values.dva_number else [],
        patients.by_name_and_birth_date(values.family_name, values.given_names,
                                        values.birth_date),
    ):
        if len(found) == 1 and (found[0].record_number is None
                                or found[0].record_number == values.record_number):
            return found[0]
    return None


def _changed(before: PatientValues, after: PatientValues) -> list[str]:
    return [f.name for f in fields(PatientValues)
            if getattr(before, f.name) != getattr(after, f.name)]


def _brought_up_to_date(conn: Connection) -> bool:
    """Store the names of the patients changed since they were stored; False if read-only."""
    try:
        with transaction(conn):
            bring_up_to_date(conn)
    except DatabaseError as error:
        if is_read_only(error):
            return False
        raise
    return True
