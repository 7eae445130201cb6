"""Every picture the index says the vault holds, with its blobs and its patient, for verification.

Verification must say which picture of which patient is missing, so it reads
each image's three blob ids and the patient it stands filed to now: its
filing's patient, or the last patient a correction moved it to; and each
signed consent form's photograph with its consent and patient. A picture
deleted at the end of its retention keeps its blob ids, so bytes of it put
back with an older copy of an image store can be found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class HeldImage:
    """One image whose bytes the vault should hold."""

    id: int
    sha256: str
    original_blob: str
    derivative_blob: str
    thumbnail_blob: str
    patient: str

    def blobs(self) -> dict[str, str]:
        """Each blob id by what it is, in words."""
        return {"original": self.original_blob, "display copy": self.derivative_blob,
                "thumbnail": self.thumbnail_blob}


_HELD = """
SELECT i.id, i.sha256, i.original_blob, i.derivative_blob, i.thumbnail_blob,
       coalesce(trim(p.given_names || ' ' || p.family_name), '') AS patient
FROM images AS i
LEFT JOIN filed_images AS f ON f.image_id = i.id
LEFT JOIN patients AS p ON p.id = coalesce(
    (SELECT c.to_patient_id FROM filing_corrections AS c
     WHERE c.image_id = i.id AND c.what = 'patient' ORDER BY c.id DESC LIMIT 1),
    f.patient_id)
WHERE i.status != 'deleted'
ORDER BY i.id
"""


def held_images(conn: Connection) -> Iterator[HeldImage]:
    """Yield every image not deleted at the end of its retention, oldest first."""
    for row in conn.execute(_HELD):
        yield HeldImage(*row)


_DELETED = """
SELECT id, original_blob, derivative_blob, thumbnail_blob
FROM images WHERE status = 'deleted' ORDER BY id
"""


def deleted_images(conn: Connection) -> Iterator[tuple[int, tuple[str, str, str]]]:
    """Yield each image deleted at the end of its retention with the ids its bytes had."""
    for image_id, *blobs in conn.execute(_DELETED):
        yield image_id, tuple(blobs)


@dataclass(frozen=True)
class SignedForm:
    """The photograph of a signed consent form, attached to its consent."""

    consent_code: str
    blob_id: str
    patient: str


_SIGNED = """
SELECT c.code, c.signed_form_blob, trim(p.given_names || ' ' || p.family_name)
FROM consents AS c JOIN patients AS p ON p.id = c.patient_id
WHERE c.signed_form_blob IS NOT NULL
ORDER BY c.id
"""


def signed_forms(conn: Connection) -> Iterator[SignedForm]:
    """Yield every consent's signed form, oldest consent first."""
    for row in conn.execute(_SIGNED):
        yield SignedForm(*row)
