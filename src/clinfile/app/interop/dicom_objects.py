"""Filed pictures as DICOM objects, made in memory from the vault's bytes.

The DICOM export (:mod:`clinfile.app.reports.dicom_files`) calls this after
the role check and the consent gate; the PACS sender calls it for each
queued picture. Bytes are decrypted into memory only; nothing is written
here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import Dataset

from clinfile.app.interop.archive_photo import ArchivePhoto
from clinfile.app.interop.dicom_photo import dataset_bytes, photo_dataset
from clinfile.app.interop.dicom_pixels import photo_pixels
from clinfile.app.vault.vault import Vault


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
