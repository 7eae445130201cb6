"""Reading a patient's photo record: the pictures, their thumbnails, one picture large.

Every read goes through the role check. Looking at a picture (chosen, or
large in Compare) is audited, as on the desk, once for each opening of the
record however often it is chosen or drawn again; the timeline's small
thumbnails are not, as the inbox's are not.
Image bytes are decrypted into memory only and handed to the window, which
decodes them in a worker: nothing of a picture is ever written to disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import PurePath
from threading import Lock

from clinfile.app import clock
from clinfile.app.consent.model import Consent
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.vocabulary import ImageKind, Recipient
from clinfile.app.escaping import escaped
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import (
    ConsentBasis,
    FiledImage,
    correction_words,
    filed_as_they_stand,
)
from clinfile.app.filing.words import came_from_words, consent_reach_words, consent_words
from clinfile.app.ingest.metadata import camera_name
from clinfile.app.patients.names import named_with_record, reception_name
from clinfile.app.record.model import (
    PatientRecord,
    RecordGroup,
    RecordPicture,
    Taken,
    day_words,
    gone_words,
    time_words,
)
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import Connection
from clinfile.db.filing import CorrectionRow, FilingRow, PatientLookup
from clinfile.db.record import PictureFacts, RecordQueries


class RecordError(VaultError):
    """A record that cannot be shown as asked; ``str()`` says why."""


class PictureGone(RecordError):
    """A picture on show was deleted or moved away by another workstation; ``str()`` says which.

    The window that meets it reads the record again, so it stops showing
    the picture as present.
    """


class RecordService:
    """A patient's photo record for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._looked_at: set[int] = set()
        self._looking = Lock()

    def record(self, patient_id: int, *, opening: bool = True) -> PatientRecord:
        """Return the pictures in a patient's record, grouped, newest first, and those moved away.

        ``opening``: the person opens the record, so each picture they look at
        in it is audited afresh; a record read again where they left it
        (changed elsewhere, or corrected here) is the same opening.

        Raises:
            PolicyRefused: the person's role may not see images (audited).
            RecordError: there is no such patient.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient_id}")
        with self._session.vault.index() as conn:
            written = RecordQueries(conn).written(patient_id)
            patient = PatientLookup(conn).by_id(patient_id)
            if patient is None:
                raise RecordError(f"There is no patient with id {patient_id}.")
            filings = RecordQueries(conn).filings_touching(patient_id)
            pictures = _Pictures(conn, filings).for_patient(patient_id)
        if opening:
            with self._looking:
                self._looked_at.clear()
        name = reception_name(patient.family_name or "", patient.given_names or "")
        here = [p for p in pictures if p.here]
        return PatientRecord(patient.id, name or "Name not recorded",
                             day_words(patient.birth_date) if patient.birth_date else "unknown",
                             patient.record_number or "", _grouped(here),
                             tuple(sorted((p for p in pictures if not p.here),
                                          key=lambda p: moment(p.taken.sorts_as),
                                          reverse=True)),
                             written)

    def written(self, patient_id: int) -> tuple[int, ...]:
        """Where the writes that a patient's record shows stand now: a few numbers, read at once.

        A record whose :attr:`PatientRecord.written` differs was changed since
        it was read, by this workstation or another (a filing, a move, a
        correction, a deletion, an export, a consent). They are read before
        the record itself, so a write made while it is being read is never
        taken as already shown.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient_id}")
        with self._session.vault.index() as conn:
            return RecordQueries(conn).written(patient_id)

    def thumbnails(self, image_ids: Iterable[int]) -> Iterator[tuple[int, bytes | None]]:
        """Yield each picture's thumbnail (JPEG bytes, decrypted in memory) in the order asked.

        A picture whose bytes are gone (deleted at the end of retention)
        yields None, so the window can say so instead of waiting for it.
        """
        self._session.require(Permission.VIEW_IMAGES)
        ids = list(image_ids)
        with self._session.vault.index() as conn:
            facts = RecordQueries(conn).facts(ids)
            gone = RecordQueries(conn).deleted(ids)
        blobs = [facts[i].thumbnail_blob for i in ids if i in facts and i not in gone]
        by_blob = {facts[i].thumbnail_blob: i for i in ids if i in facts}
        read = self._session.vault.blobs.read_small_many(blobs)
        for image_id in ids:
            if image_id not in facts or image_id in gone:
                yield image_id, None
                continue
            blob_id, data = next(read)
            yield by_blob[blob_id], data

    def preview(self, image_id: int, patient_id: int) -> bytes | None:
        """Return the thumbnail of a picture of ``patient_id``'s record, to show it chosen.

        The person looks at it: audited once for this opening of the record.

        Raises:
            PictureGone: it was deleted, or moved to another record, since the record was read.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"image {image_id}")
        with self._session.vault.index() as conn:
            _still_in(conn, image_id, patient_id)
        shown = dict(self.thumbnails([image_id]))[image_id]
        if shown is not None:
            self._looked(image_id)
        return shown

    def display_copy(self, image_id: int, patient_id: int | None = None) -> bytes:
        """Return the display copy of a filed picture to show large (audited as a look).

        Raises:
            PictureGone: it was deleted, or moved out of ``patient_id``'s record.
            RecordError: the picture is not filed.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"image {image_id}")
        with self._session.vault.index() as conn:
            queries = RecordQueries(conn)
            facts = queries.facts([image_id]).get(image_id)
            if facts is None or not queries.filings([image_id]):
                raise RecordError(f"Picture {image_id} is not in any patient's record.")
            _still_in(conn, image_id, patient_id)
        data = self._session.vault.blobs.read_bytes(facts.derivative_blob)
        self._looked(image_id)
        return data

    def _looked(self, image_id: int) -> None:
        """Audit that the person looked at a picture, unless already written for this opening."""
        with self._looking:
            if image_id in self._looked_at:
                return
            self._looked_at.add(image_id)
        self._session.audit("image.viewed", f"image {image_id}")


