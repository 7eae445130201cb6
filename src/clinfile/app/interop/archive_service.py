"""The pictures of a patient that other workstations archived in the PACS, shown read-only.

A patient's record asks the archive (DICOMweb QIDO-RS) for the patient's
photographs by their Patient ID, leaves out those this vault sent itself,
and fetches one (WADO-RS) only when someone wants to see it. A fetched
picture is kept in the vault, as the archive sent it, so it shows again
without the network; it is never filed, corrected or sent on. Every search
and every view is audited, as any reading of a patient's pictures is.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from pydicom import dcmread
from pydicom.encaps import generate_fragmented_frames

from clinfile.app import clock
from clinfile.app.custody.secrets import KeyringSecretStore, SecretStore, SecretStoreUnavailable
from clinfile.app.filing.model import filed_as_they_stand
from clinfile.app.interop.archive_photo import read_archive_photos
from clinfile.app.interop.dicom_photo import patient_id
from clinfile.app.interop.dicom_uids import photo_uids
from clinfile.app.interop.dicomweb import ArchiveUnreachable, DicomWeb, FoundInstance
from clinfile.app.interop.pacs_config import DICOMWEB_SECRET, PacsConfigError, read_pacs_config
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.archive_pictures import ArchivePictureRepository, KeptArchivePicture
from clinfile.db.connection import transaction
from clinfile.db.filing import FilingRepository
from clinfile.db.pacs_queue import PacsQueueRepository
from clinfile.db.patients import PatientRepository

DISPLAY_QUALITY = 90


@dataclass(frozen=True)
class ArchivedPicture:
    """A picture of the patient in the archive, sent by another workstation.

    ``kept`` says whether it is already kept in this vault (viewable offline).
    """

    instance: FoundInstance
    kept: bool

    @property
    def words(self) -> str:
        """One line for the record: from the archive, when, what, from where."""
        when = _date_words(self.instance.study_date)
        what = self.instance.series_description or self.instance.body_part.lower() or "picture"
        where = f" · {self.instance.institution}" if self.instance.institution else ""
        episode = f" · {self.instance.study_description}" if self.instance.study_description \
            else ""
        return f"From the archive · {when} · {what}{episode}{where}"


@dataclass(frozen=True)
class ArchiveSearch:
    """What the archive holds for a patient, and why it could not say, if it could not."""

    pictures: tuple[ArchivedPicture, ...]
    problem: str = ""


class ArchiveService:
    """Archived pictures of one patient for one person's session."""

    def __init__(self, session: Session, secrets: SecretStore | None = None) -> None:
        self._session = session
        self._secrets = secrets or KeyringSecretStore(session.vault.vault_id)

    def search(self, patient: int) -> ArchiveSearch:
        """List a patient's pictures that other workstations archived.

        When the archive cannot be reached, the pictures kept here are listed,
        with the reason.

        Raises:
            PolicyRefused: the person may not view pictures (audited).
            PacsConfigError: no archive with a DICOMweb address is set up.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient}")
        service, wanted, ours, kept = self._context(patient)
        problem = ""
        try:
            found = [i for i in service.patient_pictures(wanted) if i.instance not in ours]
        except ArchiveUnreachable as exc:
            problem = str(exc)
            found = [_kept_instance(k) for k in kept.values()]
        pictures = tuple(ArchivedPicture(i, i.instance in kept) for i in
                         sorted(found, key=lambda i: (i.study_date, i.instance), reverse=True))
        self._session.audit("archive.searched", f"patient {patient}",
                            {"found": len(pictures), "problem": problem})
        return ArchiveSearch(pictures, problem)

    def display_copy(self, patient: int, picture: ArchivedPicture) -> bytes:
        """Return a picture as a JPEG to show, fetching and keeping it the first time.

        Raises:
            PolicyRefused: the person may not view pictures (audited).
            ArchiveUnreachable: it is not kept here and the archive cannot send it.
            PacsConfigError: the archive sent a picture of another patient.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient}")
        vault = self._session.vault
        uid = picture.instance.instance
        with vault.index() as conn:
            kept = ArchivePictureRepository(conn).by_uid(uid)
        if kept is None:
            service, wanted, _, _ = self._context(patient)
            data = service.fetch(picture.instance)
            kept = self._keep(patient, wanted, picture.instance, data)
        else:
            data = vault.blobs.read_bytes(kept.blob)
        self._session.audit("archive.viewed", f"patient {patient}",
                            {"sop_instance_uid": uid, "kept_at": kept.fetched_at})
        return display_jpeg(data)

    def _context(self, patient: int):
        vault = self._session.vault
        with vault.index() as conn:
            config = read_pacs_config(conn)
            row = PatientRepository(conn).by_id(patient)
            images = filed_as_they_stand(conn, FilingRepository(conn).filings_touching(patient))
            photos = read_archive_photos(conn, vault, [i for i in images
                                                       if i.patient_id == patient])
            ours = PacsQueueRepository(conn).uids() | {photo_uids(p).instance for p in photos}
            kept = {k.sop_instance_uid: k for k in
                    ArchivePictureRepository(conn).for_patient(patient)}
        if config is None or not config.dicomweb_url:
            raise PacsConfigError("No archive with a DICOMweb address is set up; an admin sets "
                                  "it with 'clinfile pacs configure --dicomweb-url'.")
        if row is None:
            raise PacsConfigError(f"There is no patient {patient}.")
        try:
            password = self._secrets.get(DICOMWEB_SECRET) if config.dicomweb_user else ""
        except SecretStoreUnavailable:
            password = ""
        service = DicomWeb(config.dicomweb_url, config.dicomweb_user, password or "")
        return service, patient_id(row, vault.vault_id), ours, kept

    def _keep(self, patient: int, wanted: str, instance: FoundInstance,
              data: bytes) -> KeptArchivePicture:
        ds = dcmread(io.BytesIO(data), stop_before_pixels=True)
        if str(ds.get("PatientID", "")) != wanted or str(ds.SOPInstanceUID) != instance.instance:
            raise PacsConfigError("The archive sent a picture that is not this patient's; it "
                                  "was not kept or shown.")
        display_jpeg(data)  # refuse what cannot be shown before keeping it
        vault = self._session.vault
        stored = vault.blobs.put_bytes(data)
        kept = KeptArchivePicture(
            instance.instance, patient, instance.study, instance.series, stored.id,
            hashlib.sha256(data).hexdigest(), _summary(instance), self._session.actor.name,
            clock.stamp())
        with vault.index() as conn, transaction(conn):
            ArchivePictureRepository(conn).add(kept)
        self._session.audit("archive.kept", f"patient {patient}",
                            {"sop_instance_uid": instance.instance, "blob": stored.id})
        return kept


