"""Filed pictures as DICOM Part 10 files, made in memory from the vault's bytes.

The report service calls this for ``export --format dicom`` after the role
check and the consent gate; the PACS sender calls it for each queued
picture. Bytes are decrypted into memory only; nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import Dataset

from clinfile.app import clock
from clinfile.app.filing.model import FiledImage
from clinfile.app.interop.archive_photo import ArchivePhoto, read_archive_photos
from clinfile.app.interop.dicom_photo import dataset_bytes, photo_dataset
from clinfile.app.interop.dicom_pixels import photo_pixels
from clinfile.app.reports.gather import patient_header
from clinfile.app.reports.naming import neutral_name, record_file_name
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientSummary


@dataclass(frozen=True)
class DicomObject:
    """One picture as a DICOM file: its bytes and the UIDs that name it in the archive."""

    image_id: int
    sop_instance_uid: str
    study_instance_uid: str
    data: bytes


def dicom_dataset(vault: Vault, photo: ArchivePhoto, *, deidentified: bool = False) -> Dataset:
    """Build one picture's DICOM dataset from its stored bytes, in memory."""
    stored = photo.stored
    pixels = photo_pixels(vault.blobs.read_bytes(stored.original_blob), stored.format,
                          vault.blobs.read_bytes(stored.derivative_blob), stored.orientation)
    return photo_dataset(photo, pixels, deidentified=deidentified)


def dicom_object(vault: Vault, photo: ArchivePhoto, *, deidentified: bool = False) -> DicomObject:
    """Build one picture's DICOM file (Part 10 bytes) from its stored bytes, in memory."""
    ds = dicom_dataset(vault, photo, deidentified=deidentified)
    return DicomObject(photo.image.image_id, str(ds.SOPInstanceUID),
                       str(ds.StudyInstanceUID), dataset_bytes(ds))


def dicom_files(conn: Connection, vault: Vault, patient: PatientSummary,
                images: list[FiledImage], *, purpose_word: str,
                deidentified: bool) -> list[tuple[str, bytes]]:
    """Return each picture as a named ``.dcm`` file: the patient's name, or neutral words."""
    files = []
    for number, photo in enumerate(read_archive_photos(conn, vault, images), start=1):
        data = dicom_object(vault, photo, deidentified=deidentified).data
        if deidentified:
            name = neutral_name(purpose_word, number, extension="dcm")
        else:
            name = record_file_name(patient_header(patient), clock.today(), extension="dcm",
                                    pattern="{SURNAME}_{Firstname}_{DOB}_{DATE}"
                                            f"_image-{number:02d}")
        files.append((name, data))
    return files
