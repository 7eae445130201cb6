"""Recording a picture sent to the wrong person, tied to the export that sent it.

The guidance calls a clinical image sent to the wrong person a breach of the
patient's privacy (:mod:`app.incidents.guidance`). The report says what was
sent, to whom, when, what was done and who reported it; it names the audit
entry of the export (``images.exported``), so the trail and the report point
at each other. Reports are kept in the vault, never changed, and audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

from clinfile.app import clock
from clinfile.app.clock import local_time
from clinfile.app.counting import counted
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.escaping import escaped
from clinfile.app.incidents.summary import IncidentSummary, write_summary
from clinfile.app.patients.dates import show
from clinfile.app.record.service import recipient_words
from clinfile.app.reports.options import load_options
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.audit import AuditRepository, AuditRow, AuditWhere
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientLookup
from clinfile.db.incidents import IncidentRepository, IncidentRow
from clinfile.db.users import UserRepository

EXPORTED = "images.exported"
LONGEST = {"what_was_sent": 400, "sent_to": 200, "actions_taken": 1000}


class IncidentError(VaultError):
    """A report that cannot be recorded as given; ``str()`` says what to fix."""


@dataclass(frozen=True)
class ExportSent:
    """One export as the audit trail recorded it, for choosing which one went astray."""

    seq: int
    at: str
    by: str
    patient_id: int | None
    patient: str
    pictures: int
    purpose: str
    recipient: str
    file_format: str
    files: tuple[str, ...]
    patient_name: str = ""

    def choice_words(self, *, patient: bool) -> str:
        """What tells one export from another in a list, before its folder.

        When, how many pictures for whom, and, with ``patient``, whose by name
        alone: the full line with birth date and record number follows in
        what was sent, once the export is chosen.
        """
        count = counted(self.pictures, "picture")
        whose = f"  ·  {self.patient_name or self.patient}" if patient else ""
        return f"{self.at}  ·  {count} for {recipient_words(self.recipient)}{whose}"

    @property
    def folder(self) -> str:
        """The whole path of the folder the files were written to; empty when none was kept."""
        return str(PurePath(self.files[0]).parent) if self.files else ""

    @property
    def words(self) -> str:
        """'3 pictures of NGUYEN, Mai, as PDF, for clinical care, to the treating team'."""
        count = counted(self.pictures, "picture")
        purpose = self.purpose.replace("-", " ").replace("_", " ")
        recipient = recipient_words(self.recipient)
        return (f"{count} of {self.patient}, as {self.file_format.upper()}, for {purpose}, "
                f"meant for {recipient}")

    @property
    def sentence(self) -> str:
        """What was sent as a report's first sentence, within the report's own limit.

        A runaway name is cut with '…' so the sentence fits the letters the
        report allows and still ends with the birth date, record number and
        recipient; the person reporting need not shorten it by hand.
        """
        words = self.words
        over = len(words) + len(".") - LONGEST["what_was_sent"]
        if over > 0:
            name = self.patient_name or self.patient
            words = words.replace(name, name[:max(len(name) - over - 1, 1)] + "…", 1)
        return words[0].upper() + words[1:] + "."


@dataclass(frozen=True)
class IncidentReport:
    """What the person reporting says happened.

    Attributes:
        export_seq: the audit entry of the export that went astray.
        what_was_sent: the pictures or files, in words.
        sent_to: who received them who should not have.
        found_on: the day the mistake came to light.
        actions_taken: what has been done (asked to delete, patient told, advice sought).
    """

    export_seq: int
    what_was_sent: str
    sent_to: str
    found_on: date
    actions_taken: str


@dataclass(frozen=True)
class Incident:
    """A recorded report with its export, patient and reporter in words."""

    row: IncidentRow
    export: ExportSent | None
    reporter: str


class IncidentService:
    """Reporting and reading privacy incidents for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def exports(self, limit: int = 500, image_ids: Iterable[int] = ()) -> list[ExportSent]:
        """Return the newest exports the audit trail holds, newest first.

        With ``image_ids``, only the exports that sent one of those pictures:
        the record offers the exports of the pictures chosen in it.
        """
        self._session.require(Permission.REPORT_INCIDENT)
        wanted = set(image_ids)
        with self._session.vault.index() as conn:
            rows = AuditRepository(conn).matching(AuditWhere(action=EXPORTED),
                                                  limit=None if wanted else limit)
            if wanted:
                rows = [row for row in rows
                        if wanted & set(json.loads(row.detail or "{}").get("images", ()))]
            return [_export(conn, row) for row in rows[:limit]]

    def report(self, told: IncidentReport) -> Incident:
        """Record the incident and audit it, naming the export and the patient.

        Raises:
            PolicyRefused: the person may not report incidents (audited).
            IncidentError: a part is missing or too long, or the export is not in the trail.
        """
        self._session.require(Permission.REPORT_INCIDENT)
        problem = report_problem(told)
        if problem:
            raise IncidentError(problem)
        texts = {"what_was_sent": told.what_was_sent.strip(), "sent_to": told.sent_to.strip(),
                 "actions_taken": told.actions_taken.strip()}
        vault = self._session.vault
        actor = self._session.actor.name
        with vault.audited() as work:
            exported = AuditRepository(work.conn).at_seq(told.export_seq)
            if exported is None or exported.action != EXPORTED:
                raise IncidentError(f"Audit entry {told.export_seq} is not an export; "
                                    "choose the export that went to the wrong person.")
            export = _export(work.conn, exported)
            row = IncidentRepository(work.conn).add(IncidentRow(
                0, exported.seq, export.patient_id, **texts, sent_at=exported.at,
                found_on=told.found_on.isoformat(), reported_by=actor,
                reported_at=clock.stamp()))
            work.record(AuditEntry(
                actor, "incident.reported", exported.subject, {
                    "incident": row.id, "export_entry": exported.seq,
                    "sent_to": row.sent_to, "found_on": row.found_on}))
            reporter = person(work.conn, actor)
        return Incident(row, export, reporter)

    def all(self) -> list[Incident]:
        """Return every report, newest first; the practice manager's, not every reporter's."""
        self._session.require(Permission.READ_INCIDENTS)
        with self._session.vault.index() as conn:
            audit = AuditRepository(conn)
            return [Incident(row, _export(conn, audit.at_seq(row.export_seq))
                             if row.export_seq else None, person(conn, row.reported_by))
                    for row in IncidentRepository(conn).all()]

    def write_summary(self, incident_id: int, path: Path) -> Path:
        """Write the one-page summary for the practice manager; audit that it was made.

        Whoever reported an incident may print its summary to hand over; only
        those who read every report may print the others'.

        Raises:
            PolicyRefused: another person's report, without the right to read them all
                (audited).
            IncidentError: there is no such incident.
        """
        session = self._session
        session.require(Permission.REPORT_INCIDENT, subject=f"incident {incident_id}")
        with session.vault.index() as conn:
            row = IncidentRepository(conn).by_id(incident_id)
        if row is None or row.reported_by != session.actor.name:
            session.require(Permission.READ_INCIDENTS, subject=f"incident {incident_id}")
        if row is None:
            raise IncidentError(f"There is no incident {incident_id}.")
        with session.vault.index() as conn:
            export = _export(conn, AuditRepository(conn).at_seq(row.export_seq)) \
                if row.export_seq else None
            _name, patient = _patient_words(conn, row.patient_id)
            reporter = person(conn, row.reported_by)
            options = load_options(conn)
        write_summary(IncidentSummary(row, export, patient, reporter, options.practice_name),
                      Path(path), options.page_size)
        self._session.audit("incident.summary_printed", f"incident {incident_id}",
                            {"file": str(path)})
        return Path(path)


