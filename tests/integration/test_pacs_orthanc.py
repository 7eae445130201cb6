"""Archiving filed pictures in a real Orthanc with ``clinfile pacs``: sent, queued, drained.

Orthanc runs as a child process on loopback ports with its own folder, one
for the whole module, emptied (and started again if a test stopped it)
before each test. The tests send and check through Orthanc's REST API that
the instances arrived with the right patient and study; stop Orthanc, file
more (which must not wait), see them queue and drain; send a picture once
its consent is put right; run two senders at once; and kill -9 the sender
or Orthanc mid-send.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from clinfile.app.consent.vocabulary import ImageKind, Method
from clinfile.app.interop.pacs_config import PacsConfig
from clinfile.app.interop.pacs_service import PacsService
from clinfile.app.interop.pacs_store import ASSOCIATIONS, PacsUnreachable, store_all
from tests.conftest import PASSWORDS
from tests.integration.archive_pictures import (
    add_patient,
    care_consent,
    corpus_copies,
    file_pictures,
    import_files,
)
from tests.integration.importing import command
from tests.integration.orthanc import (  # noqa: F401 - fixtures
    AE_TITLE,
    Orthanc,
    module_orthanc,
    orthanc,
    require_orthanc,
)
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
    assert code == 1 and report["waiting"] == 1, (err, report)
    assert "does not answer to the AE title WRONG" in err, err
    assert orthanc.get("/instances") == []


#: Refusals asked for in a row: pynetdicom lost one in fifty to one in twelve of them.
REFUSALS = 300


def test_an_archive_refusing_the_ae_title_is_heard_every_time(orthanc):  # noqa: F811
    """Orthanc answers a wrong AE title with a refusal and hangs up at once, every time.

    pynetdicom reads the refusal and closes the connection on its own thread;
    when that thread got there before the caller looked, it called the
    association aborted and dropped the refusal, and the person was told the
    archive broke off instead of which AE title to check.
    """
    config = PacsConfig(host="127.0.0.1", port=orthanc.dicom_port, called_ae="WRONG")
    heard = []
    for _ in range(REFUSALS):
        with pytest.raises(PacsUnreachable) as refused:
            list(store_all(config, []))
        heard.append(str(refused.value))
    assert set(heard) == {f"The PACS at 127.0.0.1:{orthanc.dicom_port} does not answer to "
                          "the AE title WRONG (check the PACS's AE title in the settings)."}


def test_an_archive_that_does_not_know_this_workstation_says_so(tmp_path):
    require_orthanc()
    strict = Orthanc(tmp_path / "strict", DicomAlwaysAllowStore=False,
                     DicomAlwaysAllowEcho=False, DicomModalities={}).start()
    try:
        config = PacsConfig(host="127.0.0.1", port=strict.dicom_port, called_ae=AE_TITLE,
                            calling_ae="STRANGER")
        with pytest.raises(PacsUnreachable, match="does not know this workstation's AE "
                                                  "title STRANGER"):
            list(store_all(config, []))
    finally:
        strict.stop()


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
    assert f"Picture {ids[0]} not sent: {refusal['reason']}" in text

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


#: Camera pictures from the corpus, enough that a send takes a while.
MANY = ("Canon_40D.jpg", "Canon_DIGITAL_IXUS_400.jpg", "Canon_PowerShot_S40.jpg",
        "Fujifilm_FinePix6900ZOOM.jpg", "Fujifilm_FinePix_E500.jpg", "Kodak_CX7530.jpg",
        "Konica_Minolta_DiMAGE_Z3.jpg", "Nikon_COOLPIX_P1.jpg", "Nikon_D70.jpg",
        "Olympus_C8080WZ.jpg", "Panasonic_DMC-FZ30.jpg", "Pentax_K10D.jpg",
        "Reconyx_HC500_Hyperfire.jpg", "Ricoh_Caplio_RR330.jpg", "Samsung_Digimax_i50_MP3.jpg",
        "Sony_HDR-HC3.jpg", "WWL_(Polaroid)_ION230.jpg", "Canon_40D_photoshop_import.jpg")


def queue_many(vault_path, login, corpus, tmp_path) -> int:
    clinician = login("clinician")
    ids = import_files(clinician, corpus_copies(corpus, [f"jpg/{n}" for n in MANY],
                                                tmp_path / "many"))
    file_pictures(clinician, ids, add_patient(login("admin")))
    return PacsService(clinician).queue()


def start_send(vault_path, user: str = "clinician") -> subprocess.Popen:
    process = subprocess.Popen(
        [*command(), "pacs", "send", str(vault_path), "--waiting-only", "--json", "--user",
         user, "--password-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True, text=True)
    process.stdin.write(f"{PASSWORDS[user]}\n")
    process.stdin.close()
    process.stdin = None
    return process


def when_orthanc_holds(orthanc, count: int, sender: subprocess.Popen) -> None:  # noqa: F811
    while orthanc.get("/statistics")["CountInstances"] < count:
        assert sender.poll() is None, "the send ended before the archive held enough"
        time.sleep(0.02)


def audited_sends(session) -> list[str]:
    with session.vault.index() as conn:
        return [r[0] for r in conn.execute(
            "SELECT subject FROM audit WHERE action = 'pacs.sent' ORDER BY seq")]


def test_two_senders_on_one_queue_send_each_picture_once_and_audit_it_once(
        vault_path, login, corpus, tmp_path, orthanc):  # noqa: F811
    assert configure(vault_path, orthanc)[0] == 0
    queued = queue_many(vault_path, login, corpus, tmp_path)
    senders = [start_send(vault_path), start_send(vault_path)]
    reports = []
    for sender in senders:
        out, err = sender.communicate(timeout=600)
        assert "Traceback" not in err and out.startswith("{"), err
        reports.append(json.loads(out))
    assert sum(r["sent"] for r in reports) == queued
    assert len(orthanc.get("/instances")) == queued
    audited = audited_sends(login("admin"))
    assert len(audited) == queued == len(set(audited))
    code, status, _ = pacs(vault_path, "status")
    assert (status["sent"], status["waiting"]) == (queued, 0)


def test_a_sender_killed_mid_way_leaves_a_true_account_and_the_rest_goes_next_time(
        vault_path, login, corpus, tmp_path, orthanc):  # noqa: F811
    assert configure(vault_path, orthanc)[0] == 0
    queued = queue_many(vault_path, login, corpus, tmp_path)
    sender = start_send(vault_path)
    when_orthanc_holds(orthanc, 3, sender)
    os.killpg(sender.pid, signal.SIGKILL)
    sender.communicate()
    held = len(orthanc.get("/instances"))
    code, status, _ = pacs(vault_path, "status")
    # Marked as each is confirmed: at most the pictures on the wire at the kill are unmarked.
    assert held - ASSOCIATIONS <= status["sent"] <= held
    assert status["sent"] + status["waiting"] == queued
    assert len(audited_sends(login("admin"))) == status["sent"]

    code, report, err = pacs(vault_path, "send", "--waiting-only")
    assert code == 0, err
    assert len(orthanc.get("/instances")) == queued
    code, status, _ = pacs(vault_path, "status")
    assert (status["sent"], status["waiting"]) == (queued, 0)


def test_the_archive_killed_mid_send_leaves_the_rest_waiting_with_a_clean_report(
        vault_path, login, corpus, tmp_path, orthanc):  # noqa: F811
    assert configure(vault_path, orthanc)[0] == 0
    queued = queue_many(vault_path, login, corpus, tmp_path)
    sender = start_send(vault_path)
    when_orthanc_holds(orthanc, 3, sender)
    orthanc.process.kill()
    orthanc.process.wait()
    out, err = sender.communicate(timeout=600)
    assert sender.returncode == 1, err
    assert "Traceback" not in err and "RuntimeError" not in err
    report = json.loads(out)
    assert 0 < report["sent"] < queued and report["waiting"] == queued - report["sent"]
    assert report["problem"]
    code, status, _ = pacs(vault_path, "status")
    assert (status["sent"], status["waiting"]) == (report["sent"], report["waiting"])
    assert status["last_problem"]
