"""One filed episode as a FHIR R4 Bundle: the patient, their consents and the pictures.

- ``Patient`` carries the identifiers in the namespaces the patient import
  reads (:mod:`app.patients.fhir_import`), so a bundle read back finds the
  same patient.
- ``Consent`` per recorded consent: scope, category, the method, a
  ``permit`` provision with its purposes, recipients (actors) and period, a
  ``deny`` provision for each withdrawal, and the signed form as the source
  attachment when one came back.
- ``Media`` for a picture of the body, ``DocumentReference`` for a picture
  of a document, each with body site, operator, created time and the clean
  picture (re-encoded, no metadata) as its attachment.

The bundle is checked against the R4 models of fhir.resources before it is
returned (R4B, the 4.3 release that keeps R4's Media), so no invalid bundle
leaves the vault.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle

from clinfile.app import clock
from clinfile.app.consent.model import Consent
from clinfile.app.consent.vocabulary import ImageKind, Purpose
from clinfile.app.interop.archive_photo import ArchivePhoto
from clinfile.app.interop.dicom_photo import BODY_PARTS
from clinfile.app.interop.dicom_uids import photo_uids
from clinfile.app.patients.fhir_import import DVA_SYSTEM, IHI_SYSTEM, MEDICARE_SYSTEM, RECORD_TYPE

CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
#: Clinfile's own words, where no standard code says the same thing.
CLINFILE = "urn:clinfile:fhir"
METHOD_EXTENSION = f"{CLINFILE}:consent-method"
PURPOSE_CODES = {
    Purpose.CLINICAL_CARE: (ACT_REASON, "TREAT", "treatment"),
    Purpose.RESEARCH: (ACT_REASON, "HRESCH", "healthcare research"),
    Purpose.EDUCATION: (f"{CLINFILE}:purpose", "education", "education"),
    Purpose.PUBLICATION: (f"{CLINFILE}:purpose", "publication", "publication"),
}
_GENDER = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}


def episode_bundle(photos: list[ArchivePhoto], pictures: dict[int, bytes],
                   signed_forms: dict[str, bytes]) -> dict:
    """Return the Bundle (as JSON-ready data) for pictures of one patient, checked against R4.

    Args:
        photos: the episode's pictures, all of one patient.
        pictures: each picture's clean JPEG, by image id.
        signed_forms: each signed consent form's clean JPEG, by the form's blob id.

    Raises:
        pydantic.ValidationError: the bundle would not be valid FHIR (a defect).
    """
    first = photos[0]
    patient_url = _urn(first, "patient", first.patient.id)
    resources = [(patient_url, _patient(first))]
    for consent in first.consents:
        if any(consent.covers_image(p.image.image_id) for p in photos):
            resources.append((_urn(first, "consent", consent.id),
                              _consent(consent, patient_url, first.practice_name,
                                       signed_forms.get(consent.signed_form_blob or ""))))
    for photo in photos:
        maker = _document if photo.image.kind is ImageKind.DOCUMENT else _media
        resources.append((_urn(photo, "picture", photo.image.image_id, photo.revision),
                          maker(photo, patient_url, pictures[photo.image.image_id])))
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{patient_url}/{first.image.episode_id}")),
        "type": "collection",
        "timestamp": clock.stamp(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in resources],
    }
    return json.loads(Bundle.model_validate(bundle).model_dump_json(exclude_none=True))


def _patient(photo: ArchivePhoto) -> dict:
    patient = photo.patient
    identifiers = []
    if patient.record_number:
        identifiers.append({"type": {"coding": [{"system": IDENTIFIER_TYPE,
                                                 "code": RECORD_TYPE}]},
                            "value": patient.record_number})
    for system, value in ((IHI_SYSTEM, patient.ihi), (MEDICARE_SYSTEM, patient.medicare_number),
                          (DVA_SYSTEM, patient.dva_number)):
        if value:
            identifiers.append({"system": system, "value": value})
    resource = {
        "resourceType": "Patient",
        "identifier": identifiers,
        "name": [{"use": "official", "family": patient.family_name,
                  "given": patient.given_names.split()}],
    }
    if patient.birth_date:
        resource["birthDate"] = patient.birth_date
    if patient.sex in _GENDER:
        resource["gender"] = _GENDER[patient.sex]
    return resource


def _consent(consent: Consent, patient_url: str, practice: str, signed_form: bytes | None
             ) -> dict:
    withdrawn_all = consent.purposes <= consent.withdrawn_purposes
    period = {"start": consent.obtained_on.isoformat()}
    if consent.expires_on:
        period["end"] = consent.expires_on.isoformat()
    provision = {
        "type": "permit",
        "period": period,
        "actor": [{"role": {"coding": [{"system": PARTICIPATION, "code": "IRCP",
                                        "display": "information recipient"}]},
                   "reference": {"display": recipient.label}}
                  for recipient in consent.recipients],
        "purpose": [_purpose(p) for p in sorted(consent.purposes)],
        "provision": [{"type": "deny", "period": {"start": w.withdrawn_on.isoformat()},
                       "purpose": [_purpose(p) for p in sorted(w.purposes)]}
                      for w in consent.withdrawals],
    }
    if consent.images:
        provision["data"] = [{"meaning": "instance", "reference": {
            "display": f"Clinfile image {image_id}"}} for image_id in sorted(consent.images)]
    resource = {
        "resourceType": "Consent",
        "identifier": [{"system": f"{CLINFILE}:consent-code", "value": consent.code}],
        "status": "inactive" if withdrawn_all else
                  ("proposed" if consent.awaiting_signature else "active"),
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy",
                              "display": "Privacy Consent"}]},
        "category": [{"coding": [{"system": LOINC, "code": "59284-0",
                                  "display": "Patient Consent"}]}],
        "patient": {"reference": patient_url},
        "dateTime": consent.obtained_on.isoformat(),
        "performer": [{"reference": patient_url} if consent.decided_by.is_patient else
                      {"display": f"{consent.decided_by.name} "
                                  f"({consent.decided_by.relationship})".strip()}],
        "policyRule": {"coding": [{"system": ACT_CODE, "code": "OPTIN"}]},
        "provision": provision,
        "extension": [{"url": METHOD_EXTENSION, "valueCode": str(consent.method)}],
    }
    if practice:
        resource["organization"] = [{"display": practice}]
    if signed_form is not None:
        resource["sourceAttachment"] = _attachment(signed_form, "signed consent form")
    return resource


def _media(photo: ArchivePhoto, patient_url: str, jpeg: bytes) -> dict:
    image = photo.image
    resource = {
        "resourceType": "Media",
        "status": "completed",
        "type": {"coding": [{"system": MEDIA_TYPE, "code": "image", "display": "Image"}]},
        "modality": {"coding": [{"system": DICOM, "code": "XC",
                                 "display": "External-camera Photography"}]},
        "subject": {"reference": patient_url},
        "issued": image.filed_at,
        "content": _attachment(jpeg, image.description or image.kind.label),
        "note": [{"text": image.description}] if image.description else None,
    }
    resource.update(_common(photo))
    if image.body_site.site:
        resource["bodySite"] = {"text": image.body_site.label, "coding": [{
            "system": f"{CLINFILE}:body-site", "code": image.body_site.word.split(":")[0],
            "display": BODY_PARTS.get(image.body_site.site) or image.body_site.site}]}
    return {k: v for k, v in resource.items() if v is not None}


def _document(photo: ArchivePhoto, patient_url: str, jpeg: bytes) -> dict:
    image = photo.image
    resource = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"text": "photograph of a document"},
        "subject": {"reference": patient_url},
        "date": image.filed_at,
        "description": image.description or None,
        "content": [{"attachment": _attachment(jpeg, image.description or "document")}],
    }
    resource["author"] = [{"display": _operator(photo)}]
    if photo.taken_at:
        resource["context"] = {"period": {"start": _instant(photo.taken_at)}}
    return {k: v for k, v in resource.items() if v is not None}


def _common(photo: ArchivePhoto) -> dict:
    common = {"identifier": [{"system": "urn:dicom:uid",
                              "value": f"urn:oid:{photo_uids(photo).instance}"}]}
    common["operator"] = {"display": _operator(photo)}
    if photo.taken_at:
        common["createdDateTime"] = _instant(photo.taken_at)
    if photo.stored.width and photo.stored.height:
        common["width"] = photo.stored.width
        common["height"] = photo.stored.height
    return common


def _operator(photo: ArchivePhoto) -> str:
    """Who took the picture, as filed; else who filed it (a photographed document, say)."""
    return photo.image.taken_by or photo.image.filed_by


def _attachment(jpeg: bytes, title: str) -> dict:
    return {"contentType": "image/jpeg", "data": base64.b64encode(jpeg).decode("ascii"),
            "size": len(jpeg), "hash": base64.b64encode(hashlib.sha1(jpeg).digest()).decode(),
            "title": title[:200]}


def _purpose(purpose: Purpose) -> dict:
    system, code, display = PURPOSE_CODES[purpose]
    return {"system": system, "code": code, "display": display}


def _instant(text: str) -> str:
    """A FHIR dateTime: a camera's local time has no zone, which FHIR allows only without time."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="seconds")


def _urn(photo: ArchivePhoto, *parts: object) -> str:
    name = "/".join(str(p) for p in (photo.vault_id, *parts))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:clinfile:{name}')}"
