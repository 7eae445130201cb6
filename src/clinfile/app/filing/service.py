"""Filing inbox items to a patient, and correcting a filing, with role checks and audit.

Role rules follow ``clinfile.app.security.roles``: reception files what patients send
and images of documents; clinical photos and colleagues' images need a
clinician; corrections need a clinician. A clinical photo is filed only on a
consent that covers clinical care (AMA: "obtain appropriate consent for the
photo and document this consent in the health record"), written where the
practice requires it. A filing is never changed: a correction is a new,
audited event with a reason, and a moved image takes its history with it.
"""

from __future__ import annotations

import socket

from clinfile.app import clock
from clinfile.app.consent.policy import load_policy
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.rules import filing_basis_problem
from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.filing.body_sites import BodySite, BodySiteError
from clinfile.app.filing.model import (
    ConsentBasis,
    FiledEpisode,
    FiledImage,
    FilingRequest,
    RecordEntry,
    filed_as_they_stand,
    load_filed,
    record_entries,
)
from clinfile.app.ingest.events import SourceKind
from clinfile.app.patients.identifiers import record_number_key
from clinfile.app.patients.names import named_with_record
from clinfile.app.security.roles import Permission, PolicyRefused
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import Connection
from clinfile.db.filing import (
    FilingRepository,
    FilingRow,
    InboxLookup,
    PatientLookup,
    PatientSummary,
)

RECEPTION_KINDS = frozenset({ImageKind.PATIENT_SENT, ImageKind.DOCUMENT})
# The scales a photograph can have, in pixels per millimetre: from a whole
# body on a small picture to a macro lens close up.
SCALE_LIMITS = (0.05, 500.0)
# A description is a line on the summary, not a letter.
DESCRIPTION_LIMIT = 500
# A correction's reason is a sentence in both records, as long as a description at most.
REASON_LIMIT = DESCRIPTION_LIMIT


