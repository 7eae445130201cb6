"""The people, patients and pictures of an audit entry, named as a privacy officer reads them.

The trail stores ids and login names (``patient 2``, ``image 6``,
``from_patient_id: 3``, ``drpatel``) so that an entry never changes; a person
reading it needs the patient's name and record number, when a picture was
taken, and who acted by their full name instead, looked up as they stand now.

Except whose picture it was: a picture is named with the patient whose
picture it was when the act happened, read from its filing and the moves
since (each keeps its time), not with the patient it belongs to now. A look
at Mai's picture stays a look at Mai's picture after it is moved to May, in
old entries as in new, and no entry is written differently for it.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field

from clinfile.app.clock import local_time
from clinfile.app.escaping import escaped
from clinfile.app.filing.model import FiledImage
from clinfile.app.interop.archive_photo import filed_image
from clinfile.app.patients.names import named_with_record
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientLookup
from clinfile.db.users import UserRepository

_SUBJECT = re.compile(r"(patient|image) (\d+)")
# Pictures as stored in a subject or a reason: "image 4", "image 4, image 5", "images [4, 5]".
_STORED_PICTURES = re.compile(r"\bimages? \[?\d+(?:, (?:image )?\d+)*\]?")


@dataclass
class _LookedUp:
    """What one open index has told so far, shared by the names of every moment."""

    patients: dict[int, str] = field(default_factory=dict)
    images: dict[int, FiledImage | None] = field(default_factory=dict)
    people: dict[str, str] | None = None


class AuditNames:
    """Names people, patients and pictures from one open index, each looked up once.

    Pictures are named with the patient who has them now until :meth:`when`
    names them as they stood at an act's moment.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._known = _LookedUp()
        self._at: str | None = None
        self._moved_from: int | None = None

    def when(self, at: str, *, moved_from: int | None = None) -> AuditNames:
        """These names at the moment ``at``: each picture with the patient whose it was then.

        A row recording a move says itself whose picture it was
        (``moved_from``): the move's own stamp and its row's may fall a
        millisecond either way. What was looked up so far is shared.
        """
        named = copy.copy(self)
        named._at, named._moved_from = at, moved_from
        return named

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
        if self._known.people is None:
            named = {u.name: u.full_name.strip() for u in UserRepository(self._conn).all()
                     if u.full_name.strip()}
            shared = Counter(named.values())
            self._known.people = {
                login: escaped(full if shared[full] == 1 else f"{full} ({login})")
                for login, full in named.items()}
        return self._known.people

    def patient(self, patient_id: int) -> str:
        """'NGUYEN, Mai (record 900001)', or 'patient 7 (no longer in the index)'."""
        if patient_id not in self._known.patients:
            found = PatientLookup(self._conn).by_id(patient_id)
            words = (f"patient {patient_id} (no longer in the index)" if found is None else
                     named_with_record(found.family_name, found.given_names,
                                       found.record_number))
            self._known.patients[patient_id] = escaped(words)
        return self._known.patients[patient_id]

    def picture(self, image_id: int) -> str:
        """'picture 6 of NGUYEN, Mai (record 900001), taken 03/05/2026 10:14:00'.

        When it was taken is how the picture is found again in the patient's
        record; a picture not filed is 'picture 6 (not filed)'.
        """
        if image_id not in self._known.images:
            self._known.images[image_id] = filed_image(self._conn, image_id)
        image = self._known.images[image_id]
        if image is None:
            return f"picture {image_id} (not filed)"
        words = f"picture {image_id} of {self.patient(self._holder(image))}"
        return words + (f", taken {local_time(image.taken_at)}" if image.taken_at else "")

    def _holder(self, image: FiledImage) -> int:
        """Whose picture it was at this moment; whose it is now, when no moment was given."""
        if self._moved_from is not None:
            return self._moved_from
        return image.patient_id if self._at is None else image.holder_at(self._at)

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
