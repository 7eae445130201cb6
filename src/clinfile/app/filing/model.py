"""What filing asks for and what a filed image looks like once its corrections are applied."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from clinfile.app.consent.model import ImageFacts
from clinfile.app.consent.vocabulary import ImageKind, Purpose
from clinfile.app.filing.body_sites import BodySite
from clinfile.db.connection import Connection
from clinfile.db.filing import CorrectionRow, FilingRow
from clinfile.db.record import RecordQueries


class ConsentBasis(StrEnum):
    """Why an image may be kept in the record; every filed image carries one.

    The design's table "Image kinds and the consent each needs", from Avant's
    sections on images for clinical care, from colleagues and from patients.
    """

    RECORDED_CONSENT = "recorded-consent"
    IMPLIED = "implied"
    NOT_REQUIRED = "not-required"
    SENDER_HOLDS_CONSENT = "sender-holds-consent"
    OUTSIDE_COLLEAGUE_NOTE = "outside-colleague-note"

    @classmethod
    def for_kind(cls, kind: ImageKind) -> ConsentBasis:
        """Return the basis an image of this kind is filed on."""
        return _BASIS_BY_KIND[kind]

    @property
    def label(self) -> str:
        """The words people see (also printed on the record-attachment summary)."""
        return _BASIS_LABELS[self]


_BASIS_BY_KIND = {
    ImageKind.CLINICAL_PHOTO: ConsentBasis.RECORDED_CONSENT,
    ImageKind.DOCUMENT: ConsentBasis.NOT_REQUIRED,
    ImageKind.PATIENT_SENT: ConsentBasis.IMPLIED,
    ImageKind.COLLEAGUE_INTERNAL: ConsentBasis.SENDER_HOLDS_CONSENT,
    ImageKind.COLLEAGUE_EXTERNAL: ConsentBasis.OUTSIDE_COLLEAGUE_NOTE,
}
_BASIS_LABELS = {
    ConsentBasis.RECORDED_CONSENT: "the patient's recorded consent",
    ConsentBasis.IMPLIED: "implied by the patient sending it, for the purpose they sent it",
    ConsentBasis.NOT_REQUIRED: "image of a document: no specific consent needed for care",
    ConsentBasis.SENDER_HOLDS_CONSENT: "the colleague in this practice who sent it holds consent",
    ConsentBasis.OUTSIDE_COLLEAGUE_NOTE: "sent by an outside clinician; kept with a note of "
                                         "the discussion",
}


@dataclass(frozen=True)
class Correction:
    """What chosen pictures of one record should say; None leaves that part as it is.

    ``width_mm`` is how wide the whole picture is in life (read off a ruler in
    it); each picture's scale follows from its own width in pixels.
    """

    reason: str
    kind: ImageKind | None = None
    body_site: BodySite | None = None
    description: str | None = None
    width_mm: float | None = None
    to_patient: int | None = None


@dataclass(frozen=True)
class CorrectedPicture:
    """One picture a correction changed: as it stood before, as it stands now, what changed.

    ``changed`` holds the parts corrected, in the words of the correction rows:
    ``kind``, ``body-site``, ``description``, ``scale``, ``patient``.
    """

    before: FiledImage
    after: FiledImage
    changed: tuple[str, ...]


@dataclass(frozen=True)
class FilingRequest:
    """One or more inbox items to file to one patient as one episode.

    ``taken_by`` and ``taken_at`` default to the person filing (for a clinical
    photo), the patient, or the colleague, and to the capture time the camera
    recorded. ``consent`` is a consent's id or printed code.
    """

    image_ids: tuple[int, ...]
    patient_id: int
    kind: ImageKind
    body_site: BodySite
    description: str = ""
    clinical_purpose: str = ""
    taken_by: str = ""
    taken_at: str | None = None
    secondary: bool = False
    consent: str | int | None = None
    sent_for: Purpose = Purpose.CLINICAL_CARE
    colleague: str = ""
    discussion_note: str = ""
    episode_description: str = ""


@dataclass(frozen=True)
class FiledImage:
    """An image as it now stands in the record: its filing with every correction applied."""

    image_id: int
    patient_id: int
    first_patient_id: int
    episode_id: int
    kind: ImageKind
    body_site: BodySite
    description: str
    clinical_purpose: str
    taken_by: str
    taken_at: str | None
    secondary: bool
    consent_basis: ConsentBasis
    consent_id: int | None
    sent_for: Purpose
    colleague: str
    discussion_note: str
    filed_by: str
    filed_at: str
    corrections: tuple[CorrectionRow, ...] = ()
    deleted: bool = False
    pixels_per_mm: float | None = None

    @property
    def facts(self) -> ImageFacts:
        """What the consent rules need to know about this image."""
        return ImageFacts(self.image_id, self.kind, self.secondary, self.sent_for)

    def when_taken(self, captured_at: str | None) -> str | None:
        """When the picture was taken, if anyone knows: the one answer every view reads.

        The time given when it was filed (the camera's, unless the person
        filing said otherwise), else the camera's own (``captured_at``, as
        the import read it). None when neither knows: when it was received
        or filed is never a time it was taken.
        """
        return self.taken_at or captured_at

    def holdings(self) -> list[Holding]:
        """Each patient whose picture this was, in turn, and from when until when.

        The one rule for whose picture it was at a moment: the patient it was
        filed to, then each patient it was moved to, from the moment the move
        was made. The moves keep their times, so any moment past can be
        answered, and nothing else need record it.
        """
        held = [Holding(self.first_patient_id, "", "")]
        for move in (c for c in self.corrections if c.what == "patient"):
            held[-1] = replace(held[-1], until=move.corrected_at)
            held.append(Holding(move.to_patient_id, move.corrected_at, ""))
        return held

    def holder_at(self, at: str) -> int:
        """The patient whose picture this was at ``at`` (a stored ISO moment)."""
        return next(h.patient_id for h in reversed(self.holdings()) if h.since < at)


@dataclass(frozen=True)
class Holding:
    """A time a picture was one patient's: after ``since`` and up to ``until``.

    Both are stored ISO moments, compared as written; ``since`` is empty for
    the first patient (since filing), ``until`` for the patient who has it now.
    """

    patient_id: int
    since: str
    until: str


@dataclass(frozen=True)
class FiledEpisode:
    """Images filed together (one wound, one visit)."""

    episode_id: int
    description: str
    images: tuple[FiledImage, ...]


@dataclass(frozen=True)
class RecordEntry:
    """One line of a patient's filing history, including moves into and out of the record."""

    at: str
    image_id: int
    event: str
    text: str
    by: str
    reason: str = ""