class FilingError(VaultError):
    """A filing or correction that cannot be made as asked; ``str()`` says why.

    ``field`` names the part of the request to correct (``site``, ``side``,
    ``colleague``, ``discussion``), or is empty, so a form can point to it.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def workstation_name() -> str:
    """This computer's name, kept with each filing so a workstation can list its day's work."""
    return socket.gethostname()


def permission_to_file(kind: ImageKind) -> Permission:
    """Return the permission filing an image of this kind needs."""
    return Permission.FILE_PATIENT_SENT if kind in RECEPTION_KINDS else Permission.FILE_CLINICAL


def find_patient(conn: Connection, reference: str | int) -> PatientSummary:
    """Find a patient by the id patient search returns, or by the practice's record number.

    The record number is compared as patient search compares it (any letter
    case, spaces around it ignored). A number that is one patient's id and
    another patient's record number, or the record number of two patients
    in different letter case, is refused rather than guessed: filing to the
    wrong patient is the worst mistake this software can help a person make.

    Raises:
        FilingError: no patient, or two different patients, match.
    """
    text = str(reference).strip()
    lookup = PatientLookup(conn)
    holders = [p for p in lookup.by_record_number_any_case(text)
               if record_number_key(p.record_number) == record_number_key(text)]
    if len(holders) > 1:
        numbers = " and ".join(str(p.record_number) for p in holders)
        raise FilingError(f"{text} could be record number {numbers}, which belong to different "
                          "patients; search for the patient and use the id the search shows.")
    by_number = holders[0] if holders else None
    by_id = lookup.by_id(int(text)) if text.isdigit() else None
    if by_number and by_id and by_number.id != by_id.id:
        raise FilingError(
            f"{text} is one patient's id and another patient's record number; "
            "search for the patient and use the id the search shows.")
    found = by_id or by_number
    if found is None:
        raise FilingError(f"There is no patient with id or record number {text}.")
    return found


class FilingService:
    """Filing and corrections for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def file(self, request: FilingRequest) -> FiledEpisode:
        """File inbox items to one patient as one episode.

        Raises:
            PolicyRefused: the role may not file this kind, or a clinical photo
                has no consent basis the practice accepts (audited).
            FilingError: the request is incomplete, or an item is not in the inbox.
        """
        self._session.require(permission_to_file(request.kind),
                              subject=f"patient {request.patient_id}")
        _check(request)
        vault = self._session.vault
        actor = self._session.actor.name
        with vault.index() as conn:
            consent_id = self._consent_basis(conn, request)
            with vault.audited(conn) as work:
                patient = _existing_patient(conn, request.patient_id)
                items = _inbox_items(conn, request.image_ids)
                repo = FilingRepository(conn)
                now = clock.stamp()
                episode_id = repo.add_episode(request.episode_description, actor, now)
                inbox = InboxLookup(conn)
                for image_id in request.image_ids:
                    repo.add(_filing_row(request, patient.id, episode_id, image_id, consent_id,
                                         items[image_id], actor, now))
                    inbox.set_status(image_id, "filed")
                    work.record(AuditEntry(
                        actor, "image.filed", f"image {image_id}", {
                            "patient_id": patient.id, "episode_id": episode_id,
                            "kind": str(request.kind), "body_site": request.body_site.word,
                            "consent_id": consent_id, "secondary": request.secondary,
                            "workstation": workstation_name()}))
            filed = load_filed(conn, request.image_ids)
        images = tuple(filed[i] for i in request.image_ids)
        return FiledEpisode(episode_id, request.episode_description, images)

    def image(self, image_id: int) -> FiledImage:
        """Return a filed image as it now stands.

        Raises:
            FilingError: the image has not been filed.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"image {image_id}")
        with self._session.vault.index() as conn:
            return _filed(conn, image_id)

    def images_of(self, patient_id: int) -> list[FiledImage]:
        """Return the images now in a patient's record."""
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient_id}")
        with self._session.vault.index() as conn:
            images = filed_as_they_stand(conn, FilingRepository(conn).filings_touching(patient_id))
        return [i for i in images if i.patient_id == patient_id]

    def record(self, patient_id: int) -> list[RecordEntry]:
        """Return a patient's filing history, with images moved in and out of the record."""
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient_id}")
        with self._session.vault.index() as conn:
            images = filed_as_they_stand(conn, FilingRepository(conn).filings_touching(patient_id))
        entries = [entry for image in images for entry in record_entries(image, patient_id)]
        return sorted(entries, key=lambda e: (e.at, e.image_id))

    def move_to_patient(self, image_id: int, patient_id: int, reason: str, *,
                        filed_to: int) -> FiledImage:
        """Correct a misfiled image: it moves, with its history, to the right patient.

        Both patients' records show the move. The consent recorded for the
        first patient does not follow the image: uses wait for the right
        patient's consent. ``filed_to`` is the patient whose record the person
        saw the image in, as for every correction (see :meth:`_correct`).
        """
        return self._correct(image_id, filed_to, reason, lambda conn, current: {
            "what": "patient", "from_patient_id": current.patient_id,
            "to_patient_id": _other_patient(conn, patient_id, current).id})

    def correct_body_site(self, image_id: int, body_site: BodySite, reason: str, *,
                          filed_to: int) -> FiledImage:
        """Correct where on the body a filed image was taken."""
        body_site.check()

        def change(conn: Connection, current: FiledImage) -> dict:
            if body_site == current.body_site:
                raise FilingError("That is already the image's body site.")
            return {"what": "body-site", "body_site": body_site.site,
                    "laterality": body_site.laterality, "body_site_detail": body_site.detail}

        return self._correct(image_id, filed_to, reason, change)

    def correct_kind(self, image_id: int, kind: ImageKind, reason: str, *,
                     filed_to: int) -> FiledImage:
        """Correct what a filed image is (a clinical photo filed as sent by the patient).

        The image is then kept on its new kind's consent basis; a clinical
        photo filed without recorded consent cannot become one this way.
        """

        def change(conn: Connection, current: FiledImage) -> dict:
            if kind == current.kind:
                raise FilingError("That is already the picture's kind.", "kind")
            needs = ConsentBasis.for_kind(kind)
            if needs is ConsentBasis.RECORDED_CONSENT and current.consent_id is None:
                raise FilingError(
                    f"A {kind.label} is kept on the patient's recorded consent, and this "
                    "picture was filed without one. Record the consent, then ask a "
                    "clinician to file the picture again as a clinical photo.", "kind")
            return {"what": "kind", "kind": str(kind)}

        return self._correct(image_id, filed_to, reason, change)

    def correct_description(self, image_id: int, description: str, reason: str, *,
                            filed_to: int) -> FiledImage:
        """Correct what a filed image is described as; the first description stays on record."""
        text = " ".join(description.split())
        if not text.isprintable():
            raise FilingError("The description has characters that cannot be kept (control "
                              "characters, perhaps pasted); type it again.", "description")
        if len(text) > DESCRIPTION_LIMIT:
            raise FilingError(f"The description is too long; keep it under "
                              f"{DESCRIPTION_LIMIT} characters.", "description")

        def change(conn: Connection, current: FiledImage) -> dict:
            if text == current.description:
                raise FilingError("That is already the picture's description.", "description")
            return {"what": "description", "description": text}

        return self._correct(image_id, filed_to, reason, change)

    def set_scale(self, image_id: int, pixels_per_mm: float, reason: str, *,
                  filed_to: int) -> FiledImage:
        """Record how many pixels of the picture make a millimetre (from a ruler in it).

        Pictures with a known scale are compared at the same size on screen.
        """
        if not SCALE_LIMITS[0] <= pixels_per_mm <= SCALE_LIMITS[1]:
            raise FilingError(f"A scale of {pixels_per_mm:g} pixels per millimetre cannot be "
                              "right; measure the ruler in the picture again.", "scale")

        def change(conn: Connection, current: FiledImage) -> dict:
            if current.pixels_per_mm == pixels_per_mm:
                raise FilingError("That is already the picture's scale.", "scale")
            return {"what": "scale", "pixels_per_mm": pixels_per_mm}

        return self._correct(image_id, filed_to, reason, change)

    def _correct(self, image_id: int, filed_to: int, reason: str, change) -> FiledImage:
        """Make one correction of an image the person saw in ``filed_to``'s record.

        Where the image is filed now is read in the same write transaction as
        the correction is made: a picture another person or workstation moved
        meanwhile is refused, never corrected away from a record its
        corrector did not see.
        """
        self._session.require(Permission.CORRECT_FILING, subject=f"image {image_id}")
        reason = checked_reason(reason)
        vault = self._session.vault
        actor = self._session.actor.name
        with vault.index() as conn:
            with vault.audited(conn) as work:
                current = _filed(conn, image_id)
                if current.deleted:
                    raise FilingError(f"Image {image_id} was deleted at the end of its "
                                      "retention period.")
                if current.patient_id != filed_to:
                    raise FilingError(moved_since(conn, image_id, filed_to, current.patient_id))
                fields = change(conn, current)
                row = FilingRepository(conn).add_correction(
                    image_id, reason=reason, corrected_by=actor, corrected_at=clock.stamp(),
                    **fields)
                work.record(AuditEntry(
                    actor, "filing.corrected", f"image {image_id}",
                    {**fields, "reason": row.reason}))
            corrected = _filed(conn, image_id)
        return corrected

    def _consent_basis(self, conn: Connection, request: FilingRequest) -> int | None:
        """Return the consent the images are filed on; refuse (audited) when it will not do."""
        consent = None
        if request.consent is not None:
            consent = ConsentRecords(conn).find(request.consent)
            if consent is None:
                raise FilingError(f"There is no consent {request.consent}.")
            if consent.patient_id != request.patient_id:
                raise FilingError(f"Consent {consent.code} was given by another patient.")
            outside = [i for i in request.image_ids if not consent.covers_image(i)]
            if outside:
                raise FilingError(f"Consent {consent.code} does not cover image {outside[0]}.")
        problem = filing_basis_problem(request.kind, consent, today=clock.today(),
                                       policy=load_policy(conn))
        if problem is not None:
            self._session.audit("filing.refused", f"patient {request.patient_id}", {
                "images": list(request.image_ids), "kind": str(request.kind),
                "reason": problem})
            raise PolicyRefused(f"Not filed: {problem}. Record the patient's consent first, "
                                "then file with it.")
        return consent.id if consent else None



