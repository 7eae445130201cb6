import json
from datetime import date

import pytest

from clinfile.app.patients.details import validate
from clinfile.app.patients.fhir_import import DVA_SYSTEM, IHI_SYSTEM, MEDICARE_SYSTEM, read_fhir
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

MR = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}


def patient(**extra) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [
            {"type": MR, "system": "urn:oid:1.2.36.1.2001.1003.0.0001", "value": "100001"},
            {"system": IHI_SYSTEM, "value": "8003608166690503"},
            {"system": MEDICARE_SYSTEM, "value": "21234567011"},
            {"system": DVA_SYSTEM, "value": "NX123456"},
        ],
        "name": [{"use": "official", "family": "Smith", "given": ["Jane", "Anne"]},
                 {"use": "maiden", "family": "Brown"},
                 {"use": "nickname", "given": ["Janey"]}],
        "gender": "female",
        "birthDate": "1980-03-12",
        "telecom": [{"system": "email", "value": "j@example.org"},
                    {"system": "phone", "value": "0412 345 678"}],
        "address": [{"line": ["Unit 2", "14 High St"], "city": "Carlton", "state": "VIC",
                     "postalCode": "3053"}],
    }
    resource.update(extra)
    return resource


def write(tmp_path, document) -> object:
    path = tmp_path / "patients.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_patient_resource_gives_every_detail(tmp_path):
    [record] = list(read_fhir(write(tmp_path, patient())))
    d = record.details
    assert (d.family_name, d.given_names, d.birth_date) == ("Smith", "Jane Anne",
                                                             date(1980, 3, 12))
    assert d.previous_names == ("Brown",) and d.preferred_name == "Janey"
    assert (d.record_number, d.ihi, d.dva_number) == ("100001", "8003608166690503", "NX123456")
    assert d.address == "Unit 2, 14 High St" and d.suburb == "Carlton" and d.state == "VIC"
    assert d.phone == "0412 345 678" and d.sex == "female"
    values = validate(d).values
    assert (values.medicare_number, values.medicare_irn) == ("2123456701", "1")
    assert values.warnings == ()


def test_a_bundle_gives_its_patients_and_reports_the_broken_ones(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": patient()},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"text": "weight"}}},
        {"resource": patient(id="p2", birthDate="12/03/1980")},
        {"resource": patient(id="p3", name=[{"use": "old", "family": "Gone"}])},
        {"fullUrl": "urn:uuid:nothing"},
        {"resource": patient(id="p4", birthDate="1980")},
    ]}
    items = list(read_fhir(write(tmp_path, bundle)))
    assert [type(i) for i in items] == [SourceRecord, SourceProblem, SourceProblem,
                                        SourceProblem, SourceProblem]
    problems = {i.where: i.why for i in items if isinstance(i, SourceProblem)}
    assert "not a valid FHIR Patient" in problems["entry 3"] and "birthDate" in problems["entry 3"]
    assert problems["entry 4"] == "it has no current name"
    assert problems["entry 5"] == "it holds no resource"
    assert "no day and month" in problems["entry 6"]


def test_other_documents_are_refused(tmp_path):
    with pytest.raises(UnreadableSource, match="not a Patient or a Bundle"):
        list(read_fhir(write(tmp_path, {"resourceType": "Observation"})))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(UnreadableSource, match="not a readable JSON"):
        list(read_fhir(bad))
