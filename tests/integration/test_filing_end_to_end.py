"""From the inbox through filing to an allowed and a refused export, as the design's day goes.

The import pipeline had not landed when this was written, so the two photos
enter the inbox through ``vault_rows.add_inbox_image`` (plain SQL into the
``images`` table, with real blobs in the blob store). The patient comes in
through the patient index's own repository; filing, consent, the check verb
and the export gate are the real ones, on a real encrypted vault.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from clinfile.app.consent.service import ConsentService
from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.uses.gate import Channel, UseRefused, authorise_use
from clinfile.db.connection import transaction
from clinfile.db.patients import PatientRepository, PatientValues
from tests.unit.app.cli.calling import as_user
from tests.unit.app.consent.vault_rows import add_inbox_image

TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
CONFERENCE = Recipient(group=RecipientClass.PUBLIC)


@pytest.mark.slow
def test_leg_ulcer_filed_on_verbal_consent_then_teaching_refused_until_signed(vault_path, login):
    admin = login("admin")
    with admin.vault.index() as conn, transaction(conn):
        patient = PatientRepository(conn).add(PatientValues(
            record_number="MN1990", family_name="Nguyen", given_names="Mai",
            birth_date="1990-06-05"), "2026-11-22T08:00:00+00:00").id
    photos = [add_inbox_image(admin.vault), add_inbox_image(admin.vault)]

    # 10:40 — verbal consent for clinical care, the treating team and the wound nurse.
    code, out, _ = as_user(vault_path, "clinician", "consent add", "--patient", "MN1990",
                            "--purposes", "clinical-care", "--method", "verbal",
                            "--recipients", "treating-team,Wound nurse Kim", "--told", "all",
                            "--json")
    assert code == 0, out
    care = json.loads(out)
    code, out, err = as_user(vault_path, "clinician", "file", *map(str, photos),
                              "--patient", "MN1990", "--kind", "clinical-photo",
                              "--body-site", "left-lower-leg", "--description", "leg ulcer",
                              "--consent", care["code"], "--episode", "leg ulcer review",
                              "--json")
    assert code == 0, err
    filed = json.loads(out)
    assert [i["image_id"] for i in filed["images"]] == photos
    assert {i["patient_id"] for i in filed["images"]} == {patient}
    assert filed["images"][0]["keep_until"].startswith(str(date.today().year + 7))

    clinician = login("clinician")
    allowed = authorise_use(clinician, photos, Purpose.CLINICAL_CARE,
                            Recipient(name="wound nurse kim"), channel=Channel.SHARE)
    assert len(allowed.use_ids) == 2

    # 14:15 — a registrar wants the photos for a conference talk.
    code, out, _ = as_user(vault_path, "clinician", "check", str(photos[0]),
                            "--purpose", "education", "--recipient", "public", "--deidentified")
    assert code == 3
    assert "needs the patient's consent for education; none recorded" in out
    with pytest.raises(UseRefused):
        authorise_use(clinician, photos, Purpose.EDUCATION, CONFERENCE, deidentified=True)

    # Reception prints the form; the patient signs; the scan is attached.
    code, out, _ = as_user(vault_path, "clinician", "consent add", "--patient", str(patient),
                            "--purposes", "education", "--method", "written",
                            "--recipients", "public,students", "--told", "all",
                            "--images", ",".join(map(str, photos)), "--json")
    teaching = json.loads(out)
    assert teaching["awaiting_signature"]
    code, out, _ = as_user(vault_path, "clinician", "check", str(photos[0]),
                            "--purpose", "education", "--recipient", "public")
    assert code == 3 and "has not come back signed" in out
    scan = admin.vault.blobs.put_bytes(b"the signed consent form, photographed").id
    ConsentService(login("reception")).attach_signed_form(teaching["code"], scan)

    exported = authorise_use(clinician, photos, Purpose.EDUCATION, CONFERENCE,
                             deidentified=True)
    assert all(d.consent_id == teaching["id"] for _, d in exported.decisions)

    # Later the patient withdraws; the conference export is listed for follow-up.
    code, out, _ = as_user(vault_path, "reception", "consent withdraw", teaching["code"],
                            "--reason", "patient asked by phone", "--json")
    withdrawal = json.loads(out)
    assert sorted(u["image_id"] for u in withdrawal["uses_not_known_sent"]) == photos
    with pytest.raises(UseRefused, match="withdrew consent for education"):
        authorise_use(clinician, photos, Purpose.EDUCATION, CONFERENCE)

    with admin.vault.index() as conn:
        assert admin.vault.audit.problems(conn) == []
        actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]
    assert {"consent.recorded", "image.filed", "use.allowed", "use.refused",
            "consent.form_attached", "consent.withdrawn"} <= set(actions)
