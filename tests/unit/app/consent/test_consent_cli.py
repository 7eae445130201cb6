"""The filing and consent verbs, run in-process as a person would type them."""

from __future__ import annotations

import json

import pytest

from tests.unit.app.cli.calling import as_user, call


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
                        "--from", str(wrong), "--reason", "wrong Nguyen", "--json")
    assert code == 0 and json.loads(out)["patient_id"] == right
    code, out, _ = as_user(vault_path, "admin", "retention due", "--json")
    assert code == 0 and json.loads(out) == []
    code, _, err = as_user(vault_path, "admin", "retention delete", str(image), "--reason", "old")
    assert code == 2 and f"Picture {image} is kept until " in err and "nothing was deleted" in err


def test_several_pictures_are_corrected_on_the_command_line_all_or_none(
        vault_path, add_patient, add_inbox_image):
    may, mai = add_patient("Nguyen", "May", record_number="MRN1002"), add_patient()
    images = [str(add_inbox_image()) for _ in range(3)]
    assert as_user(vault_path, "reception", "file", *images, "--patient", "MRN1002",
                   "--kind", "patient-sent", "--body-site", "left-ankle")[0] == 0
    assert as_user(vault_path, "clinician", "correct", images[1], "--body-site", "right-ankle",
                   "--from", "MRN1002", "--reason", "other side")[0] == 0
    assert as_user(vault_path, "clinician", "correct", images[1], "--patient", str(mai),
                   "--from", "MRN1002", "--reason", "wrong Nguyen")[0] == 0

    code, _, err = as_user(vault_path, "clinician", "correct", *images, "--patient", str(mai),
                           "--from", "MRN1002", "--reason", "wrong Nguyen")
    assert code == 2
    assert ("The picture of the right ankle taken 20/11/2026 (sent by the patient) is no "
            "longer in the record of NGUYEN, May (record MRN1002)") in " ".join(err.split())
    code, out, _ = as_user(vault_path, "clinician", "correct", images[0], images[2],
                           "--patient", str(mai), "--from", str(may), "--reason", "wrong Nguyen",
                           "--json")
    assert code == 0
    assert [(i["image_id"], i["patient_id"]) for i in json.loads(out)] == [
        (int(images[0]), mai), (int(images[2]), mai)]


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


def test_a_correction_names_the_record_the_picture_was_seen_in(vault_path, add_patient,
                                                                add_inbox_image, capsys):
    may = add_patient("Nguyen", "May", record_number="MRN1002")
    add_patient(record_number="MRN1001")
    add_patient("Okafor", "Ada", record_number="MRN1003")
    image = add_inbox_image()
    assert as_user(vault_path, "reception", "file", str(image), "--patient", "MRN1002",
                   "--kind", "patient-sent", "--body-site", "left-ankle")[0] == 0

    code, _, _ = as_user(vault_path, "clinician", "correct", str(image), "--patient",
                         "MRN1001", "--reason", "wrong Nguyen")
    assert code == 2 and "required: --from" in capsys.readouterr().err
    assert call(["correct", "--help"])[0] == 0
    assert "someone else moved meanwhile is refused" in " ".join(capsys.readouterr().out.split())

    assert as_user(vault_path, "clinician", "correct", str(image), "--patient", "MRN1003",
                   "--from", "MRN1002", "--reason", "wrong Nguyen")[0] == 0
    code, _, err = as_user(vault_path, "clinician", "correct", str(image), "--patient",
                           "MRN1001", "--from", str(may), "--reason", "wrong Nguyen")
    assert code == 2
    assert ("(sent by the patient) is no longer in the record of NGUYEN, May (record MRN1002): it "
            "was moved to the record of OKAFOR, Ada (record MRN1003) since; nothing was "
            "corrected.") in " ".join(err.split())


def test_a_reason_of_ten_thousand_characters_is_refused(vault_path, add_patient,
                                                        add_inbox_image):
    from clinfile.app.filing.service import REASON_LIMIT

    add_patient(record_number="MRN1001")
    add_patient("Okafor", "Ada", record_number="MRN1003")
    image = add_inbox_image()
    assert as_user(vault_path, "reception", "file", str(image), "--patient", "MRN1001",
                   "--kind", "patient-sent", "--body-site", "left-ankle")[0] == 0
    code, _, err = as_user(vault_path, "clinician", "correct", str(image), "--patient",
                           "MRN1003", "--from", "MRN1001", "--reason", "x" * 10_000)
    assert code == 2
    assert f"The reason is 10000 characters long; say why in at most {REASON_LIMIT}" in err
    assert as_user(vault_path, "clinician", "correct", str(image), "--patient", "MRN1003",
                   "--from", "MRN1001", "--reason", "x" * REASON_LIMIT)[0] == 0


@pytest.mark.parametrize("typed", ["mrn1001", "  Mrn1001 ", "MRN1001"])
def test_a_record_number_is_found_in_any_letter_case(vault_path, add_patient, add_inbox_image,
                                                     typed):
    mai = add_patient(record_number="MRN1001")
    image = add_inbox_image()
    code, out, err = as_user(vault_path, "reception", "file", str(image), "--patient", typed,
                             "--kind", "patient-sent", "--body-site", "left-ankle", "--json")
    assert code == 0, err
    assert json.loads(out)["patient_id"] == mai


def test_a_record_number_two_patients_hold_in_different_capitals_is_not_guessed(
        vault_path, add_patient, add_inbox_image):
    add_patient(record_number="ab12")
    add_patient("Okafor", "Ada", record_number="AB12")
    image = add_inbox_image()
    code, _, err = as_user(vault_path, "reception", "file", str(image), "--patient", "Ab12",
                           "--kind", "patient-sent", "--body-site", "left-ankle")
    assert code == 2 and "belong to different patients" in err
    code, out, err = as_user(vault_path, "reception", "file", str(image), "--patient", "AB12",
                             "--kind", "patient-sent", "--body-site", "left-ankle", "--json")
    assert code == 2 and "belong to different patients" in err


def test_reception_is_told_it_may_not_see_what_is_due_for_deletion(vault_path):
    code, _, err = as_user(vault_path, "reception", "retention due")
    assert code == 3
    assert "may not see which pictures are due for deletion" in err
    assert "delete images" not in err
    assert as_user(vault_path, "admin", "retention due")[0] == 0
