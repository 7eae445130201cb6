"""Reading the audit trail from the window: for admins only, and every look is itself audited.

The trail holds who looked at which patient's pictures; reading it is as
sensitive as reading the pictures, so the role is checked here, in the core,
and each search and export appends a row of its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from clinfile.app.audit.export import write_csv, write_pdf
from clinfile.app.audit.lines import AuditLine, filter_words
from clinfile.app.audit.naming import AuditNames
from clinfile.app.audit.verdict import ChainVerdict
from clinfile.app.errors import write_outside_the_vault
from clinfile.app.filing.model import filed_as_they_stand
from clinfile.app.filing.service import find_patient
from clinfile.app.reports.options import load_options
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.audit import AuditRepository, AuditWhere, HeldPicture
from clinfile.db.connection import Connection
from clinfile.db.filing import FilingRepository

SHOWN = 2000
FORMATS = ("csv", "pdf")


class AuditSearchError(VaultError):
    """A filter that cannot be applied as given; ``str()`` says why."""


@dataclass(frozen=True)
class AuditFilter:
    """What a person asked to see; every part is optional.

    Attributes:
        first_day: the first local day to include.
        last_day: the last local day to include.
        user: the login name of who acted.
        patient: a patient's id or the practice's record number.
        action: the kind of act, as stored (``images.exported``).
    """

    first_day: date | None = None
    last_day: date | None = None
    user: str = ""
    patient: str = ""
    action: str = ""

    def described(self) -> dict[str, str]:
        """The parts given, for the audit row and the printout's heading."""
        return {k: str(v) for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class AuditFindings:
    """The newest rows a filter picks (at most :data:`SHOWN`) and how many it picks in all."""

    lines: list[AuditLine]
    total: int


@dataclass(frozen=True)
class AuditChoices:
    """Who appears in the trail and which kinds of act, for the filter's lists.

    Attributes:
        users: each login that acted, with the person's name as the audit gives it.
        actions: each kind of act, as stored.
    """

    users: dict[str, str]
    actions: list[str]


class AuditService:
    """Searching, judging and exporting the audit trail for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def choices(self) -> AuditChoices:
        """Return the users and kinds of act the trail holds."""
        self._session.require(Permission.VIEW_AUDIT)
        with self._session.vault.index() as conn:
            repo, names = AuditRepository(conn), AuditNames(conn)
            return AuditChoices({login: names.person(login) for login in repo.actors()},
                                repo.actions())

    def search(self, wanted: AuditFilter, *, limit: int = SHOWN) -> AuditFindings:
        """Return the rows the filter picks, newest first; audit the look."""
        self._session.require(Permission.VIEW_AUDIT)
        with self._session.vault.index() as conn:
            where = _where(conn, wanted)
            repo = AuditRepository(conn)
            names = AuditNames(conn)
            found = AuditFindings([AuditLine.of(r, names)
                                   for r in repo.matching(where, limit=limit)],
                                  repo.count_matching(where))
        self._session.audit("audit.viewed", "", {**wanted.described(), "rows": found.total})
        return found

    def verdict(self) -> ChainVerdict:
        """Check the whole chain, its head and its seals, as ``clinfile verify`` does."""
        self._session.require(Permission.VIEW_AUDIT)
        vault = self._session.vault
        with vault.index() as conn:
            problems = vault.audit.problems(conn)
            last = AuditRepository(conn).last()
        seals = vault.seal_report()
        with vault.index() as conn:
            sealing = seals.summary(AuditNames(conn).person)
        return ChainVerdict(last.seq if last else 0, tuple(problems + seals.problems), sealing)

    def export(self, wanted: AuditFilter, path: Path, file_format: str) -> Path:
        """Write every row the filter picks to a CSV or PDF file; audit the export.

        Raises:
            AuditSearchError: an unknown format or an unknown patient.
            ExportDiskFull: the disk the file was to go on is full.
            OSError: the file could not be written.
        """
        if file_format not in FORMATS:
            raise AuditSearchError(f"Export the audit as CSV or PDF, not {file_format!r}.")
        self._session.require(Permission.EXPORT_AUDIT)
        verdict = self.verdict()
        with self._session.vault.index() as conn:
            names = AuditNames(conn)
            where = _where(conn, wanted)
            lines = [AuditLine.of(r, names) for r in AuditRepository(conn).matching(where)]
            asked = wanted.described()
            if where.patient_id is not None:
                asked["patient"] = names.patient(where.patient_id)
            asked_words = filter_words(asked, names)
            page_size = load_options(conn).page_size
        path = Path(path)

        def write() -> None:
            if file_format == "csv":
                write_csv(lines, path)
            else:
                write_pdf(lines, asked_words, verdict, path, page_size)

        write_outside_the_vault(path, write)
        self._session.audit("audit.exported", str(path), {
            **wanted.described(), "rows": len(lines), "format": file_format})
        return path


def _where(conn: Connection, wanted: AuditFilter) -> AuditWhere:
    if wanted.first_day and wanted.last_day and wanted.first_day > wanted.last_day:
        raise AuditSearchError("The first day comes after the last day; swap them.")
    since = _utc(wanted.first_day) if wanted.first_day else ""
    before = _utc(wanted.last_day + timedelta(days=1)) if wanted.last_day else ""
    if not wanted.patient.strip():
        return AuditWhere(since, before, wanted.user, wanted.action)
    try:
        patient_id = find_patient(conn, wanted.patient).id
    except VaultError as exc:
        raise AuditSearchError(str(exc)) from None
    return AuditWhere(since, before, wanted.user, wanted.action, (f"patient {patient_id}",),
                      patient_id, _held_by(conn, patient_id))


def _held_by(conn: Connection, patient_id: int) -> tuple[HeldPicture, ...]:
    """Each picture while it was the patient's, by the rule that names it in the About column.

    An act on a picture is the patient's only while the picture was theirs
    (see :meth:`FiledImage.holdings`): a picture moved to another patient
    leaves the acts done on it afterwards out of this patient's audit.
    """
    images = filed_as_they_stand(conn, FilingRepository(conn).filings_touching(patient_id))
    return tuple(HeldPicture((f"image {image.image_id}", str(image.image_id)),
                             held.since, held.until)
                 for image in images for held in image.holdings()
                 if held.patient_id == patient_id)


def _utc(day: date) -> str:
    """The UTC time at which a local day starts, in the trail's own format."""
    start = datetime.combine(day, time.min).astimezone().astimezone(UTC)
    return start.isoformat(timespec="milliseconds")