def checked_reason(reason: str) -> str:
    """Return why a filing is corrected, trimmed; refuse a blank or over-long reason.

    The reason is kept in both records, on the audit trail and on printed
    pages, so it is a sentence, not a letter: the same limit holds in the
    window and on the command line.

    Raises:
        FilingError: the reason is blank or longer than ``REASON_LIMIT``.
    """
    text = reason.strip()
    if not text:
        raise FilingError("Say why the filing is being corrected; the reason is kept "
                          "in both records.", "reason")
    if len(text) > REASON_LIMIT:
        raise FilingError(f"The reason is {len(text)} characters long; say why in at most "
                          f"{REASON_LIMIT}, as a sentence the records can show in full. "
                          "Nothing was corrected.", "reason")
    return text


def moved_since(conn: Connection, image_id: int, seen_in: int, now_in: int) -> str:
    """Say that a picture left the record it was seen in, and where it went."""
    return (f"Picture {image_id} is no longer in the record of {_patient_words(conn, seen_in)}: "
            f"it was moved to the record of {_patient_words(conn, now_in)} since; nothing was "
            "corrected. Open the record again and check the picture before correcting it.")


def _patient_words(conn: Connection, patient_id: int) -> str:
    """'NGUYEN, Mai (record MRN1001)': enough to tell the patient from anyone else."""
    found = PatientLookup(conn).by_id(patient_id)
    if found is None:
        return f"patient {patient_id}"
    return named_with_record(found.family_name, found.given_names, found.record_number or "")


