"""Printing consent forms and summaries, and exporting images, for one person's session.

Every document that carries a patient's images passes the consent gate
(:func:`app.uses.gate.authorise_use`) first, which checks the role,
refuses what the recorded consent does not cover (audited), and records the
use so that a later withdrawal shows what already left. Every file written
is audited with where it went. Uses other than the patient's own care are
always de-identified: the consent form promises the patient their photos
are used "without my name".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from clinfile.app import clock
from clinfile.app.consent.model import Consent
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.vocabulary import CARE_RECORD, Purpose, Recipient
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.errors import ExportDiskFull
from clinfile.app.filing.model import FiledImage, filed_as_they_stand, load_filed
from clinfile.app.filing.service import find_patient
from clinfile.app.reports import outbox
from clinfile.app.reports.consent_form import blank_form, render_consent_form
from clinfile.app.reports.dicom_files import dicom_files
from clinfile.app.reports.fhir_files import fhir_files
from clinfile.app.reports.gather import (
    Stored,
    consent_form_data,
    patient_header,
    printed_as,
    printed_names,
    stored,
    summary_images,
    teaching_images,
)
from clinfile.app.reports.model import SummaryData, TeachingImage
from clinfile.app.reports.naming import export_name, neutral_name, record_file_name
from clinfile.app.reports.options import ReportOptions, load_options
from clinfile.app.reports.pictures import EXPORT_QUALITY, CleanedAhead
from clinfile.app.reports.summary import write_summary
from clinfile.app.reports.teaching_sheet import write_teaching_sheet
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.uses.gate import Authorisation, Channel, authorise_within, consents_of
from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import Connection, is_disk_full
from clinfile.db.consents import NOT_MADE, SENT, ConsentRepository
from clinfile.db.filing import FilingRepository, PatientLookup, PatientSummary


class ReportError(VaultError):
    """A document or export that cannot be made as asked; ``str()`` says why."""


@dataclass(frozen=True)
class Selection:
    """Which filed images a document is about: a whole record, one episode, or some images."""

    patient: str | int | None = None
    episode: int | None = None
    image_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        """A picture named twice is one picture: every document and export shows it once."""
        object.__setattr__(self, "image_ids", tuple(dict.fromkeys(self.image_ids)))


@dataclass(frozen=True)
class Written:
    """Files written to a folder, and any warnings about that folder."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