def _still_in(conn: Connection, image_id: int, patient_id: int | None) -> None:
    """Raise PictureGone, in the words the record uses, unless the picture is there to show."""
    image = next(iter(filed_as_they_stand(conn, RecordQueries(conn).filings([image_id]))), None)
    if image is None:
        raise RecordError(f"Picture {image_id} is not in any patient's record.")
    deleted_on = RecordQueries(conn).deleted([image_id]).get(image_id, "")
    moved_to = "" if patient_id in (None, image.patient_id) else next(
        iter(patient_names(RecordQueries(conn), [image.patient_id]).values()), "another patient")
    if deleted_on or moved_to:
        raise PictureGone(gone_words("This picture", deleted_on=deleted_on, moved_to=moved_to))


def patient_names(queries: RecordQueries, patient_ids: Iterable[int]) -> dict[int, str]:
    """'NGUYEN, Mai (record 900001)' for each patient, as the desk names them."""
    return {pid: named_with_record(*parts)
            for pid, parts in queries.patient_names(patient_ids).items()}


def correction_said(c: CorrectionRow, names: dict[int, str],
                    person: Callable[[str], str]) -> str:
    """One correction as every view says it: when, what changed, by whom, and why.

    Both patients' records and the Today list read it here, so they agree.
    """
    if c.what == "patient":
        change = (f"moved from {names.get(c.from_patient_id, 'a patient')} to "
                  f"{names.get(c.to_patient_id, 'a patient')}")
    else:
        change = correction_words(c)
    return (f"{time_words(c.corrected_at)}: {change} by {person(c.corrected_by)}, "
            f"because: {escaped(c.reason)}")


class _Pictures:
    """Turns filed images into the record's pictures, reading what they need in bulk."""

    def __init__(self, conn: Connection, filings: list[FilingRow]) -> None:
        queries = RecordQueries(conn)
        images = filed_as_they_stand(conn, filings)
        ids = [i.image_id for i in images]
        self._images = images
        self._first = {f.image_id: f for f in filings}
        self._facts = queries.facts(ids)
        self._deleted = queries.deleted(ids)
        self._episodes = queries.episodes({i.episode_id for i in images})
        self._exports = queries.exports(ids)
        self._incidents = queries.incidents(
            seq for sent in self._exports.values() for seq, *_ in sent)
        patients = {i.patient_id for i in images} | {i.first_patient_id for i in images}
        moves = {pid for i in images for c in i.corrections if c.what == "patient"
                 for pid in (c.from_patient_id, c.to_patient_id)}
        self._names = patient_names(queries, patients | moves)
        self._people = queries.people()
        self._consents: dict[int, Consent] = {}
        for patient_id in patients:
            for consent in ConsentRecords(conn).for_patient(patient_id):
                self._consents[consent.id] = consent

    def for_patient(self, patient_id: int) -> list[RecordPicture]:
        return [self._picture(image, patient_id) for image in self._images]

    def _picture(self, image: FiledImage, patient_id: int) -> RecordPicture:
        facts = self._facts[image.image_id]
        consent = self._consents.get(image.consent_id) if image.consent_id else None
        here = image.patient_id == patient_id
        return RecordPicture(
            image_id=image.image_id, episode_id=image.episode_id,
            episode=self._episodes.get(image.episode_id, ""), kind=image.kind,
            body_site=image.body_site, description=escaped(image.description),
            clinical_purpose=image.clinical_purpose,
            taken_by=self._person(image.taken_by),
            taken=Taken.of(image, facts),
            filed_at=image.filed_at, filed_by=self._person(image.filed_by),
            came_from=came_from_words(facts.source_kind),
            file_name=escaped(PurePath(facts.source_path).name), camera=_camera(facts),
            width=facts.width, height=facts.height,
            basis=image.consent_basis.label,
            consent=consent_words(replace(consent, obtained_by=self._person(consent.obtained_by)))
            if consent and here else _no_consent(image, here),
            limits=_limits(image, consent) if here else "",
            history=tuple(self._history(image)),
            exports=tuple(self._export_lines(image.image_id)),
            consent_code=consent.code if consent and here else "",
            here=here,
            moved_to="" if here else self._names.get(image.patient_id, "another patient"),
            deleted=image.deleted, pixels_per_mm=image.pixels_per_mm,
            deleted_on=self._deleted.get(image.image_id, ""),
            **self._site_correction(image))

    def _site_correction(self, image: FiledImage) -> dict[str, str]:
        """The site first filed and its correction in words, when the site stands corrected."""
        first = self._first[image.image_id]
        was = BodySite(first.body_site, first.laterality, first.body_site_detail).label
        fixes = [c for c in image.corrections if c.what == "body-site"]
        if not fixes or was == image.body_site.label:
            return {}
        last = fixes[-1]
        return {"site_was": was,
                "site_corrected": f"was: {was}, corrected {time_words(last.corrected_at)} by "
                                  f"{self._person(last.corrected_by)}"}

    def _person(self, name: str) -> str:
        """A user's full name where they gave one; anyone else (a colleague) as written."""
        return self._people.get(name, name)

    def _export_lines(self, image_id: int) -> Iterator[str]:
        """Each export of the picture, each followed by any incident reported about it."""
        for seq, at, actor, detail in self._exports.get(image_id, []):
            yield _export_words(at, self._person(actor), detail)
            for incident in self._incidents.get(seq, []):
                yield (f"Incident {incident.id}: reached {incident.sent_to} by mistake; "
                       f"reported {time_words(incident.reported_at)} by "
                       f"{self._person(incident.reported_by)}")

    def _history(self, image: FiledImage) -> Iterator[str]:
        """The filing as first made, then each correction: nothing said before is lost."""
        first = self._first[image.image_id]
        site = BodySite(first.body_site, first.laterality, first.body_site_detail)
        described = f", described as '{first.description}'" if first.description else ""
        yield (f"{time_words(first.filed_at)}: filed by {self._person(first.filed_by)} to "
               f"{self._names.get(first.patient_id, 'a patient')} as "
               f"{ImageKind(first.kind).label}, {site.label}{described}")
        for c in image.corrections:
            yield correction_said(c, self._names, self._person)
        if image.deleted:
            yield "deleted at the end of its retention period"


