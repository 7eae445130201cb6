"""The filing and consent verbs, run in-process as a person would type them."""

from __future__ import annotations

import json

import pytest

from tests.unit.app.cli.calling import as_user


@pytest.mark.slow
def test_file_consent_check_and_withdraw(vault_path, add_patient, add_inbox_image):
    patient = add_patient(record_number="MN1990")
    first, second = add_inbox_image(), add_inbox_image()

    code, out, err = as_user(vault_path, "clinician", "file", str(first), str(second),
                          "--patient", "MN1990", "--kind", "clinical-photo",
                          "--body-site", "left-lower-leg", "--json")
    assert code == 3 and "needs the patient's consent for clinical care" in err

    code, out, _ = as_user(vault_path, "clinician", "consent add", "--patient", str(patient),
                        "--purposes", "clinical-care", "--method", "verbal",
                        "--recipients", "treating-team,Wound nurse Kim", "--told", "all",
                        "--json")
    assert code == 0
    consent = json.loads(out)
    assert consent["recipients"] == ["treating-team", "Wound nurse Kim"]

    code, out, _ = as_user(vault_path, "clinician", "file", str(first), str(second),
                        "--patient", "MN1990", "--kind", "clinical-photo",
                        "--body-site", "left-lower-leg: medial gaiter", "--description",
                        "venous ulcer", "--consent", consent["code"], "--json")
    assert code == 0
    filed = json.loads(out)
    assert [i["image_id"] for i in filed["images"]] == [first, second]
    assert filed["patient_id"] == patient

    code, out, _ = as_user(vault_path, "reception", "check", str(first), "--purpose",
                        "clinical-care", "--recipient", "wound nurse kim")
    assert code == 0 and out.startswith("allowed:")

    code, out, _ = as_user(vault_path, "reception", "check", str(first), "--purpose", "education",
                        "--recipient", "students")
    assert code == 3
    assert "refused: needs the patient's consent for education; none recorded" in out

    code, out, _ = as_user(vault_path, "reception", "consent withdraw", consent["code"],
                        "--reason", "patient phoned", "--json")
    assert code == 0 and json.loads(out)["withdrawn"] == ["clinical-care"]

    code, out, _ = as_user(vault_path, "clinician", "check", str(first), "--purpose",
                        "clinical-care", "--recipient", "treating-team", "--json")
    assert code == 3 and "withdrew" in json.loads(out)["reason"]

    code, out, _ = as_user(vault_path, "reception", "consent show", "--patient", "MN1990")
    assert code == 0 and "withdrawn for clinical care" in out


def test_words_outside_the_vocabulary_are_explained(vault_path, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    code, _, err = as_user(vault_path, "reception", "file", str(image), "--patient", str(patient),
                        "--kind", "selfie", "--body-site", "left-ankle")
    assert code == 2 and "clinical-photo, document, patient-sent" in err
    code, _, err = as_user(vault_path, "reception", "file", str(image), "--patient", str(patient),
                        "--kind", "patient-sent", "--body-site", "ankle")
    assert code == 2 and "Say which side" in err


def test_correction_and_retention_verbs(vault_path, add_patient, add_inbox_image):
    wrong, right = add_patient(), add_patient("Nguyen", "Minh", record_number="NM2001")
    image = add_inbox_image()
    assert as_user(vault_path, "reception", "file", str(image), "--patient", str(wrong),
                "--kind", "patient-sent", "--body-site", "left-ankle")[0] == 0
    code, out, _ = as_user(vault_path, "clinician", "correct", str(image), "--patient", "NM2001",
                        "--reason", "wrong Nguyen", "--json")
    assert code == 0 and json.loads(out)["patient_id"] == right
    code, out, _ = as_user(vault_path, "admin", "retention due", "--json")
    assert code == 0 and json.loads(out) == []
    code, _, err = as_user(vault_path, "admin", "retention delete", str(image), "--reason", "old")
    assert code == 2 and "not due" in err


def test_class_and_purpose_words_however_written(vault_path, add_patient, add_inbox_image,
                                                 tmp_path):
    patient, image = add_patient(record_number="MN1990"), add_inbox_image()
    code, _, err = as_user(vault_path, "clinician", "consent add", "--patient", "MN1990",
                           "--purposes", "Clinical Care", "--method", "verbal",
                           "--recipients", "STUDENTS", "--told", "all")
    assert code == 2 and "Students do not look after the patient" in err
    code, out, _ = as_user(vault_path, "clinician", "consent add", "--patient", "MN1990",
                           "--purposes", "EDUCATION", "--method", "Verbal",
                           "--recipients", " The  Public, dr  lee", "--told", "all", "--json")
    assert code == 0 and json.loads(out)["recipients"] == ["public", "dr lee"]
    assert as_user(vault_path, "reception", "file", str(image), "--patient", str(patient),
                   "--kind", "Document", "--body-site", "none")[0] == 0

    code, out, _ = as_user(vault_path, "reception", "check", str(image), "--purpose",
                           "clinical care", "--recipient", "STUDENTS")
    assert code == 3 and "refused: Students do not look after the patient" in out
    code, out, _ = as_user(vault_path, "reception", "check", str(image), "--purpose",
                           "Education", "--recipient", "the public")
    assert code == 0 and out.startswith("allowed:")
    code, out, _ = as_user(vault_path, "reception", "check", str(image), "--purpose",
                           "education", "--recipient", "DR LEE")
    assert code == 0 and out.startswith("allowed:")

    code, _, err = as_user(vault_path, "clinician", "export", "--images", str(image),
                           "--purpose", "CLINICAL-CARE", "--recipient", " Students ",
                           "--format", "jpeg", "--out", str(tmp_path / "out"))
    assert code == 3 and "Students do not look after the patient" in err


def test_an_empty_recipient_is_a_usage_error(vault_path):
    code, _, err = as_user(vault_path, "reception", "check", "1", "--purpose", "education",
                           "--recipient", " \u200b ")
    assert code == 2 and "a recipient needs a class word or a name" in err
