"""The patients and pictures an audit entry is about, named as a privacy officer reads them.

The trail stores ids (``patient 2``, ``image 6``, ``from_patient_id: 3``) so
that an entry never changes; a person reading it needs the name and record
number of the patient instead, looked up as the record stands now.
"""

from __future__ import annotations

import re

from clinfile.app.escaping import escaped
from clinfile.app.interop.archive_photo import filed_image
from clinfile.app.patients.names import named_with_record
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientLookup

_SUBJECT = re.compile(r"(patient|image) (\d+)")
# Pictures as stored in a subject or a reason: "image 4", "image 4, image 5", "images [4, 5]".
_STORED_PICTURES = re.compile(r"\bimages? \[?\d+(?:, (?:image )?\d+)*\]?")


class AuditNames:
    """Names patients and pictures from one open index, each looked up once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._patients: dict[int, str] = {}
        self._pictures: dict[int, str] = {}

    def patient(self, patient_id: int) -> str:
        """'NGUYEN, Mai (record 900001)', or 'patient 7 (no longer in the index)'."""
        if patient_id not in self._patients:
            found = PatientLookup(self._conn).by_id(patient_id)
            words = (f"patient {patient_id} (no longer in the index)" if found is None else
                     named_with_record(found.family_name, found.given_names,
                                       found.record_number))
            self._patients[patient_id] = escaped(words)
        return self._patients[patient_id]

    def picture(self, image_id: int) -> str:
        """'picture 6 of NGUYEN, Mai (record 900001)', or 'picture 6 (not filed)'."""
        if image_id not in self._pictures:
            image = filed_image(self._conn, image_id)
            self._pictures[image_id] = (f"picture {image_id} (not filed)" if image is None else
                                        f"picture {image_id} of {self.patient(image.patient_id)}")
        return self._pictures[image_id]

    def subject(self, subject: str) -> str:
        """An entry's subject with a patient or picture named; anything else as stored."""
        match = _SUBJECT.fullmatch(subject)
        if match is None:
            return escaped(pictures_said(subject))
        kind, number = match.group(1), int(match.group(2))
        return self.patient(number) if kind == "patient" else self.picture(number)


def pictures_said(stored: str) -> str:
    """'pictures 4, 5' for the stored 'image 4, image 5': people call them pictures.

    The trail keeps its stored words as they were written; only the reading
    changes, so every sentence, the CSV and the PDF say one word.
    """

    def said(match: re.Match) -> str:
        numbers = re.findall(r"\d+", match[0])
        return ("picture " if len(numbers) == 1 else "pictures ") + ", ".join(numbers)

    return _STORED_PICTURES.sub(said, stored)