def _filed(conn: Connection, image_id: int) -> FiledImage:
    """An image as it now stands; raises FilingError when it was never filed."""
    image = load_filed(conn, [image_id]).get(image_id)
    if image is None:
        raise FilingError(f"Image {image_id} has not been filed.")
    return image


def _check(request: FilingRequest) -> None:
    """Refuse an incomplete request, saying what to add."""
    if not request.image_ids:
        raise FilingError("Choose at least one inbox item to file.")
    if len(set(request.image_ids)) != len(request.image_ids):
        raise FilingError("The same inbox item was chosen twice.")
    try:
        request.body_site.check()
    except BodySiteError as exc:
        raise FilingError(str(exc), exc.field) from None
    if not request.body_site.site and request.kind is not ImageKind.DOCUMENT:
        raise FilingError("Say where on the body the image was taken (for example the left ankle).",
                          "site")
    if request.kind in (ImageKind.COLLEAGUE_INTERNAL, ImageKind.COLLEAGUE_EXTERNAL) \
            and not request.colleague.strip():
        raise FilingError("Say which colleague sent the image.", "colleague")
    if request.kind is ImageKind.COLLEAGUE_EXTERNAL and not request.discussion_note.strip():
        raise FilingError(
            "An image from a clinician outside the practice is kept with a note of the "
            "discussion you had with them (Avant); add the note, even if only "
            "'no discussion'.", "discussion")


def _inbox_items(conn: Connection, image_ids: tuple[int, ...]) -> dict:
    lookup = InboxLookup(conn)
    found = {}
    for image_id in image_ids:
        item = lookup.by_id(image_id)
        if item is None:
            raise FilingError(f"There is no inbox item {image_id}.")
        if item.status != "unfiled":
            raise FilingError(f"Item {image_id} is already filed; correct its filing instead.")
        found[image_id] = item
    return found


def _filing_row(request: FilingRequest, patient_id: int, episode_id: int, image_id: int,
                consent_id: int | None, item, actor: str, now: str) -> FilingRow:
    return FilingRow(
        image_id=image_id, patient_id=patient_id, episode_id=episode_id,
        kind=str(request.kind), body_site=request.body_site.site,
        laterality=request.body_site.laterality, body_site_detail=request.body_site.detail,
        description=request.description, clinical_purpose=request.clinical_purpose,
        taken_by=request.taken_by or _default_taker(request, actor, item.source_kind),
        taken_at=request.taken_at or item.captured_at, secondary=request.secondary,
        consent_basis=str(ConsentBasis.for_kind(request.kind)), consent_id=consent_id,
        sent_for=str(request.sent_for), colleague=request.colleague.strip(),
        discussion_note=request.discussion_note.strip(), filed_by=actor, filed_at=now,
    )


def _default_taker(request: FilingRequest, actor: str, source_kind: str) -> str:
    """Who took the picture, when the person filing did not say.

    A picture that came through the drop folder was sent in, so whoever files
    it did not take it: it is "the patient" when filed as sent by them, and
    not known otherwise.
    """
    if request.kind is ImageKind.PATIENT_SENT:
        return "the patient"
    if request.kind in (ImageKind.COLLEAGUE_INTERNAL, ImageKind.COLLEAGUE_EXTERNAL):
        return request.colleague.strip()
    taken_here = source_kind != SourceKind.DROP_FOLDER
    return actor if request.kind is ImageKind.CLINICAL_PHOTO and taken_here else ""


def _existing_patient(conn: Connection, patient_id: int) -> PatientSummary:
    patient = PatientLookup(conn).by_id(patient_id)
    if patient is None:
        raise FilingError(f"There is no patient with id {patient_id}.")
    return patient


def _other_patient(conn: Connection, patient_id: int, current: FiledImage) -> PatientSummary:
    patient = _existing_patient(conn, patient_id)
    if patient.id == current.patient_id:
        raise FilingError("The image is already filed to that patient.")
    return patient

