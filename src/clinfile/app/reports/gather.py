"""Reading what a document shows out of the vault, into the renderers' frozen values.

Everything is read inside one connection and handed over as plain values, so
rendering never touches the vault. The services call these only after the
role checks and the consent gate have said yes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from pathlib import PurePath
from types import MappingProxyType

from clinfile.app import clock
from clinfile.app.consent.model import Consent
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.filing.model import FiledImage
from clinfile.app.filing.words import came_from_words, consent_words
from clinfile.app.reports.model import (
    ConsentFormData,
    PatientHeader,
    Provenance,
    PurposeRequest,
    SummaryImage,
    TeachingImage,
)
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientSummary
from clinfile.db.images import ImageRepository, ImageRow
from clinfile.db.users import UserRepository


def patient_header(patient: PatientSummary) -> PatientHeader:
    """Return the identifiers printed at the top of every page."""
    born = date.fromisoformat(patient.birth_date) if patient.birth_date else None
    return PatientHeader(patient.family_name, patient.given_names, born,
                         patient.record_number or "")


@dataclass(frozen=True)
class Stored:
    """What a document prints of its pictures beyond their filing, read once.

    Each picture's stored row (where it came from, its clean copy, its
    digest) and the name printed for each person who handled it.
    """

    rows: Mapping[int, ImageRow]
    printed_names: Mapping[str, str]


def stored(conn: Connection, filed: Iterable[FiledImage]) -> Stored:
    """Read the stored rows of these pictures and everyone's printed name, in two reads."""
    return Stored(MappingProxyType(ImageRepository(conn).by_ids(i.image_id for i in filed)),
                  MappingProxyType(printed_names(conn)))


def summary_images(found: Stored, vault: Vault, filed: Sequence[FiledImage],
                   consents: list[Consent],
                   cautions: Mapping[int, tuple[str, ...]]) -> tuple[SummaryImage, ...]:
    """Return each filed image with its clean derivative, consent, cautions and provenance.

    Made from values already read; the derivatives are read from the vault
    only as each picture is written.

    ``cautions`` are the consent gate's, by image id: the rules say when an
    image is secondary or came from someone else, in words kept in one place.
    """
    names = found.printed_names
    consents = [printed_as(consent, names) for consent in consents]
    blobs = vault.blobs
    images = []
    for image in filed:
        row = found.rows[image.image_id]
        images.append(SummaryImage(
            jpeg=partial(blobs.read_bytes, row.derivative_blob),
            kind=image.kind.label,
            body_site=image.body_site.label if image.body_site.site else "",
            description=image.description,
            captured_at=_moment(image.when_taken(row.captured_at)),
            taken_by=names.get(image.taken_by, image.taken_by),
            secondary=image.secondary,
            cautions=cautions.get(image.image_id, ()),
            consent_basis=consent_basis_text(image, consents),
            consent_limits=consent_limits_text(image, consents, today=clock.today()),
            provenance=Provenance(
                source=f"{came_from_words(row.source_kind)}: {PurePath(row.source_path).name}",
                imported_by=names.get(row.received_by, row.received_by),
                imported_at=_moment(row.received_at),
                filed_by=names.get(image.filed_by, image.filed_by),
                filed_at=_moment(image.filed_at),
                original_sha256=row.sha256),
        ))
    return tuple(images)


def printed_names(conn: Connection) -> dict[str, str]:
    """Each login name with the name printed for it: the full name, where one is held."""
    return {user.name: user.full_name or user.name for user in UserRepository(conn).all()}


def printed_as(consent: Consent, names: Mapping[str, str]) -> Consent:
    """The consent with the person who obtained it by their printed name, not their login."""
    return replace(consent, obtained_by=names.get(consent.obtained_by, consent.obtained_by))


def teaching_images(found: Stored, vault: Vault,
                    filed: Sequence[FiledImage]) -> tuple[TeachingImage, ...]:
    """Return each image with only its kind and body site, for a de-identified export.

    The derivatives are read from the vault only as each picture is written.
    """
    blobs = vault.blobs
    return tuple(
        TeachingImage(partial(blobs.read_bytes, found.rows[image.image_id].derivative_blob),
                      image.kind.label,
                      image.body_site.label if image.body_site.site else "")
        for image in filed)


def consent_basis_text(image: FiledImage, consents: list[Consent]) -> str:
    """Say on what consent the image is held, naming the recorded consent when there is one.

    A recorded consent says who decided (the patient, or who decided for them)
    and who obtained it, whatever the basis it was filed on.
    """
    consent = next((c for c in consents if c.id == image.consent_id), None)
    if consent is not None:
        return consent_words(consent)
    return image.consent_basis.label


def consent_limits_text(image: FiledImage, consents: list[Consent], *, today: date) -> str:
    """Say what uses the patient's consents now allow for this image, and for whom.

    Clinical care is always the base (every filed image is held for it);
    other purposes are listed only while a consent covering this image
    allows them: not withdrawn, not expired, and signed if written.
    """
    others: dict[Purpose, list[str]] = {}
    for consent in consents:
        if not consent.covers_image(image.image_id) or consent.expired_on(today) \
                or consent.awaiting_signature:
            continue
        for purpose in consent.purposes - consent.withdrawn_purposes - {Purpose.CLINICAL_CARE}:
            others.setdefault(purpose, []).extend(r.label for r in consent.recipients)
    if not others:
        return "clinical care only"
    extra = "; ".join(f"{purpose.label} ({', '.join(dict.fromkeys(who))})"
                      for purpose, who in sorted(others.items()))
    return f"clinical care; also {extra}"


def consent_form_data(consent: Consent, patient: PatientSummary, *, practice_name: str,
                      images_note: str = "") -> ConsentFormData:
    """Return the form for a recorded consent, asking for exactly what it records."""
    return ConsentFormData(
        purposes=tuple(PurposeRequest(p, _recipients_for(p, consent)) for p in Purpose
                       if p in consent.purposes),
        patient=patient_header(patient),
        code=consent.code,
        practice_name=practice_name,
        clinician=consent.obtained_by,
        decided_by=consent.decided_by.name,
        decided_by_relationship=consent.decided_by.relationship,
        interpreter=consent.interpreter,
        images_note=images_note,
        prepared_on=clock.today(),
    )


def _recipients_for(purpose: Purpose, consent: Consent) -> tuple[str, ...]:
    """Pair a consent's recipients with the purpose they fit.

    A consent records one list of recipients for all its purposes; on paper,
    the people who look after the patient go with their care, and students,
    researchers or the public with the purposes that are for them.
    """
    fits = [r for r in consent.recipients if r.gives_care == purpose.clinical]
    return tuple(r.label for r in (fits or consent.recipients))


def _moment(text: str | None) -> datetime | None:
    """Read a stored ISO time, shown in this computer's time zone when it has one."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment.astimezone() if moment.tzinfo else moment
