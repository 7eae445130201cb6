"""The filing and consent verbs, run in-process as a person would type them."""

from __future__ import annotations

import io
import json

import pytest

from app.cli.common import Console
from app.cli.main import run
from tests.conftest import PASSWORDS


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def call(vault_path, user: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(stdin=_Stdin(PASSWORDS[user] + "\n"), stdout=out, stderr=err)
    verb, *rest = argv
    words = verb.split()
    code = run([*words, str(vault_path), *rest, "--user", user, "--password-stdin"], console)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_file_consent_check_and_withdraw(vault_path, add_patient, add_inbox_image):
    patient = add_patient(record_number="MN1990")
    first, second = add_inbox_image(), add_inbox_image()

    code, out, err = call(vault_path, "clinician", "file", str(first), str(second),
                          "--patient", "MN1990", "--kind", "clinical-photo",
                          "--body-site", "left-lower-leg", "--json")
    assert code == 3 and "needs the patient's consent for clinical care" in err

    code, out, _ = call(vault_path, "clinician", "consent add", "--patient", str(patient),
                        "--purposes", "clinical-care", "--method", "verbal",
                        "--recipients", "treating-team,Wound nurse Kim", "--told", "all",
                        "--json")
    assert code == 0
    consent = json.loads(out)
    assert consent["recipients"] == ["treating-team", "Wound nurse Kim"]

    code, out, _ = call(vault_path, "clinician", "file", str(first), str(second),
                        "--patient", "MN1990", "--kind", "clinical-photo",
                        "--body-site", "left-lower-leg: medial gaiter", "--description",
                        "venous ulcer", "--consent", consent["code"], "--json")
    assert code == 0
    filed = json.loads(out)
    assert [i["image_id"] for i in filed["images"]] == [first, second]
    assert filed["patient_id"] == patient

    code, out, _ = call(vault_path, "reception", "check", str(first), "--purpose",
                        "clinical-care", "--recipient", "wound nurse kim")
    assert code == 0 and out.startswith("allowed:")

    code, out, _ = call(vault_path, "reception", "check", str(first), "--purpose", "education",
                        "--recipient", "students")
    assert code == 3
    assert "refused: needs the patient's consent for education; none recorded" in out

    code, out, _ = call(vault_path, "reception", "consent withdraw", consent["code"],
                        "--reason", "patient phoned", "--json")
    assert code == 0 and json.loads(out)["withdrawn"] == ["clinical-care"]

    code, out, _ = call(vault_path, "clinician", "check", str(first), "--purpose",
                        "clinical-care", "--recipient", "treating-team", "--json")
    assert code == 3 and "withdrew" in json.loads(out)["reason"]

    code, out, _ = call(vault_path, "reception", "consent show", "--patient", "MN1990")
    assert code == 0 and "withdrawn for clinical care" in out


def test_words_outside_the_vocabulary_are_explained(vault_path, add_patient, add_inbox_image):
    patient, image = add_patient(), add_inbox_image()
    code, _, err = call(vault_path, "reception", "file", str(image), "--patient", str(patient),
                        "--kind", "selfie", "--body-site", "left-ankle")
    assert code == 2 and "clinical-photo, document, patient-sent" in err
    code, _, err = call(vault_path, "reception", "file", str(image), "--patient", str(patient),
                        "--kind", "patient-sent", "--body-site", "ankle")
    assert code == 2 and "Say which side" in err


def test_correction_and_retention_verbs(vault_path, add_patient, add_inbox_image):
    wrong, right = add_patient(), add_patient("Nguyen", "Minh", record_number="NM2001")
    image = add_inbox_image()
    assert call(vault_path, "reception", "file", str(image), "--patient", str(wrong),
                "--kind", "patient-sent", "--body-site", "left-ankle")[0] == 0
    code, out, _ = call(vault_path, "clinician", "correct", str(image), "--patient", "NM2001",
                        "--reason", "wrong Nguyen", "--json")
    assert code == 0 and json.loads(out)["patient_id"] == right
    code, out, _ = call(vault_path, "admin", "retention due", "--json")
    assert code == 0 and json.loads(out) == []
    code, _, err = call(vault_path, "admin", "retention delete", str(image), "--reason", "old")
    assert code == 2 and "not due" in err
