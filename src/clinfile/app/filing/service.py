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
from collections.abc import Callable, Sequence

from clinfile.app import clock
from clinfile.app.consent.policy import load_policy
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.rules import filing_basis_problem
from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.filing.body_sites import BodySite, BodySiteError
from clinfile.app.filing.model import (
    ConsentBasis,
    CorrectedPicture,
    Correction,
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
from clinfile.db.record import RecordQueries

RECEPTION_KINDS = frozenset({ImageKind.PATIENT_SENT, ImageKind.DOCUMENT})
# The scales a photograph can have, in pixels per millimetre: from a whole
# body on a small picture to a macro lens close up.
SCALE_LIMITS = (0.05, 500.0)
# A description is a line on the summary, not a letter.
DESCRIPTION_LIMIT = 500
# A correction's reason is a sentence in both records, as long as a description at most.
REASON_LIMIT = DESCRIPTION_LIMIT

# One part of a correction: given a picture as it stands, the correction row's
# fields, or None when the picture already says that.
Change = Callable[[Connection, FiledImage], dict | None]


class FilingError(VaultError):
    """A filing or correction that cannot be made as asked; ``str()`` says why.

    ``field`` names the part of the request to correct (``site``, ``side``,
    ``colleague``, ``discussion``), or is empty, so a form can point to it.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class LeftTheInbox(FilingError):
    """Pictures chosen to file were filed, deleted or attached elsewhere meanwhile.

    ``str()`` says where each went; ``image_ids`` are the pictures the inbox
    should no longer offer.
    """

    def __init__(self, message: str, image_ids: tuple[int, ...]) -> None:
        super().__init__(message)
        self.image_ids = image_ids


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
                _still_unfiled(conn, items, request.image_ids)
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

    def correct(self, image_ids: Sequence[int], correction: Correction, *,
                filed_to: int) -> list[CorrectedPicture]:
        """Correct the chosen pictures of ``filed_to``'s record in one write: all, or none.

        Each picture gets only the corrections it needs (the kind first, the
        move last); what a picture already says is left alone, so its record
        shows exactly what was changed. One refusal, for any picture, leaves
        every picture as it was.

        Raises:
            PolicyRefused: the role may not correct filings (audited).
            FilingError: nothing to correct, or a picture cannot be corrected
                as asked; the message says which picture and why.
        """
        reason = self._may_correct(image_ids, correction.reason)
        return self._write_corrections(image_ids, filed_to, reason,
                                       _changes(correction, filed_to))

    def move_to_patient(self, image_id: int, patient_id: int, reason: str, *,
                        filed_to: int) -> FiledImage:
        """Correct a misfiled image: it moves, with its history, to the right patient.

        Both patients' records show the move. The consent recorded for the
        first patient does not follow the image: uses wait for the right
        patient's consent. ``filed_to`` is the patient whose record the person
        saw the image in, as for every correction (see :meth:`correct`).
        """
        return self._one(image_id, Correction(reason, to_patient=patient_id), filed_to)

    def correct_body_site(self, image_id: int, body_site: BodySite, reason: str, *,
                          filed_to: int) -> FiledImage:
        """Correct where on the body a filed image was taken."""
        return self._one(image_id, Correction(reason, body_site=body_site), filed_to)

    def correct_kind(self, image_id: int, kind: ImageKind, reason: str, *,
                     filed_to: int) -> FiledImage:
        """Correct what a filed image is (a clinical photo filed as sent by the patient).

        The image is then kept on its new kind's consent basis; a clinical
        photo filed without recorded consent cannot become one this way.
        """
        return self._one(image_id, Correction(reason, kind=kind), filed_to)

    def correct_description(self, image_id: int, description: str, reason: str, *,
                            filed_to: int) -> FiledImage:
        """Correct what a filed image is described as; the first description stays on record."""
        return self._one(image_id, Correction(reason, description=description), filed_to)

    def set_scale(self, image_id: int, pixels_per_mm: float, reason: str, *,
                  filed_to: int) -> FiledImage:
        """Record how many pixels of the picture make a millimetre (from a ruler in it).

        Pictures with a known scale are compared at the same size on screen.
        """
        reason = self._may_correct([image_id], reason)
        change = _scale_change(lambda _conn, _image: pixels_per_mm)
        [done] = self._write_corrections([image_id], filed_to, reason, [change])
        return done.after

    def _one(self, image_id: int, correction: Correction, filed_to: int) -> FiledImage:
        """One picture's correction, made as every correction is made; the picture after it."""
        [done] = self.correct([image_id], correction, filed_to=filed_to)
        return done.after

    def _may_correct(self, image_ids: Sequence[int], reason: str) -> str:
        """Refuse (audited) a role that may not correct, or a missing reason; the reason trimmed."""
        self._session.require(Permission.CORRECT_FILING,
                              subject=", ".join(f"image {i}" for i in image_ids))
        if not image_ids:
            raise FilingError("Choose the pictures to correct first.")
        return checked_reason(reason)

    def _write_corrections(self, image_ids: Sequence[int], filed_to: int, reason: str,
                           changes: list[Change]) -> list[CorrectedPicture]:
        """Make every change each picture needs in one write transaction, audited.

        Where each picture is filed now is read in that same transaction,
        before anything is written: a picture another person or workstation
        moved or deleted meanwhile refuses the whole correction, so no
        picture is corrected away from a record its corrector did not see,
        and no batch is left half made. A full disk or a refusal part way
        rolls every row and its audit back together.
        """
        vault = self._session.vault
        actor = self._session.actor.name
        made: dict[int, tuple[FiledImage, tuple[str, ...]]] = {}
        with vault.index() as conn:
            with vault.audited(conn, head_failure_logged=True) as work:
                before = _still_in_record(conn, image_ids, filed_to)
                repo = FilingRepository(conn)
                now = clock.stamp()
                for image_id, current in before.items():
                    fields = [f for f in (change(conn, current) for change in changes) if f]
                    for field in fields:
                        row = repo.add_correction(image_id, reason=reason, corrected_by=actor,
                                                  corrected_at=now, **field)
                        work.record(AuditEntry(actor, "filing.corrected", f"image {image_id}",
                                               {**field, "reason": row.reason}))
                    if fields:
                        made[image_id] = (current, tuple(f["what"] for f in fields))
                if not made:
                    raise FilingError("Nothing to correct: the pictures already say that.")
            after = load_filed(conn, list(made))
        return [CorrectedPicture(was, after[image_id], what)
                for image_id, (was, what) in made.items()]

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


def picture_words(image: FiledImage) -> str:
    """'the picture of the left knee taken 20/11/2026 (clinical photo)': no number to look up."""
    when = (f"taken {clock.day_words(image.taken_at)}" if image.taken_at
            else f"filed {clock.day_words(image.filed_at)}")
    return f"the picture of the {image.body_site.label} {when} ({image.kind.label})"


def moved_since(conn: Connection, image: FiledImage, seen_in: int) -> str:
    """Say that a picture left the record it was seen in, where to, and that nothing changed."""
    return (f"{_capital(picture_words(image))} is no longer in the record of "
            f"{_patient_words(conn, seen_in)}: it was moved to the record of "
            f"{_patient_words(conn, image.patient_id)} since; nothing was corrected. Open "
            "the record again and check the pictures before correcting them.")


def _still_in_record(conn: Connection, image_ids: Sequence[int],
                     filed_to: int) -> dict[int, FiledImage]:
    """Each picture as it stands, read in the correction's write; refuse one no longer there.

    Raises:
        FilingError: a picture was never filed, chosen twice, deleted or moved
            to another record since the person saw it.
    """
    if len(set(image_ids)) != len(image_ids):
        raise FilingError("The same picture was chosen twice; nothing was corrected.")
    found = load_filed(conn, list(image_ids))
    for image_id in image_ids:
        image = found.get(image_id)
        if image is None:
            raise FilingError(f"Image {image_id} has not been filed; nothing was corrected.")
        if image.deleted:
            raise FilingError(f"{_capital(picture_words(image))} was deleted at the end of its "
                              "retention period, so nothing was corrected.")
        if image.patient_id != filed_to:
            raise FilingError(moved_since(conn, image, filed_to))
    return {image_id: found[image_id] for image_id in image_ids}


def _capital(words: str) -> str:
    """Words that begin a sentence, begun with a capital letter."""
    return words[:1].upper() + words[1:]


def _patient_words(conn: Connection, patient_id: int) -> str:
    """'NGUYEN, Mai (record MRN1001)': enough to tell the patient from anyone else."""
    found = PatientLookup(conn).by_id(patient_id)
    if found is None:
        return f"patient {patient_id}"
    return named_with_record(found.family_name, found.given_names, found.record_number or "")


def _changes(correction: Correction, filed_to: int) -> list[Change]:
    """The changes a correction asks of each picture, checked before the write begins.

    The kind comes first, as the change most likely to be refused; the move last.
    """
    c = correction
    changes = []
    if c.kind is not None:
        changes.append(_kind_change(c.kind))
    if c.body_site is not None:
        try:
            c.body_site.check()
        except BodySiteError as exc:
            raise FilingError(str(exc), exc.field) from None
        changes.append(_site_change(c.body_site))
    if c.description is not None:
        changes.append(_description_change(_checked_description(c.description)))
    if c.width_mm:
        width_mm = c.width_mm
        changes.append(_scale_change(
            lambda conn, image: round(_width(conn, image.image_id) / width_mm, 4)))
    if c.to_patient is not None:
        if c.to_patient == filed_to:
            raise FilingError("The pictures are already filed to that patient.", "patient")
        changes.append(_move_change(c.to_patient))
    return changes


def _kind_change(kind: ImageKind) -> Change:
    def change(conn: Connection, current: FiledImage) -> dict | None:
        if kind == current.kind:
            return None
        needs = ConsentBasis.for_kind(kind)
        if needs is ConsentBasis.RECORDED_CONSENT and current.consent_id is None:
            raise FilingError(
                f"A {kind.label} is kept on the patient's recorded consent, and "
                f"{picture_words(current)} was filed without one, so nothing was corrected. "
                "Record the consent, then ask a clinician to file the picture again as a "
                "clinical photo.", "kind")
        return {"what": "kind", "kind": str(kind)}
    return change


def _site_change(body_site: BodySite) -> Change:
    def change(conn: Connection, current: FiledImage) -> dict | None:
        if body_site == current.body_site:
            return None
        return {"what": "body-site", "body_site": body_site.site,
                "laterality": body_site.laterality, "body_site_detail": body_site.detail}
    return change


def _description_change(text: str) -> Change:
    def change(conn: Connection, current: FiledImage) -> dict | None:
        if text == current.description:
            return None
        return {"what": "description", "description": text}
    return change


def _scale_change(scale_of: Callable[[Connection, FiledImage], float]) -> Change:
    """A new scale, from the pixels per millimetre ``scale_of`` gives each picture."""
    def change(conn: Connection, current: FiledImage) -> dict | None:
        pixels_per_mm = scale_of(conn, current)
        if not SCALE_LIMITS[0] <= pixels_per_mm <= SCALE_LIMITS[1]:
            raise FilingError(f"A scale of {pixels_per_mm:g} pixels per millimetre cannot be "
                              f"right for {picture_words(current)}, so nothing was corrected; "
                              "measure the ruler in the picture again.", "scale")
        if current.pixels_per_mm == pixels_per_mm:
            return None
        return {"what": "scale", "pixels_per_mm": pixels_per_mm}
    return change


def _move_change(patient_id: int) -> Change:
    def change(conn: Connection, current: FiledImage) -> dict:
        return {"what": "patient", "from_patient_id": current.patient_id,
                "to_patient_id": _existing_patient(conn, patient_id).id}
    return change


def _checked_description(description: str) -> str:
    """A description on one line; refuse one that cannot be kept or printed."""
    text = " ".join(description.split())
    if not text.isprintable():
        raise FilingError("The description has characters that cannot be kept (control "
                          "characters, perhaps pasted); type it again.", "description")
    if len(text) > DESCRIPTION_LIMIT:
        raise FilingError(f"The description is too long; keep it under "
                          f"{DESCRIPTION_LIMIT} characters.", "description")
    return text


def _width(conn: Connection, image_id: int) -> int:
    """How many pixels wide a picture is, as its import recorded."""
    return RecordQueries(conn).facts([image_id])[image_id].width


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
        found[image_id] = item
    return found


def _still_unfiled(conn: Connection, items: dict, image_ids: tuple[int, ...]) -> None:
    """Refuse to file pictures that left the inbox meanwhile, saying where each went."""
    gone = tuple(i for i in image_ids if items[i].status != "unfiled")
    if gone:
        words = [_where_it_went(conn, items[i].status, i,
                                "This picture" if len(image_ids) == 1 else "One of the pictures")
                 for i in gone]
        raise LeftTheInbox(" ".join(words), gone)


def _where_it_went(conn: Connection, status: str, image_id: int, this: str) -> str:
    """'This picture was filed meanwhile to the record of SMITH, John (record MRN1003) ...'."""
    if status == "filed":
        image = load_filed(conn, [image_id]).get(image_id)
        names = RecordQueries(conn).patient_names([image.patient_id]) if image else {}
        whom = named_with_record(*names[image.patient_id]) if names else "a patient"
        went = f"was filed meanwhile to the record of {whom}"
    elif status == "deleted":
        went = "was deleted meanwhile"
    else:
        went = "was attached to a patient's consent meanwhile"
    return f"{this} {went} at another workstation; it is taken out of the inbox."


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