def load_filed(conn: Connection, image_ids: Iterable[int]) -> dict[int, FiledImage]:
    """Each of these images as it now stands in the record, by id; those never filed are left out.

    The one place that puts an image's filing, its corrections in order and
    its deletion together. Three reads serve any number of images, so a
    document loads its pictures once and decides on what it loaded.
    """
    filings = RecordQueries(conn).filings(image_ids)
    return {image.image_id: image for image in filed_as_they_stand(conn, filings)}


def filed_as_they_stand(conn: Connection, filings: list[FilingRow]) -> list[FiledImage]:
    """Apply each filing's corrections and deletion, reading them for all the filings at once."""
    ids = [f.image_id for f in filings]
    queries = RecordQueries(conn)
    corrections = queries.corrections(ids)
    gone = queries.deleted(ids)
    return [_as_it_stands(f, corrections.get(f.image_id, []), deleted=f.image_id in gone)
            for f in filings]


def _as_it_stands(filing: FilingRow, corrections: list[CorrectionRow], *,
                  deleted: bool = False) -> FiledImage:
    """Apply an image's corrections, in order, to its filing.

    A corrected kind brings the consent basis of its kind with it: a picture
    found to be a clinical photo is kept on recorded consent, as if filed so.
    """
    patient_id = filing.patient_id
    site = BodySite(filing.body_site, filing.laterality, filing.body_site_detail)
    kind = ImageKind(filing.kind)
    basis = ConsentBasis(filing.consent_basis)
    description = filing.description
    pixels_per_mm = None
    for correction in corrections:
        if correction.what == "patient":
            patient_id = correction.to_patient_id
        elif correction.what == "body-site":
            site = BodySite(correction.body_site, correction.laterality,
                            correction.body_site_detail)
        elif correction.what == "kind":
            kind = ImageKind(correction.kind)
            basis = ConsentBasis.for_kind(kind)
        elif correction.what == "description":
            description = correction.description
        elif correction.what == "scale":
            pixels_per_mm = correction.pixels_per_mm
    return FiledImage(
        image_id=filing.image_id, patient_id=patient_id, first_patient_id=filing.patient_id,
        episode_id=filing.episode_id, kind=kind, body_site=site,
        description=description, clinical_purpose=filing.clinical_purpose,
        taken_by=filing.taken_by, taken_at=filing.taken_at, secondary=filing.secondary,
        consent_basis=basis, consent_id=filing.consent_id,
        sent_for=Purpose(filing.sent_for), colleague=filing.colleague,
        discussion_note=filing.discussion_note, filed_by=filing.filed_by,
        filed_at=filing.filed_at, corrections=tuple(corrections), deleted=deleted,
        pixels_per_mm=pixels_per_mm,
    )


def record_entries(image: FiledImage, patient_id: int) -> list[RecordEntry]:
    """Return the lines one image contributes to one patient's filing history."""
    entries = []
    holder = image.first_patient_id
    if holder == patient_id:
        entries.append(RecordEntry(image.filed_at, image.image_id, "filed",
                                   f"filed as {image.kind.label}, {image.body_site.label}",
                                   image.filed_by))
    for c in image.corrections:
        if c.what == "patient":
            if c.from_patient_id == patient_id:
                entries.append(RecordEntry(c.corrected_at, c.image_id, "moved-out",
                                           f"moved to patient {c.to_patient_id}",
                                           c.corrected_by, c.reason))
            if c.to_patient_id == patient_id:
                entries.append(RecordEntry(c.corrected_at, c.image_id, "moved-in",
                                           f"moved here from patient {c.from_patient_id}",
                                           c.corrected_by, c.reason))
            holder = c.to_patient_id
        elif holder == patient_id:
            entries.append(RecordEntry(c.corrected_at, c.image_id, f"{c.what}-corrected",
                                       correction_words(c), c.corrected_by, c.reason))
    return entries


def correction_words(c: CorrectionRow) -> str:
    """What a correction other than a move changed, in words: 'kind corrected to ...'."""
    if c.what == "body-site":
        site = BodySite(c.body_site, c.laterality, c.body_site_detail)
        return f"body site corrected to {site.label}"
    if c.what == "kind":
        return f"kind corrected to {ImageKind(c.kind).label}"
    if c.what == "description":
        return f"description corrected to '{c.description}'" if c.description else \
            "description removed"
    return f"scale set to {c.pixels_per_mm:g} pixels per millimetre"
