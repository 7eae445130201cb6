"""What the printed documents show, as frozen values the renderers take.

The renderers know nothing of the vault: a service gathers these values
(checking roles and consent on the way) and hands them over, so a document
can be rendered on a worker thread, in a test or in a benchmark alike.
Every text here is already in the words a reader sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.patients.names import reception_name

#: A picture's bytes, or a way to read them when they are needed: a record of
#: thousands of pictures is read from the vault one picture at a time.
PictureSource = bytes | Callable[[], bytes]


@dataclass(frozen=True)
class PatientHeader:
    """Who a document is about, as printed at the top of every page."""

    family_name: str
    given_names: str
    birth_date: date | None
    record_number: str = ""

    @property
    def display_name(self) -> str:
        """The name as a clinical record shows it: "NGUYEN, Mai"."""
        return reception_name(self.family_name, self.given_names)

    @property
    def birth_date_text(self) -> str:
        """The date of birth in Australian order, or a plain "not recorded"."""
        return self.birth_date.strftime("%d/%m/%Y") if self.birth_date else "not recorded"


@dataclass(frozen=True)
class Provenance:
    """Where an image came from and who handled it; lets a reader trust the record."""

    source: str
    imported_by: str
    imported_at: datetime | None
    filed_by: str
    filed_at: datetime | None
    original_sha256: str


@dataclass(frozen=True)
class SummaryImage:
    """One image in a record-attachment summary.

    Attributes:
        jpeg: the clean display derivative's bytes, or a way to read them (re-encoded
            again on the page).
        kind: what the image is, in words ("clinical photo").
        body_site: where on the body, or "" for a document image.
        description: what reception or the clinician wrote about it.
        captured_at: when the picture was taken, if known.
        taken_by: who took it ("the patient", a clinician), if known.
        cautions: what a reader should keep in mind, in the consent rules' words
            (a secondary image: review the original; someone else's image:
            consider its context and quality).
        secondary: a photo of an x-ray, a screen or another record.
        consent_basis: on what consent the image is held, in words.
        consent_limits: what that consent allows ("clinical care only").
        provenance: source, handlers and the original's SHA-256.
    """

    jpeg: PictureSource
    kind: str
    body_site: str
    description: str
    captured_at: datetime | None
    secondary: bool
    consent_basis: str
    consent_limits: str
    provenance: Provenance
    taken_by: str = ""
    cautions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryData:
    """A record-attachment summary, or an export made like one: one patient, a set of images."""

    patient: PatientHeader
    images: tuple[SummaryImage, ...]
    prepared_by: str
    prepared_on: date
    practice_name: str = ""
    episode: str = ""
    #: Who an export is for ("the treating team"); empty for the summary for the record.
    export_for: str = ""


@dataclass(frozen=True)
class TeachingImage:
    """One image in a de-identified sheet: the picture and nothing that points to the patient.

    No name, date, description, handler or hash: free text may hold a name,
    dates narrow down who it is, and a hash leads back to the record.
    """

    jpeg: PictureSource
    kind: str
    body_site: str


@dataclass(frozen=True)
class PurposeRequest:
    """One purpose a consent form asks the patient about, and who would see the images."""

    purpose: Purpose
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class ConsentFormData:
    """A consent form to print: pre-filled for one consent record, or blank.

    A blank form (no patient, no code) is for practices that print ahead; it
    lists every purpose and leaves the names to be written in.
    """

    purposes: tuple[PurposeRequest, ...]
    patient: PatientHeader | None = None
    code: str = ""
    practice_name: str = ""
    clinician: str = ""
    decided_by: str = ""
    decided_by_relationship: str = ""
    interpreter: str = ""
    images_note: str = ""
    prepared_on: date | None = None

    @property
    def blank(self) -> bool:
        """Whether this is the print-ahead form with nothing filled in."""
        return self.patient is None
