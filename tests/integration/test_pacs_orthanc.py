"""Archiving filed pictures in a real Orthanc with ``clinfile pacs``: sent, queued, drained.

Orthanc runs as a child process on loopback ports with its own folder. The
test sends, checks through Orthanc's REST API that the instances arrived
with the right patient and study, stops Orthanc, files more (which must not
wait), sees them queue, restarts Orthanc and sees the queue drain.
"""

from __future__ import annotations

import json

import pytest

from app.consent.vocabulary import ImageKind, Method
from tests.integration.archive_pictures import (
    add_patient,
    care_consent,
    corpus_copies,
    file_pictures,
    import_files,
)
from tests.integration.orthanc import AE_TITLE, orthanc  # noqa: F401 - the fixture
from tests.unit.app.cli.calling import as_user

pytestmark = pytest.mark.slow


def configure(vault_path, server, *extra):
    return as_user(vault_path, "admin", "pacs configure", "--host", "127.0.0.1", "--port",
                   str(server.dicom_port), "--called-ae", AE_TITLE, *extra)


def pacs(vault_path, act, *extra, user="clinician"):
    code, out, err = as_user(vault_path, user, f"pacs {act}", "--json", *extra)
    return code, (json.loads(out) if out.strip().startswith("{") else out), err


def test_pictures_reach_orthanc_and_wait_while_it_is_down(vault_path, login, corpus, tmp_path,
                                                          orthanc):  # noqa: F811
    assert configure(vault_path, orthanc)[0] == 0
    clinician = login("clinician")
    mai = add_patient(login("admin"))
    ids = import_files(clinician, corpus_copies(
        corpus, ["jpg/Canon_40D.jpg", "jpg/gps/DSCN0010.jpg", "heic/IMG_5195.HEIC"],
        tmp_path / "drop"))
    file_pictures(clinician, ids, mai)

    code, report, err = pacs(vault_path, "send")
    assert code == 0, err
    assert report["sent"] == 3 and report["waiting"] == 0
    held = orthanc.instances()
    assert len(held) == 3
    assert {i["PatientID"] for i in held} == {"MN1990"}
    assert {i["PatientName"] for i in held} == {"NGUYEN^Mai"}
    assert len({i["StudyInstanceUID"] for i in held}) == 1
    assert {i["BodyPartExamined"] for i in held} == {"ANKLE"}
    [study] = orthanc.get("/studies")
    assert orthanc.get(f"/studies/{study}")["MainDicomTags"]["StudyDescription"] == \
        "rash, left ankle"

    # Sending again sends the same instances: the archive still holds three.
    code, report, _ = pacs(vault_path, "send", "--patient", "MN1990")
    assert code == 0 and report["queued"] == 0
    assert len(orthanc.get("/instances")) == 3

    orthanc.stop()
    more = import_files(clinician, corpus_copies(corpus, ["tiff/Arbitro.tiff",
                                                          "jpg/Nikon_D70.jpg"],
                                                 tmp_path / "drop-2"))
    # Filing with the archive down works: it never touches the network.
    file_pictures(clinician, more, mai, site="right-knee", kind=ImageKind.CLINICAL_PHOTO,
                  episode="graze, right knee")
    code, report, err = pacs(vault_path, "send")
    assert code == 1
    assert report["sent"] == 0 and report["waiting"] == 2
    assert "could not be reached" in err
    code, status, _ = pacs(vault_path, "status")
    assert status["waiting"] == 2 and status["sent"] == 3
    assert "could not be reached" in status["last_problem"]

    orthanc.start()
    code, report, err = pacs(vault_path, "send", "--waiting-only")
    assert code == 0, err
    assert report["sent"] == 2 and report["waiting"] == 0
    held = orthanc.instances()
    assert len(held) == 5 and len({i["StudyInstanceUID"] for i in held}) == 2
    assert {i["PatientID"] for i in held} == {"MN1990"}

    with login("admin").vault.index() as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]
    assert "pacs.send_failed" in actions and actions.count("pacs.sent") >= 2
    uses = conn_channel_uses(login("admin"))
    assert uses == {"pacs"}


def conn_channel_uses(session) -> set[str]:
    with session.vault.index() as conn:
        return {row[0] for row in conn.execute("SELECT DISTINCT channel FROM image_uses")}


def test_reception_queues_nothing_it_may_not_send_and_a_wrong_ae_title_is_explained(
        vault_path, login, corpus, tmp_path, orthanc):  # noqa: F811
    assert configure(vault_path, orthanc, "--calling-ae", "CLINFILE")[0] == 0
    code, _, err = pacs(vault_path, "send", user="reception")
    assert code == 3, err
    code, _, err = as_user(vault_path, "clinician", "pacs configure", "--host", "127.0.0.1",
                           "--port", "1", "--called-ae", "X")
    assert code == 3, err  # only admins set the archive
    assert configure(vault_path, orthanc)[0] == 0
    code, _, err = as_user(vault_path, "admin", "pacs configure", "--host", "127.0.0.1",
                           "--port", str(orthanc.dicom_port), "--called-ae", "WRONG")
    assert code == 0, err
    clinician = login("clinician")
    ids = import_files(clinician, corpus_copies(corpus, ["jpg/Canon_40D.jpg"], tmp_path / "d"))
    file_pictures(clinician, ids, add_patient(login("admin")))
    code, report, err = pacs(vault_path, "send")
    assert code == 1 and "AE title" in err and report["waiting"] == 1, (err, report)
    assert orthanc.get("/instances") == []


def test_a_picture_refused_for_its_consent_goes_once_the_consent_is_put_right(
        vault_path, login, corpus, tmp_path, orthanc):  # noqa: F811
    assert configure(vault_path, orthanc)[0] == 0
    clinician = login("clinician")
    mai = add_patient(login("admin"))
    ids = import_files(clinician, corpus_copies(corpus, ["jpg/Canon_40D.jpg"], tmp_path / "d"))
    unsigned = care_consent(clinician, mai, method=Method.WRITTEN)
    file_pictures(clinician, ids, mai, consent=unsigned.code)

    code, report, err = pacs(vault_path, "send")
    assert code == 0, err
    assert (report["sent"], report["refused"]) == (0, 1)
    code, status, _ = pacs(vault_path, "status")
    assert status["refused"] == 1
    [refusal] = status["refusals"]
    assert refusal["image"] == ids[0] and refusal["reason"]
    code, text, _ = as_user(vault_path, "clinician", "pacs status")
    assert f"Image {ids[0]} not sent: {refusal['reason']}" in text

    code, _, err = as_user(vault_path, "clinician", "consent add", "--patient", "MN1990",
                           "--purposes", "clinical-care", "--method", "verbal", "--recipients",
                           "treating-team", "--told", "all")
    assert code == 0, err
    code, report, err = pacs(vault_path, "send", "--waiting-only")
    assert code == 0, err
    assert (report["sent"], report["refused"], report["waiting"]) == (1, 0, 0)
    assert len(orthanc.get("/instances")) == 1
    code, status, _ = pacs(vault_path, "status")
    assert (status["sent"], status["refused"], status["refusals"]) == (1, 0, [])