class ReportService:
    """Consent forms, summaries and exports for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def consent_form(self, reference: str | int, *, out: Path | None = None,
                     force: bool = False) -> Written:
        """Print the form for a recorded consent, pre-filled and carrying its code.

        Raises:
            PolicyRefused: the role may not print forms (audited).
            ConsentError: there is no such consent.
        """
        self._session.require(Permission.PRINT_FORMS, subject=f"consent {reference}")
        with self._session.vault.index() as conn:
            options = load_options(conn)
            destination = _destination(options, out, force)
            consent = _consent(conn, reference)
            patient = PatientLookup(conn).by_id(consent.patient_id)
            data = consent_form_data(printed_as(consent, printed_names(conn)), patient,
                                     practice_name=options.practice_name,
                                     images_note=_images_note(consent))
            pdf = render_consent_form(data, options.page_size)
            name = record_file_name(data.patient, clock.today(), extension="pdf",
                                    pattern=f"{{SURNAME}}_{{Firstname}}_consent-form_"
                                            f"{consent.code}")
            written = self._write(conn, destination, [(name, pdf)], f"consent {consent.id}")
            self._record(conn, "report.consent_form_printed", f"consent {consent.id}", {
                "patient_id": consent.patient_id, "code": consent.code,
                "files": [str(p) for p in written.paths]})
        return written

    def blank_consent_form(self, *, out: Path | None = None, force: bool = False) -> Written:
        """Print the print-ahead form, for practices that keep a stack at the desk."""
        self._session.require(Permission.PRINT_FORMS, subject="blank consent form")
        with self._session.vault.index() as conn:
            options = load_options(conn)
            destination = _destination(options, out, force)
            pdf = render_consent_form(blank_form(options.practice_name), options.page_size)
            written = self._write(conn, destination, [("consent-form_blank.pdf", pdf)],
                                  "blank consent form")
            self._record(conn, "report.blank_consent_form_printed", "",
                         {"files": [str(p) for p in written.paths]})
        return written

    def summary(self, selection: Selection, *, out: Path | None = None,
                force: bool = False) -> Written:
        """Write the record-attachment summary for the clinical record into the outbox.

        It goes to the patient's own record, so the gate is asked for their
        clinical care by the treating team.

        Raises:
            PolicyRefused: the role may not print (audited).
            UseRefused: the consent rules refuse an image (audited).
            ReportError: the selection is empty or spans several patients.
        """
        self._require(Channel.PRINT, selection)
        vault = self._session.vault
        with vault.index() as conn:
            loaded = self._authorised(conn, selection, out, force, Purpose.CLINICAL_CARE,
                                      CARE_RECORD, Channel.PRINT, deidentified=False)
            data = self._summary_data(loaded)
            name = record_file_name(data.patient, data.prepared_on, extension="pdf",
                                    pattern=loaded.options.file_pattern)
            files = [(name, partial(write_summary, data, page_size=loaded.options.page_size))]
            written = self._write_loaded(conn, loaded, files)
            self._record(conn, "report.summary_written", loaded.subject, {
                "images": loaded.image_ids, "files": [str(p) for p in written.paths]},
                uses=loaded.allowed.use_ids)
        return written

    def export(self, selection: Selection, purpose: Purpose, recipient: Recipient, *,
               file_format: str, out: Path, deidentify: bool = False,
               force: bool = False) -> Written:
        """Export images as clean JPEGs, DICOM files or one PDF, as the consent allows.

        Any purpose other than clinical care is de-identified whatever is
        asked: no identifier in the file names, the text or the metadata.

        Raises:
            PolicyRefused: the role may not export (audited).
            UseRefused: the consent rules refuse an image (audited).
            ReportError: the selection or the format is not usable.
        """
        if file_format not in ("pdf", "jpeg", "dicom", "fhir"):
            raise ReportError(f"Export as pdf, jpeg, dicom or fhir, not {file_format!r}.")
        deidentify = deidentify or not purpose.clinical
        if deidentify and file_format == "fhir":
            raise ReportError("A FHIR bundle names the patient; for a de-identified export "
                              "choose jpeg, pdf or dicom.")
        self._require(Channel.EXPORT, selection)
        vault = self._session.vault
        with vault.index() as conn:
            loaded = self._authorised(conn, selection, out, force, purpose, recipient,
                                      Channel.EXPORT, deidentified=deidentify)
            images = list(loaded.images)
            pictures: tuple = ()
            if file_format == "dicom":
                files = dicom_files(conn, vault, loaded.patient, images,
                                    purpose_word=str(purpose), deidentified=deidentify)
            elif file_format == "fhir":
                files = fhir_files(conn, vault, loaded.patient, images)
            elif deidentify:
                pictures = teaching_images(loaded.stored, vault, images)
            else:
                data = self._summary_data(loaded, export_for=recipient.label)
                pictures = data.images
            with CleanedAhead([p.jpeg for p in pictures], quality=EXPORT_QUALITY) as cleaned:
                if file_format in ("pdf", "jpeg"):
                    files = (_deidentified_files(pictures, cleaned, purpose, file_format,
                                                 loaded.options)
                             if deidentify else _identified_files(data, cleaned, file_format,
                                                                  loaded.options))
                written = self._write_loaded(conn, loaded, files)
            self._record(conn, "images.exported", loaded.subject, {
                "images": loaded.image_ids, "purpose": str(purpose),
                "recipient": recipient.word, "format": file_format,
                "deidentified": deidentify, "files": [str(p) for p in written.paths]},
                uses=loaded.allowed.use_ids)
        return written

    def _require(self, channel: Channel, selection: Selection) -> None:
        """Refuse a role that may not see the pictures or send them this way (audited)."""
        self._session.require(channel.permission, subject=_subject(selection))
        self._session.require(Permission.VIEW_IMAGES, subject=_subject(selection))

    def _authorised(self, conn: Connection, selection: Selection, out: Path | None,
                    force: bool, purpose: Purpose, recipient: Recipient, channel: Channel, *,
                    deidentified: bool) -> _Loaded:
        """Read a document's pictures once, decide on them, and record their use: one unit.

        Everything the document prints is read here, inside the unit of work
        that records the use, into frozen values: the pictures as they
        stand, the patient, their consents, the stored rows and the printed
        names. The consent decision is made on those values inside the same
        transaction (the decision and the record cannot disagree; see
        :func:`clinfile.app.uses.gate.authorise_within`), and the files
        and the audit rows are then written from them, on this one
        connection, without reading the pictures again. The folder is
        checked before anything is recorded: a folder refused as a
        cloud-sync location stops the document before a use that never
        happens is recorded.
        """
        vault = self._session.vault
        with vault.audited(conn) as work:
            patient, images, episode = _select(conn, selection)
            options = load_options(conn)
            destination = _destination(options, out, force)
            filed = {image.image_id: image for image in images}
            consents = consents_of(conn, filed)
            outcome = authorise_within(work, self._session, filed, consents, tuple(filed),
                                       purpose, recipient, channel=channel,
                                       deidentified=deidentified)
            found = stored(conn, images)
        return _Loaded(patient, tuple(images), episode, tuple(consents.get(patient.id, ())),
                       found, options, destination, outcome.allowed())

    def _summary_data(self, loaded: _Loaded, *, export_for: str = "") -> SummaryData:
        vault = self._session.vault
        return SummaryData(patient_header(loaded.patient),
                           summary_images(loaded.stored, vault, loaded.images,
                                          list(loaded.consents), _cautions(loaded.allowed)),
                           self._session.actor.printed_name, clock.today(),
                           loaded.options.practice_name, loaded.episode, export_for=export_for)

    def _record(self, conn: Connection, action: str, subject: str, detail: dict, *,
                uses: tuple[int, ...] = (), outcome: str = SENT) -> None:
        """Audit what became of a document, and settle the uses the gate recorded for it.

        Until this commits, its uses stay allowed but not known to be sent:
        a process stopped dead while writing never claims a use it did not make.
        """
        with self._session.vault.audited(conn) as work:
            ConsentRepository(work.conn).settle_uses(uses, outcome)
            work.record(AuditEntry(self._session.actor.name, action, subject, detail))

    def _write_loaded(self, conn: Connection, loaded: _Loaded,
                      files: list[tuple[str, outbox.Content]]) -> Written:
        return self._write(conn, loaded.destination, files, loaded.subject,
                           loaded.allowed.use_ids)

    def _write(self, conn: Connection, destination: _Destination,
               files: list[tuple[str, outbox.Content]], subject: str,
               uses: tuple[int, ...] = ()) -> Written:
        """Write every file of one document or export into its folder, or none of them.

        A folder that fails part-way (a read-only folder, a file where the
        folder should be, a full disk) keeps nothing; the attempt is audited
        with the uses the gate had recorded, which did not happen after all.

        Raises:
            ReportError: the folder could not take the files; says why.
            ExportDiskFull: the folder's disk is full (said as that disk's, not the vault's).
        """
        try:
            return Written(outbox.write_files(destination.folder, files), destination.warnings)
        except OSError as exc:
            why = exc.strerror or str(exc)
            self._record(conn, "report.write_failed", subject, {
                "folder": str(destination.folder), "files": [name for name, _ in files],
                "error": why, "uses_not_made": list(uses)}, uses=uses, outcome=NOT_MADE)
            if not is_disk_full(exc):
                raise ReportError(f"Could not write into {destination.folder}: {why}. "
                                  "Nothing of it was left there.") from exc
        raise ExportDiskFull(destination.folder, files[0][0] if len(files) == 1
                             else f"The {len(files)} files")


@dataclass(frozen=True)
class _Loaded:
    """A document's pictures and everything printed about them, read once, and the use allowed.

    Frozen values: the files and the audit rows are made from these alone.
    """

    patient: PatientSummary
    images: tuple[FiledImage, ...]
    episode: str
    consents: tuple[Consent, ...]
    stored: Stored
    options: ReportOptions
    destination: _Destination
    allowed: Authorisation

    @property
    def image_ids(self) -> list[int]:
        return [image.image_id for image in self.images]

    @property
    def subject(self) -> str:
        return f"patient {self.patient.id}"


def _select(conn: Connection, selection: Selection
            ) -> tuple[PatientSummary, list[FiledImage], str]:
    """Resolve a selection to one patient, their images as they stand, and an episode name."""
    repo = FilingRepository(conn)
    if selection.image_ids:
        images = _filed(conn, selection.image_ids)
    elif selection.patient is not None:
        patient = find_patient(conn, selection.patient)
        images = filed_as_they_stand(conn, repo.filings_touching(patient.id))
        images = [i for i in images if i.patient_id == patient.id and not i.deleted]
    else:
        raise ReportError("Say which images: a patient, an episode or image ids.")
    if selection.episode is not None:
        images = [i for i in images if i.episode_id == selection.episode]
    if not images:
        raise ReportError("There are no filed images to put in it.")
    patients = {i.patient_id for i in images}
    if len(patients) > 1:
        raise ReportError("These images belong to more than one patient; "
                          "make one document per patient.")
    patient = PatientLookup(conn).by_id(patients.pop())
    if selection.patient is not None and find_patient(conn, selection.patient).id \
            != patient.id:
        raise ReportError("Those images are not in that patient's record.")
    episodes = {i.episode_id for i in images}
    episode = repo.episode_description(episodes.pop()) if len(episodes) == 1 else ""
    return patient, images, episode


def _destination(options: ReportOptions, out: Path | None, force: bool) -> _Destination:
    """Check the folder a document goes into, before anything is used or rendered.

    A folder refused as a cloud-sync location must stop the document
    before the consent gate records a use that never happens.
    """
    folder = out or options.outbox
    if folder is None:
        raise ReportError("Choose a folder for the file, or set the practice's outbox "
                          "(the clinical software's import folder).")
    warnings = outbox.check_outbox(folder, force=force)
    return _Destination(Path(folder), tuple(warnings))


@dataclass(frozen=True)
class _Destination:
    """A checked, existing folder to write into, and the warnings about it."""

    folder: Path
    warnings: tuple[str, ...]


def _identified_files(data: SummaryData, cleaned: CleanedAhead, file_format: str,
                      options: ReportOptions) -> list[tuple[str, outbox.Content]]:
    """An export's files, named as an export for its recipient, never like the summary."""
    stem = f"{{SURNAME}}_{{Firstname}}_{{DOB}}_{{DATE}}_{export_name(data.export_for)}"
    if file_format == "pdf":
        name = record_file_name(data.patient, data.prepared_on, extension="pdf", pattern=stem)
        return [(name, partial(write_summary, data, page_size=options.page_size))]
    return [(record_file_name(data.patient, data.prepared_on, extension="jpg",
                              pattern=f"{stem}_image-{n:02d}"),
             partial(_write_picture, cleaned, n - 1))
            for n in range(1, len(data.images) + 1)]


