"""A privacy officer reads the audit in words: people by name, days on the practice's
clock, numbers that agree with their words, and no key, fingerprint or id they cannot use."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import date

import pytest

from clinfile.app.audit.actions import ACTS
from clinfile.app.audit.lines import AuditLine
from clinfile.app.audit.naming import AuditNames
from clinfile.app.audit.service import AuditFilter, AuditService
from clinfile.app.audit.verdict import ChainVerdict
from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.security.users import UserService
from clinfile.db.audit import AuditRow
from clinfile.db.connection import transaction
from clinfile.db.users import UserRepository
from tests.unit.app.consent import vault_rows

HEX = "3431f489b82d8539fcdf90ed888b664869467c973b4edc7feba13749f9100533"
UUID = "33ad41b6-3671-4bc0-992b-de12ca8c0186"
STAMP = "2026-05-03T00:14:00.000+00:00"
# Each act with details as the code stores them: every key a row of that act can carry.
STORED: dict[str, tuple[str, dict]] = {
    "archive.kept": ("patient 1", {"sop_instance_uid": "1.2.826.0.1.3680043.8.498.1",
                                   "blob": HEX}),
    "archive.searched": ("patient 1", {"found": 1, "problem": ""}),
    "archive.viewed": ("patient 1", {"sop_instance_uid": "1.2.826.0.1.3680043.8.498.1",
                                     "kept_at": STAMP}),
    "audit.exported": ("/home/jo/audit.pdf", {"first_day": "2026-05-01",
                                              "last_day": "2026-05-31", "user": "drpatel",
                                              "action": "images.exported", "rows": 1,
                                              "format": "pdf"}),
    "audit.forwarding_set": ("logs.example:514", {}),
    "audit.seal_key_not_vouched": ("", {}),
    "audit.seal_key_replaced": ("", {}),
    "audit.tampering_found": ("", {"problems": ["row 3 is missing"]}),
    "audit.unsealed_act_sealed": ("drpatel", {"rows": [5, 9]}),
    "audit.viewed": ("", {"first_day": "2026-05-01", "user": "drpatel", "patient": "900001",
                          "action": "image.filed", "rows": 1}),
    "consent.form_attached": ("consent 1", {"patient_id": 1, "blob": HEX}),
    "consent.form_not_attached": ("image 1", {"code": "BREA6W7E", "reason": "not read"}),
    "consent.form_recognised": ("image 1", {"consent_id": 1, "code": "BREA6W7E",
                                            "blob": HEX}),
    "consent.recorded": ("consent 1", {"patient_id": 1, "code": "BREA6W7E",
                                       "method": "verbal", "purposes": ["clinical-care"],
                                       "recipients": ["treating-team"], "images": [],
                                       "obtained_by": "drpatel"}),
    "consent.withdrawn": ("consent 1", {"patient_id": 1, "purposes": ["education"],
                                        "reason": "asked", "uses_already_made": [3, 4],
                                        "uses_not_known_sent": [5]}),
    "device.import.began": ("Canon camera", {"folder": "/media/cam/DCIM"}),
    "device.import.ended": ("Canon camera", {"stored": 1, "deleted": 1}),
    "device.import.told": ("Canon camera", {"stored": 1, "deleted": 0}),
    "fhir_server.configured": ("https://fhir.example/r4", {"page_size": 50,
                                                           "token_kept": True}),
    "filing.corrected": ("image 1", {"what": "body-site", "from": "left-knee",
                                     "to": "right-knee", "reason": "wrong side"}),
    "filing.refused": ("patient 1", {"images": [1], "kind": "clinical-photo",
                                     "reason": "no consent"}),
    "image.deleted": ("image 1", {"patient_id": 1, "keep_until": "2033-05-03",
                                  "reason": "kept long enough"}),
    "image.duplicate": ("image 1", {"sha256": HEX, "source": "/drop/a.jpg",
                                    "source_kind": "drop_folder"}),
    "image.filed": ("image 1", {"patient_id": 1, "episode_id": 3, "kind": "clinical-photo",
                                "body_site": "left-knee", "consent_id": 1, "secondary": False,
                                "workstation": "DESK1"}),
    "image.imported": ("image 1", {"sha256": HEX, "source": "/drop/a.jpg",
                                   "source_kind": "device", "format": "jpeg",
                                   "size": 2_500_000}),
    "image.quarantined": ("/drop/letter.jpg", {"reason": "not a picture", "size": 44}),
    "image.viewed": ("image 1", {}),
    "images.exported": ("patient 1", {"images": [1], "purpose": "clinical-care",
                                      "recipient": "specialist", "format": "pdf",
                                      "deidentified": False, "files": ["/out/a.pdf"]}),
    "import.undone": ("/drop/a.jpg", {"sha256": HEX, "why": "cancelled"}),
    "incident.reported": ("patient 1", {"incident": 1, "export_entry": 49,
                                        "sent_to": "Dr Smith", "found_on": "2026-05-03"}),
    "incident.summary_printed": ("incident 1", {"file": "/home/jo/incident.pdf"}),
    "login.failed": ("drpatel", {"reason": "wrong password", "attempted_at": STAMP}),
    "login.recovery_key": ("", {"login_notes": {"id": HEX[:32], "up_to": 354,
                                                "sha256": HEX}}),
    "login.refused": ("drpatel", {"reason": "account disabled or removed"}),
    "login.succeeded": ("drpatel", {"login_notes": {"id": HEX[:32], "up_to": 354,
                                                    "sha256": HEX}}),
    "pacs.configured": ("", {"host": "pacs.local", "port": 104, "called_ae": "ORTHANC",
                             "calling_ae": "CLINFILE", "tls": False, "dicomweb_url": "",
                             "dicomweb_password_kept": False}),
    "pacs.not_stored": ("image 1", {"archive": "ORTHANC@pacs.local:104",
                                    "sop_instance_uid": "1.2.826.0.1.3680043.8.498.1",
                                    "problem": "refused"}),
    "pacs.queued": ("image 1", {"count": 1}),
    "pacs.send_failed": ("ORTHANC@pacs.local:104", {"sent": 0, "tried": 1,
                                                    "problem": "no answer"}),
    "pacs.send_finished": ("ORTHANC@pacs.local:104", {"sent": 1, "tried": 1,
                                                      "problem": ""}),
    "pacs.sent": ("image 1", {"archive": "ORTHANC@pacs.local:104",
                              "sop_instance_uid": "1.2.826.0.1.3680043.8.498.1",
                              "problem": ""}),
    "patient.added": ("patient 1", {"record_number": "900001", "warnings": 1}),
    "patient.edited": ("patient 1", {"record_number": "900001",
                                     "changed": ["family_name", "birth_date"]}),
    "patients.imported": ("patients.csv", {"source": "patients.csv", "format": "csv",
                                           "added": 1, "updated": 0, "unchanged": 0,
                                           "problems": 0, "warnings": 1}),
    "patients.mapping_saved": ("Best Practice", {}),
    "policy.refused": ("patient 1", {"permission": "export images", "roles": ["reception"]}),
    "quarantine.deleted": ("/drop/letter.jpg", {"file_was_there": True}),
    "quarantine.forgotten": ("/drop/letter.jpg", {"reason": "file gone"}),
    "quarantine.released": ("/drop/letter.jpg", {"to": "/home/jo/letter.jpg"}),
    "recovery_key.renewed": ("", {}),
    "report.blank_consent_form_printed": ("", {"files": ["/out/form.pdf"]}),
    "report.consent_form_printed": ("consent 1", {"patient_id": 1, "code": "BREA6W7E",
                                                  "files": ["/out/form.pdf"]}),
    "report.recovery_sheet_printed": ("", {"file": "/home/jo/sheet.pdf"}),
    "report.summary_written": ("patient 1", {"images": [1], "files": ["/out/s.pdf"]}),
    "report.write_failed": ("patient 1", {"folder": "/out", "files": ["s.pdf"],
                                          "error": "disk full", "uses_not_made": [7]}),
    "settings.changed": ("", {"retention_years": {"from": 7, "to": 8}}),
    "source.deleted": ("/drop/a.jpg", {"source": "/drop/a.jpg", "source_kind": "drop_folder",
                                       "sha256": HEX, "image": 1}),
    "source.gone": ("/drop/a.jpg", {"source": "/drop/a.jpg", "source_kind": "device",
                                    "sha256": None, "image": None, "note": "already gone"}),
    "source.kept": ("/drop/a.jpg", {"source": "/drop/a.jpg", "source_kind": "manual",
                                    "sha256": HEX, "image": 1, "note": "read-only card"}),
    "use.allowed": ("image 1", {"purpose": "clinical-care", "recipient": "treating-team",
                                "channel": "export", "deidentified": False, "consents": [1]}),
    "use.refused": ("image 1", {"purpose": "education", "recipient": "students",
                                "channel": "export", "reason": "no consent", "asked": [1]}),
    "user.added": ("drpatel", {"roles": ["clinician"], "full_name": "Dr Priya Patel"}),
    "user.disabled": ("reception", {}),
    "user.password_changed": ("drpatel", {}),
    "user.enabled": ("drpatel", {}),
    "user.password_recovered": ("admin", {}),
    "user.password_reset_with_recovery_key": ("drpatel", {}),
    "user.renamed": ("drpatel", {"full_name": "Dr Priya Patel"}),
    "user.roles_changed": ("drpatel", {"roles": ["clinician", "admin"]}),
    "vault.backed_up": ("/mnt/backup", {"copied": 1, "copied_bytes": 2_500_000}),
    "vault.created": ("", {"vault_id": UUID}),
    "vault.keys_changed": ("", {"reason": "a user was disabled", "epoch": 2}),
    "vault.locked": ("", {"reason": "by hand"}),
    "vault.older_copy_accepted": ("", {"why": "restored from the backup"}),
    "vault.permissions_tightened": ("", {"paths": ["index.db"]}),
    "vault.rekey_finished": ("", {"epoch": 2}),
    "vault.restored": ("/mnt/backup", {"restored_at": STAMP, "backup_latest": STAMP,
                                       "files": 12}),
    "vault.unlocked": ("", {}),
    "vault.verified": ("", {"ok": False, "problems": 1}),
}
# What a privacy officer cannot read: long runs of hex, key words, stored ISO days and
# stamps, stored spellings, and one of a thing counted as many.
JARGON = re.compile(r"[0-9a-f]{12,}|[0-9a-f]{8}-[0-9a-f]{4}|SHA|fingerprint|\bblob\b|"
                    r"\bepoch\b|\buid\b|\bid\b|\d{4}-\d\d-\d\d|_|"
                    r"(?-i:\bTrue\b|\bFalse\b|\bNone\b)|"
                    r"\b1 (entries|pictures|problems|files|uses)\b", re.IGNORECASE)


def test_every_act_is_given_stored_details_here():
    assert STORED.keys() == ACTS.keys()


@pytest.mark.parametrize("code", sorted(STORED))
def test_each_act_reads_without_keys_ids_or_stored_spellings(login, code, practice_time_zone):
    practice_time_zone("Australia/Melbourne")
    admin = login()
    subject, detail = STORED[code]
    with admin.vault.index() as conn:
        row = AuditRow(7, "2026-12-01T09:30:00.000+00:00", "drpatel", code, subject,
                       json.dumps(detail), "", "")
        line = AuditLine.of(row, AuditNames(conn))
    for said in (line.what, line.subject, line.details):
        assert not JARGON.search(said), f"{code}: {said}"


def test_a_reported_incident_gives_the_day_found_on_the_practice_s_clock(login):
    admin = login()
    with admin.vault.index() as conn:
        row = AuditRow(7, "2026-12-01T09:30:00.000+00:00", "drpatel", "incident.reported",
                       "", json.dumps(STORED["incident.reported"][1]), "", "")
        line = AuditLine.of(row, AuditNames(conn))
    assert "(found on 03/05/2026)" in line.what, line.what
    assert "the export: entry 49" in line.details, line.details


def test_an_imported_picture_says_how_big_it_was_not_its_fingerprint(login):
    admin = login()
    with admin.vault.index() as conn:
        row = AuditRow(7, "2026-12-01T09:30:00.000+00:00", "reception", "image.imported",
                       "image 1", json.dumps(STORED["image.imported"][1]), "", "")
        line = AuditLine.of(row, AuditNames(conn))
    assert line.what == ("Took /drop/a.jpg into the vault as picture 1 "
                         "(from a camera or phone)"), line.what
    assert line.details == "format: JPEG; size: 2.5 MB", line.details


def test_counts_agree_with_their_words():
    assert "its only entry" in ChainVerdict(1, ()).words
    assert "1 entries" not in ChainVerdict(1, ()).words
    assert "its 2 entries follow" in ChainVerdict(2, ()).words


def test_who_acted_is_named_by_full_name_with_the_login_only_where_names_are_shared(
        login, tmp_path):
    admin = login()
    users = UserService(admin)
    users.set_full_name("clinician", "Dr Priya Patel")
    users.set_full_name("reception", "Sam Carter")
    users.add("sam2", "reception", "another front desk password", "Sam Carter Jr")
    with admin.vault.index() as conn, transaction(conn):  # as a vault from before the rule holds
        UserRepository(conn).set_full_name(UserRepository(conn).by_name("sam2").id, "Sam Carter")
    login("clinician").lock()
    for name in ("clinician", "reception", "sam2"):
        with admin.vault.index() as conn:
            row = AuditRow(7, "2026-12-01T09:30:00.000+00:00", name, "vault.unlocked", "",
                           "{}", "", "")
            said = AuditLine.of(row, AuditNames(conn)).actor
        assert said == {"clinician": "Dr Priya Patel", "reception": "Sam Carter (reception)",
                        "sam2": "Sam Carter (sam2)"}[name]
    service = AuditService(admin)
    people = service.choices().users
    assert people["clinician"] == "Dr Priya Patel"
    out = service.export(AuditFilter(user="clinician"), tmp_path / "a.csv", "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][2] == "Dr Priya Patel"
    out = service.export(AuditFilter(user="clinician"), tmp_path / "a.pdf", "pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", " ")
    assert "2 entries, by Dr Priya Patel." in text
    assert "Logged in" in text and "clinician" not in text


def test_a_filed_picture_is_named_with_when_it_was_taken(login):
    admin = login()
    patient = vault_rows.add_patient(admin.vault, record_number="900001")
    image = vault_rows.add_inbox_image(admin.vault, captured_at="2026-05-03T10:14:00")
    clinician = login("clinician")
    consent = ConsentService(clinician).record(ConsentRequest(
        patient, Method.VERBAL, frozenset({Purpose.CLINICAL_CARE}),
        (Recipient(group=RecipientClass.TREATING_TEAM),), "clinician", date.today(),
        disclosure=Disclosure(True, True, True)))
    FilingService(clinician).file(FilingRequest(
        (image,), patient, ImageKind.CLINICAL_PHOTO, BodySite.parse("left-lower-leg"),
        consent=consent.id))
    with admin.vault.index() as conn:
        said = AuditNames(conn).picture(image)
    assert said == (f"picture {image} of NGUYEN, Mai (record 900001), "
                    "taken 03/05/2026 10:14:00"), said


def test_the_verdict_names_who_sealed_the_trail(login):
    admin = login()
    UserService(admin).set_full_name("admin", "Ada Lovelace")
    words = AuditService(admin).verdict().words
    assert ", by Ada Lovelace on " in words, words


def test_an_original_deleted_once_safe_is_about_the_picture_it_became(login):
    admin = login()
    picture = vault_rows.add_inbox_image(admin.vault)
    with admin.vault.index() as conn:
        row = AuditRow(7, "2026-12-01T09:30:00.000+00:00", "reception", "source.deleted",
                       "/drop/a.jpg", json.dumps({**STORED["source.deleted"][1],
                                                  "image": picture}), "", "")
        line = AuditLine.of(row, AuditNames(conn))
    assert line.what == (f"Deleted /drop/a.jpg from where it came, once safe in the vault as "
                         f"picture {picture}"), line.what
    assert line.subject == f"picture {picture} (not filed)"
