"""Filed pictures as DICOM Part 10 files for an export, named for the record or in neutral words.

The report service calls this for ``export --format dicom`` after the role
check and the consent gate. Bytes are decrypted into memory only; nothing
is written here.
"""

from __future__ import annotations

from clinfile.app import clock
from clinfile.app.filing.model import FiledImage
from clinfile.app.interop.archive_photo import read_archive_photos
from clinfile.app.interop.dicom_objects import dicom_object
from clinfile.app.reports.gather import patient_header
from clinfile.app.reports.naming import neutral_name, record_file_name
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientSummary


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
