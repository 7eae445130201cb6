"""The people, patients and pictures of an audit entry, named as a privacy officer reads them.

The trail stores ids and login names (``patient 2``, ``image 6``,
``from_patient_id: 3``, ``drpatel``) so that an entry never changes; a person
reading it needs the patient's name and record number, when a picture was
taken, and who acted by their full name instead, looked up as they stand now.
"""

from __future__ import annotations

import re
from collections import Counter

from clinfile.app.clock import local_time
from clinfile.app.escaping import escaped
from clinfile.app.interop.archive_photo import filed_image
from clinfile.app.patients.names import named_with_record
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientLookup
from clinfile.db.users import UserRepository

_SUBJECT = re.compile(r"(patient|image) (\d+)")
# Pictures as stored in a subject or a reason: "image 4", "image 4, image 5", "images [4, 5]".
_STORED_PICTURES = re.compile(r"\bimages? \[?\d+(?:, (?:image )?\d+)*\]?")


class AuditNames:
    """Names people, patients and pictures from one open index, each looked up once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._patients: dict[int, str] = {}
        self._pictures: dict[int, str] = {}
        self._named: dict[str, str] | None = None

    def person(self, login: str) -> str:
        """'Dr Priya Patel' for ``drpatel``; 'Sam Carter (sam2)' when two users share the name.

        A user with no full name, and an actor that is no user (Clinfile
        itself, the recovery key, a name typed at a failed login), is named
        by the login as stored.
        """
        return self._people().get(login) or escaped(login)

    def is_user(self, login: str) -> bool:
        """Whether ``login`` is a user with a full name to name them by."""
        return login in self._people()

    def _people(self) -> dict[str, str]:
        if self._named is None:
            named = {u.name: u.full_name.strip() for u in UserRepository(self._conn).all()
                     if u.full_name.strip()}
            shared = Counter(named.values())
            self._named = {login: escaped(full if shared[full] == 1 else f"{full} ({login})")
                           for login, full in named.items()}
        return self._named

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
        """'picture 6 of NGUYEN, Mai (record 900001), taken 03/05/2026 10:14:00'.

        When it was taken is how the picture is found again in the patient's
        record; a picture not filed is 'picture 6 (not filed)'.
        """
        if image_id not in self._pictures:
            image = filed_image(self._conn, image_id)
            if image is None:
                words = f"picture {image_id} (not filed)"
            else:
                words = f"picture {image_id} of {self.patient(image.patient_id)}"
                if image.taken_at:
                    words += f", taken {local_time(image.taken_at)}"
            self._pictures[image_id] = words
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