def display_jpeg(data: bytes) -> bytes:
    """Return a DICOM photograph's picture as a JPEG with nothing else in it, made in memory.

    Raises:
        ArchiveUnreachable: the object holds no picture Clinfile can show.
    """
    try:
        ds = dcmread(io.BytesIO(data))
        if ds.file_meta.TransferSyntaxUID.is_compressed:
            frame = b"".join(next(generate_fragmented_frames(ds.PixelData)))
            picture = Image.open(io.BytesIO(frame), formats=["JPEG"])
            picture.load()
        else:
            mode = "L" if int(ds.SamplesPerPixel) == 1 else "RGB"
            picture = Image.frombytes(mode, (int(ds.Columns), int(ds.Rows)), ds.PixelData)
    except Exception as exc:  # noqa: BLE001 - any malformed object is the same problem
        raise ArchiveUnreachable(f"The archive's picture could not be shown "
                                 f"({type(exc).__name__}).") from None
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=DISPLAY_QUALITY)
    return out.getvalue()


def _summary(instance: FoundInstance) -> dict:
    return {"study_date": instance.study_date, "study_description": instance.study_description,
            "series_description": instance.series_description, "body_part": instance.body_part,
            "institution": instance.institution, "sop_class": instance.sop_class}


def _kept_instance(kept: KeptArchivePicture) -> FoundInstance:
    summary = kept.summary
    return FoundInstance(kept.study_instance_uid, kept.series_instance_uid,
                         kept.sop_instance_uid, summary.get("sop_class", ""),
                         summary.get("study_date", ""), summary.get("study_description", ""),
                         summary.get("series_description", ""), summary.get("body_part", ""),
                         summary.get("institution", ""))


def _date_words(text: str) -> str:
    try:
        return datetime.strptime(text, "%Y%m%d").strftime("%d/%m/%Y")
    except ValueError:
        return "date not given"