def _deidentified_files(images: tuple[TeachingImage, ...], cleaned: CleanedAhead,
                        purpose: Purpose, file_format: str,
                        options: ReportOptions) -> list[tuple[str, outbox.Content]]:
    if file_format == "pdf":
        return [(f"{purpose}-images.pdf",
                 partial(write_teaching_sheet, images, purpose.label,
                         page_size=options.page_size))]
    return [(neutral_name(str(purpose), n, extension="jpg"),
             partial(_write_picture, cleaned, n - 1)) for n in range(1, len(images) + 1)]


def _write_picture(cleaned: CleanedAhead, index: int, out: BinaryIO) -> None:
    """Write one exported picture, cleaned from its pixels as its file is written."""
    out.write(cleaned.picture(index).jpeg)


def _cautions(allowed: Authorisation) -> dict[int, tuple[str, ...]]:
    return {image_id: decision.cautions for image_id, decision in allowed.decisions}


def _consent(conn: Connection, reference: str | int) -> Consent:
    consent = ConsentRecords(conn).find(reference)
    if consent is None:
        raise ReportError(f"There is no consent {reference}.")
    return consent


def _filed(conn: Connection, image_ids: tuple[int, ...]) -> list[FiledImage]:
    filed = load_filed(conn, image_ids)
    for image_id in image_ids:
        if image_id not in filed:
            raise ReportError(f"Image {image_id} is not filed to a patient yet; file it first.")
    return [filed[i] for i in image_ids]


def _images_note(consent: Consent) -> str:
    if not consent.images:
        return ""
    count = len(consent.images)
    return f"{count} photograph{'s' if count != 1 else ''} in your record (only these)"


def _subject(selection: Selection) -> str:
    if selection.image_ids:
        return ", ".join(f"image {i}" for i in selection.image_ids)
    return f"patient {selection.patient}"