def report_problem(told: IncidentReport) -> str:
    """Return what stops a report from being recorded, in words, or '' when nothing does."""
    words = {"what_was_sent": "what was sent", "sent_to": "who received it",
             "actions_taken": "what has been done"}
    for name, what in words.items():
        text = getattr(told, name).strip()
        if not text:
            return f"Say {what}."
        if len(text) > LONGEST[name]:
            return (f"Say {what} in at most {LONGEST[name]} characters, so the summary fits "
                    "on one page.")
    if told.found_on > clock.today():
        return "The day it was found out cannot be in the future."
    return ""


def _export(conn: Connection, row: AuditRow) -> ExportSent:
    detail = json.loads(row.detail or "{}")
    subject = row.subject.removeprefix("patient ")
    patient_id = int(subject) if subject.isdigit() else None
    name, line = _patient_words(conn, patient_id)
    return ExportSent(row.seq, local_time(row.at), person(conn, row.actor), patient_id,
                      line, len(detail.get("images", [])),
                      str(detail.get("purpose", "")), str(detail.get("recipient", "")),
                      str(detail.get("format", "")),
                      tuple(escaped(f) for f in detail.get("files", [])), name)


def person(conn: Connection, name: str) -> str:
    """'Dr Priya Patel (drpatel)': a user as paperwork names them, login name beside."""
    user = UserRepository(conn).by_name(name)
    full = user.full_name if user is not None else ""
    return escaped(f"{full} ({name})" if full else name)


def _patient_words(conn: Connection, patient_id: int | None) -> tuple[str, str]:
    """'NGUYEN, Mai', and 'NGUYEN, Mai (born 05/06/1990, record 900001)'."""
    patient = PatientLookup(conn).by_id(patient_id) if patient_id is not None else None
    if patient is None:
        return "an unknown patient", "an unknown patient"
    born = show(date.fromisoformat(patient.birth_date)) if patient.birth_date else "unknown"
    record = f", record {patient.record_number}" if patient.record_number else ""
    name = f"{patient.family_name.upper()}, {patient.given_names}"
    return escaped(name), escaped(f"{name} (born {born}{record})")
