"""Filed episodes exported as FHIR R4 bundles, validated with fhir.resources.

Two episodes of real corpus pictures (clinical photos of the body and a
photographed document) under a verbal consent for care and a written
consent for teaching whose signed form came back: each episode becomes one
Bundle holding the Patient, the Consents, a Media per body photo and a
DocumentReference per document photo, each with its clean picture.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import date

import pytest
from fhir.resources.R4B.bundle import Bundle
from PIL import Image

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.patients.fhir_import import read_fhir
from clinfile.app.patients.sources import SourceRecord
from clinfile.db.images import ImageRepository
from tests.integration.archive_pictures import (
    add_patient,
    corpus_copies,
    file_pictures,
    import_files,
)
from tests.unit.app.cli.calling import as_user

pytestmark = pytest.mark.slow


@pytest.fixture
def two_episodes(vault_path, login, corpus, tmp_path):
    clinician = login("clinician")
    mai = add_patient(login("admin"))
    body = import_files(clinician, corpus_copies(
        corpus, ["jpg/gps/DSCN0010.jpg", "heic/IMG_5195.HEIC"], tmp_path / "d1"))
    page, form = import_files(clinician, corpus_copies(
        corpus, ["tiff/Arbitro.tiff", "jpg/Canon_40D.jpg"], tmp_path / "d2"))
    with clinician.vault.index() as conn:
        form_blob = ImageRepository(conn).by_id(form).original_blob
    teaching = ConsentService(clinician).record(ConsentRequest(
        patient_id=mai, method=Method.WRITTEN, purposes=frozenset({Purpose.EDUCATION}),
        recipients=(Recipient(group=RecipientClass.STUDENTS),), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True),
        signed_form_blob=form_blob))
    file_pictures(clinician, body, mai)
    file_pictures(clinician, [page], mai, site="none", kind=ImageKind.DOCUMENT,
                  episode="pathology report")
    return mai, body, page, teaching


def test_each_episode_is_a_valid_bundle_of_patient_consents_and_pictures(
        vault_path, login, two_episodes, tmp_path):
    _, body, page, teaching = two_episodes
    code, out, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                             "--purpose", "clinical-care", "--recipient", "treating-team",
                             "--format", "fhir", "--out", str(tmp_path / "out"), "--json")
    assert code == 0, err
    paths = sorted(tmp_path / "out" / p.rsplit("/", 1)[-1] for p in json.loads(out)["files"])
    assert len(paths) == 2
    bundles = [json.loads(p.read_text()) for p in paths]
    for bundle in bundles:
        Bundle.model_validate(bundle)
        assert bundle["type"] == "collection"
    kinds = [[e["resource"]["resourceType"] for e in b["entry"]] for b in bundles]
    assert sorted(map(tuple, kinds)) == sorted([
        ("Patient", "Consent", "Consent", "Media", "Media"),
        ("Patient", "Consent", "Consent", "DocumentReference")])

    photos = next(b for b in bundles if "Media" in str(b))
    resources = {}
    for entry in photos["entry"]:
        resources.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    [patient] = resources["Patient"]
    assert patient["name"][0]["family"] == "Nguyen" and patient["birthDate"] == "1990-06-05"
    for media in resources["Media"]:
        assert media["subject"]["reference"] == photos["entry"][0]["fullUrl"]
        assert media["bodySite"]["text"] == "left ankle (lateral malleolus)"
        assert media["operator"]["display"] == "clinician"
        assert media["createdDateTime"] and media["issued"]
        data = base64.b64decode(media["content"]["data"])
        assert media["content"]["hash"] == base64.b64encode(hashlib.sha1(data).digest()).decode()
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.format == "JPEG" and not picture.getexif()
            assert "icc_profile" not in picture.info and "comment" not in picture.info
        assert b"GPS" not in data and b"NIKON" not in data
    care, written = sorted(resources["Consent"], key=lambda c: c["extension"][0]["valueCode"])
    assert care["extension"][0]["valueCode"] == "verbal"
    assert care["scope"]["coding"][0]["code"] == "patient-privacy"
    assert care["category"][0]["coding"][0]["code"] == "59284-0"
    assert care["provision"]["type"] == "permit"
    assert care["provision"]["purpose"][0]["code"] == "TREAT"
    assert care["provision"]["actor"][0]["reference"]["display"] == "the treating team"
    assert "sourceAttachment" not in care
    assert written["status"] == "active"
    assert written["identifier"][0]["value"] == teaching.code
    assert written["provision"]["purpose"][0]["code"] == "education"
    form = base64.b64decode(written["sourceAttachment"]["data"])
    with Image.open(io.BytesIO(form)) as picture:
        assert picture.format == "JPEG" and not picture.getexif()

    document = next(b for b in bundles if "DocumentReference" in str(b))
    [reference] = [e["resource"] for e in document["entry"]
                   if e["resource"]["resourceType"] == "DocumentReference"]
    assert reference["description"] == "rash" and reference["author"][0]["display"]
    assert reference["content"][0]["attachment"]["contentType"] == "image/jpeg"

    # The patient import reads the exported Patient back as the same patient.
    [record] = [r for r in read_fhir(paths[0]) if isinstance(r, SourceRecord)]
    assert record.details.record_number == "MN1990"
    assert record.details.family_name == "Nguyen" and record.details.given_names == "Mai"
    assert record.details.birth_date == date(1990, 6, 5) and record.details.sex == "female"

    with login("admin").vault.index() as conn:
        exported = [json.loads(d) for a, d in conn.execute(
            "SELECT action, detail FROM audit ORDER BY seq") if a == "images.exported"]
    assert exported[-1]["format"] == "fhir"


def test_a_withdrawal_shows_as_a_denying_provision_and_teaching_is_never_a_fhir_bundle(
        vault_path, login, two_episodes, tmp_path):
    _, body, _, teaching = two_episodes
    ConsentService(login("clinician")).withdraw(teaching.code, frozenset({Purpose.EDUCATION}),
                                               reason="asked us to stop")
    code, out, err = as_user(vault_path, "clinician", "export", "--images",
                             ",".join(map(str, body)), "--purpose", "clinical-care",
                             "--recipient", "treating-team", "--format", "fhir",
                             "--out", str(tmp_path / "out"), "--json")
    assert code == 0, err
    [path] = (tmp_path / "out").iterdir()
    bundle = json.loads(path.read_text())
    Bundle.model_validate(bundle)
    [written] = [e["resource"] for e in bundle["entry"]
                 if e["resource"].get("identifier", [{}])[0].get("value") == teaching.code]
    assert written["status"] == "inactive"
    assert written["provision"]["provision"][0]["type"] == "deny"

    code, _, err = as_user(vault_path, "clinician", "export", "--images",
                           ",".join(map(str, body)), "--purpose", "education",
                           "--recipient", "students", "--format", "fhir",
                           "--out", str(tmp_path / "teach"))
    assert code in (2, 3) and not (tmp_path / "teach").exists()
