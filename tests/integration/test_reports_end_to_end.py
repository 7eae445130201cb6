"""From real camera files in the vault to the summary, a refused and an allowed export.

The design's day: real camera files are imported through the pipeline and
filed on verbal consent; the summary lands in the outbox for the clinical record; a
teaching export is refused (exit 3) until the consent form is printed,
"signed", photographed askew and imported, when its QR code attaches it to
its consent with no manual matching and the de-identified export goes ahead.
Every PDF and picture is checked with qpdf, poppler and exiftool.

"""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import transaction
from clinfile.db.patients import PatientRepository, PatientValues
from tests.unit.app.cli.calling import as_user
from tests.unit.app.reports.conftest import IDENTIFIERS, PHOTOS
from tests.unit.app.reports.pdf_checks import (
    extract_images,
    jpeg_bytes,
    leaked_metadata,
    metadata_text,
    page_texts,
    photographed,
    qpdf_check,
    rasterise,
    require_tools,
)

pytestmark = pytest.mark.slow


def imported(vault_path, folder) -> list[int]:
    """Take a folder's pictures into the vault with ``clinfile import``; return the item ids."""
    code, out, err = as_user(vault_path, "reception", "import", str(folder), "--json")
    assert code == 0, err
    return sorted(item["item_id"] for item in json.loads(out)["imported"])


@pytest.fixture
def filed_photos(vault_path, login, corpus, tmp_path):
    """Three real camera photos imported, and filed to Mai Nguyen on verbal consent."""
    require_tools()
    with login("admin").vault.index() as conn, transaction(conn):
        patient = PatientRepository(conn).add(PatientValues(
            record_number="MN1990", family_name="Nguyen", given_names="Mai",
            birth_date="1990-06-05"), "2026-03-12T08:00:00+00:00").id
    drop = tmp_path / "drop"
    drop.mkdir()
    for name in PHOTOS[:3]:
        shutil.copy(corpus / "exif-samples" / name, drop / name.rsplit("/", 1)[-1])
    items = imported(vault_path, drop)
    assert len(items) == 3
    clinician = login("clinician")
    care = ConsentService(clinician).record(ConsentRequest(
        patient_id=patient, method=Method.VERBAL, purposes=frozenset({Purpose.CLINICAL_CARE}),
        recipients=(Recipient(group=RecipientClass.TREATING_TEAM),), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True)))
    FilingService(clinician).file(FilingRequest(
        image_ids=tuple(items), patient_id=patient, kind=ImageKind.CLINICAL_PHOTO,
        body_site=BodySite.parse("left-ankle: lateral malleolus"), description="rash",
        consent=care.code, episode_description="rash, left ankle"))
    return patient, items


def test_the_summary_lands_in_the_outbox_clean_and_named_for_the_record(
        vault_path, login, filed_photos, tmp_path):
    outbox = tmp_path / "clinical-software-import"
    code, out, err = as_user(vault_path, "reception", "report summary", "--patient", "MN1990",
                              "--out", str(outbox), "--json")
    assert code == 0, err
    [path] = map(lambda p: outbox / p.rsplit("/", 1)[-1], json.loads(out)["files"])
    assert path.name.startswith("NGUYEN_Mai_19900605_")
    assert path.name.endswith("_clinical-images.pdf")
    qpdf_check(path)
    pages = page_texts(path)
    assert len(pages) == 2
    for number, text in enumerate(pages, start=1):
        assert "NGUYEN, Mai" in text and "05/06/1990" in text and "MN1990" in text
        assert f"Page {number} of 2" in text
    text = " ".join(" ".join(pages).split())
    assert "Verbal consent of" in text and "given by the patient" in text
    assert "clinical care only" in text
    assert "rash, left ankle" in text
    with login("admin").vault.index() as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]
    assert "use.allowed" in actions and "report.summary_written" in actions
    metadata = metadata_text(path)
    assert not any(identifier in metadata for identifier in IDENTIFIERS)
    pictures = extract_images(path, tmp_path / "extracted")
    assert len(pictures) == 3
    assert all(leaked_metadata(p) == {} for p in pictures)


def test_the_summary_refuses_a_cloud_sync_outbox(vault_path, filed_photos, tmp_path):
    code, _, err = as_user(vault_path, "reception", "report summary", "--patient", "MN1990",
                            "--out", str(tmp_path / "OneDrive - Practice" / "import"))
    assert code == 2 and "OneDrive" in err