def _grouped(pictures: list[RecordPicture]) -> tuple[RecordGroup, ...]:
    """Group by episode and body site; newest group first, newest picture first in each.

    Each filing starts an episode of its own, so a wound photographed at
    five visits is five episodes of one name: the name, not the number,
    is what keeps them together on the timeline.
    """
    groups: dict[tuple[str, str], list[RecordPicture]] = defaultdict(list)
    for picture in pictures:
        groups[(" ".join(picture.episode.casefold().split()), picture.body_site.label)].append(
            picture)
    made = []
    for (_episode, site), members in groups.items():
        members.sort(key=lambda p: (moment(p.taken.sorts_as), p.image_id), reverse=True)
        made.append(RecordGroup(members[0].episode, site, tuple(members)))
    made.sort(key=lambda g: (moment(g.newest), g.pictures[0].image_id), reverse=True)
    return tuple(made)


def moment(iso: str | None) -> float:
    """A sortable number for an ISO time or date; a time without a zone is local time."""
    if not iso:
        return 0.0
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


def _camera(facts: PictureFacts) -> str:
    """The camera by the one rule for its name, or that none was recorded."""
    return camera_name(facts.camera_make, facts.camera_model) or "not recorded"


def _no_consent(image: FiledImage, here: bool) -> str:
    if not here:
        return "kept with the record it was moved to"
    if image.consent_basis is ConsentBasis.RECORDED_CONSENT:
        return "the recorded consent could not be found"
    return "no recorded consent: " + image.consent_basis.label


def _limits(image: FiledImage, consent: Consent | None) -> str:
    """What the picture may be used for, and for whom, in words."""
    parts = []
    if consent is not None:
        parts.append("for " + consent_reach_words(consent))
        if consent.expires_on:
            ended = consent.expires_on < clock.today()
            parts.append(f"{'ended' if ended else 'until'} {consent.expires_on:%d/%m/%Y}")
        for w in consent.withdrawals:
            taken_back = ", ".join(sorted(p.label for p in w.purposes))
            parts.append(f"withdrawn for {taken_back} on {w.withdrawn_on:%d/%m/%Y}")
    elif image.consent_basis is ConsentBasis.IMPLIED:
        parts.append(f"only for what the patient sent it for: {image.sent_for.label}")
    else:
        parts.append("the patient's own care; any other use needs their recorded consent")
    if image.secondary:
        parts.append("a secondary picture (not for the main record)")
    return "; ".join(parts)


def recipient_words(word: str) -> str:
    """'the treating team' for the stored ``treating-team``; a named recipient as written."""
    return Recipient.parse(word).label if word.strip() else "no one named"


def _export_words(at: str, actor: str, detail: dict) -> str:
    purpose = str(detail.get("purpose", "")).replace("-", " ")
    recipient = recipient_words(str(detail.get("recipient", "")))
    stripped = ", names removed" if detail.get("deidentified") else ""
    return (f"{time_words(at)}: exported by {actor} for {purpose}, to be seen by "
            f"{recipient} ({detail.get('format', '')}{stripped})")
