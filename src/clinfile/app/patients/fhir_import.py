"""Reading FHIR R4 ``Patient`` resources and ``Bundle`` files, checked with fhir.resources.

Australian identifiers are recognised by their namespaces (AU Base): the
IHI, Medicare and DVA systems, and the practice's record number by the
``MR`` identifier type. Names with use ``old`` or ``maiden`` become previous
surnames, which is how a married-name change stays findable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from fhir.resources.patient import Patient
from pydantic import ValidationError

from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

IHI_SYSTEM = "http://ns.electronichealth.net.au/id/hi/ihi/1.0"
MEDICARE_SYSTEM = "http://ns.electronichealth.net.au/id/medicare-number"
DVA_SYSTEM = "http://ns.electronichealth.net.au/id/dva"
RECORD_TYPE = "MR"
_PREVIOUS_USES = {"old", "maiden"}


def read_fhir(path: Path) -> Iterator[SourceRecord | SourceProblem]:
    """Yield each Patient in a FHIR JSON file (one resource or a Bundle).

    Raises:
        UnreadableSource: the file is not JSON, or neither a Patient nor a Bundle.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableSource(f"{Path(path).name} is not a readable JSON file ({exc}).") from None
    kind = document.get("resourceType") if isinstance(document, dict) else None
    if kind == "Patient":
        yield patient_record("the patient", document)
    elif kind == "Bundle":
        entries = document.get("entry") or []
        if not isinstance(entries, list):
            raise UnreadableSource("The bundle's entries are not a list.")
        for number, entry in enumerate(entries, start=1):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                yield SourceProblem(f"entry {number}", "it holds no resource")
            elif resource.get("resourceType") == "Patient":
                yield patient_record(f"entry {number}", resource)
    else:
        raise UnreadableSource(
            f"{Path(path).name} is a FHIR {kind or 'document of unknown type'}, "
            "not a Patient or a Bundle of patients.")


def patient_record(where: str, resource: dict) -> SourceRecord | SourceProblem:
    """Read one Patient resource, as a file's or a FHIR server's, checked with fhir.resources."""
    try:
        patient = Patient.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first.get("loc", ()))
        return SourceProblem(where, f"not a valid FHIR Patient ({place}: {first.get('msg')})")
    try:
        return SourceRecord(where, _details(patient))
    except ValueError as exc:
        return SourceProblem(where, str(exc))


def _details(patient: Patient) -> PatientDetails:
    names = patient.name or []
    current = next((n for n in names if n.use in ("official", "usual")), None) or next(
        (n for n in names if n.use not in _PREVIOUS_USES), None)
    if current is None:
        raise ValueError("it has no current name")
    previous = tuple(n.family for n in names if n.use in _PREVIOUS_USES and n.family)
    preferred = next((" ".join(n.given or []) for n in names
                      if n.use == "nickname" and n.given), "")
    identifiers = _identifiers(patient)
    address = (patient.address or [None])[0]
    phone = next((t.value for t in patient.telecom or [] if t.system == "phone" and t.value), "")
    return PatientDetails(
        family_name=current.family or "",
        given_names=" ".join(current.given or []),
        birth_date=_birth_date(patient.birthDate),
        sex={"male": "male", "female": "female", "other": "other",
             "unknown": "unknown"}.get(patient.gender or "", ""),
        preferred_name=preferred,
        previous_names=previous,
        address=", ".join(address.line or []) if address else "",
        suburb=(address.city or "") if address else "",
        state=(address.state or "") if address else "",
        postcode=(address.postalCode or "") if address else "",
        phone=phone,
        source="fhir",
        **identifiers,
    )


def _identifiers(patient: Patient) -> dict[str, str]:
    found = {"record_number": "", "ihi": "", "medicare_number": "", "medicare_irn": "",
             "dva_number": ""}
    for identifier in patient.identifier or []:
        value = identifier.value or ""
        codes = {c.code for c in (identifier.type.coding or [])} if identifier.type else set()
        if identifier.system == IHI_SYSTEM:
            found["ihi"] = value
        elif identifier.system == MEDICARE_SYSTEM:
            found["medicare_number"] = value
        elif identifier.system == DVA_SYSTEM:
            found["dva_number"] = value
        elif RECORD_TYPE in codes and not found["record_number"]:
            found["record_number"] = value
    return found


def _birth_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    raise ValueError(f"its date of birth {value} has no day and month")