def test_teaching_is_refused_until_the_signed_form_comes_back_by_its_qr_code(
        vault_path, login, filed_photos, tmp_path):
    patient, items = filed_photos
    images = ",".join(map(str, items))
    teaching = ["--images", images, "--purpose", "education", "--recipient", "students",
                "--out", str(tmp_path / "teaching")]

    code, _, err = as_user(vault_path, "clinician", "export", *teaching, "--format", "jpeg")
    assert code == 3
    assert "needs the patient's consent for education; none recorded" in err
    assert not (tmp_path / "teaching").exists()

    # The clinician records the written consent; reception prints its form.
    written = ConsentService(login("clinician")).record(ConsentRequest(
        patient_id=patient, method=Method.WRITTEN, purposes=frozenset({Purpose.EDUCATION}),
        recipients=(Recipient(group=RecipientClass.STUDENTS),), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True),
        images=frozenset(items)))
    code, out, err = as_user(vault_path, "reception", "report consent-form",
                              "--consent", written.code, "--out", str(tmp_path / "forms"),
                              "--json")
    assert code == 0, err
    [form] = (tmp_path / "forms").iterdir()
    qpdf_check(form)
    assert written.code in page_texts(form)[0]
    code, _, _ = as_user(vault_path, "clinician", "export", *teaching, "--format", "jpeg")
    assert code == 3

    # The signed page is photographed on the desk and dropped in with the day's pictures.
    drop = tmp_path / "drop-2"
    drop.mkdir()
    page = photographed(rasterise(form, tmp_path, dpi=150), angle=-3.5, blur=1.2, noise=40)
    (drop / "IMG_2077.jpg").write_bytes(jpeg_bytes(page))
    code, out, err = as_user(vault_path, "reception", "import", str(drop), "--json")
    assert code == 0, err
    [scan] = json.loads(out)["imported"]
    scan_item = scan["item_id"]
    assert json.loads(out)["signed_forms"] == [{"item_id": scan_item, "code": written.code,
                                                 "consent_id": written.id, "problem": ""}]
    signed = ConsentService(login("clinician")).find(written.code)
    assert signed.signed_form_blob and not signed.awaiting_signature
    with login("admin").vault.index() as conn:
        status = conn.execute("SELECT status FROM images WHERE id = ?", (scan_item,)).fetchone()
    assert status == ("consent_form",)

    # Now the export goes ahead, with nothing that names the patient.
    code, out, err = as_user(vault_path, "clinician", "export", *teaching, "--format", "jpeg",
                              "--json")
    assert code == 0, err
    exported = sorted((tmp_path / "teaching").iterdir())
    assert [p.name for p in exported] == [f"education-image-0{n}.jpg" for n in (1, 2, 3)]
    for picture in exported:
        assert leaked_metadata(picture) == {}
        assert not any(i.encode() in picture.read_bytes() for i in IDENTIFIERS)

    code, out, err = as_user(vault_path, "clinician", "export", *teaching, "--format", "pdf",
                              "--json")
    assert code == 0, err
    sheet = tmp_path / "teaching" / "education-images.pdf"
    qpdf_check(sheet)
    everything = " ".join(page_texts(sheet)) + metadata_text(sheet)
    assert not any(identifier in everything for identifier in IDENTIFIERS)

    with login("admin").vault.index() as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]
    assert {"use.refused", "use.allowed", "images.exported", "report.consent_form_printed",
            "consent.form_attached", "consent.form_recognised"} <= set(actions)
    assert actions.count("images.exported") == 2


def test_an_export_for_care_keeps_the_patient_s_name_but_no_camera_metadata(
        vault_path, filed_photos, tmp_path):
    _, items = filed_photos
    out = tmp_path / "to-the-team"
    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                            "--purpose", "clinical-care", "--recipient", "treating-team",
                            "--format", "jpeg", "--out", str(out))
    assert code == 0, err
    exported = sorted(out.iterdir())
    assert len(exported) == len(items)
    assert all(p.name.startswith("NGUYEN_Mai_19900605_") for p in exported)
    assert all(leaked_metadata(p) == {} for p in exported)

    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                            "--purpose", "clinical-care", "--recipient", "Dr Jones, Skin Clinic",
                            "--format", "pdf", "--out", str(out))
    assert code == 3 and "does not include Dr Jones, Skin Clinic" in err


def test_a_refused_folder_records_no_use(vault_path, login, filed_photos, tmp_path):
    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                            "--purpose", "clinical-care", "--recipient", "treating-team",
                            "--format", "pdf", "--out", str(tmp_path / "Dropbox" / "out"))
    assert code == 2 and "Dropbox" in err
    with login("admin").vault.index() as conn:
        assert conn.execute("SELECT count(*) FROM image_uses").fetchone() == (0,)


def test_an_export_that_fails_part_way_leaves_nothing_and_is_audited(
        vault_path, login, filed_photos, tmp_path):
    done = tmp_path / "first"
    assert as_user(vault_path, "clinician", "export", "--patient", "MN1990", "--purpose",
                   "clinical-care", "--recipient", "treating-team", "--format", "jpeg",
                   "--out", str(done))[0] == 0
    second = sorted(p.name for p in done.iterdir())[1]
    out = tmp_path / "to-the-team"
    out.mkdir()
    stem = second.removesuffix(".jpg")
    blockers = {second} | {f"{stem}_{n}.jpg" for n in range(2, 1000)}
    for name in blockers:
        (out / name).touch()

    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                           "--purpose", "clinical-care", "--recipient", "treating-team",
                           "--format", "jpeg", "--out", str(out))
    assert code == 2 and f"Could not write into {out}" in err
    assert "Nothing of it was left there" in err
    assert {p.name for p in out.iterdir()} == blockers
    assert all(p.stat().st_size == 0 for p in out.iterdir())

    in_the_way = tmp_path / "a-file"
    in_the_way.write_bytes(b"")
    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                           "--purpose", "clinical-care", "--recipient", "treating-team",
                           "--format", "pdf", "--out", str(in_the_way))
    assert code == 2 and f"Could not write into {in_the_way}" in err
    with login("admin").vault.index() as conn:
        failed = [json.loads(r.detail) for r in AuditRepository(conn).rows()
                  if r.action == "report.write_failed"]
    assert [f["folder"] for f in failed] == [str(out), str(in_the_way)]
    assert all(len(f["uses_not_made"]) == 3 for f in failed)
