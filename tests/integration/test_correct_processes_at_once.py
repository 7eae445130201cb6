"""Two people moving one misfiled picture at once, each in a ``clinfile correct`` process.

Both saw the picture in May Nguyen's record; one moves it to Mai, the other
to Okafor. The second to write must be refused in plain words, never move the
picture on from a record its person did not see.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from clinfile.app.filing.service import FilingService
from clinfile.db.audit import AuditRepository
from tests.conftest import PASSWORDS
from tests.integration.archive_pictures import add_patient, file_pictures, import_files
from tests.integration.importing import command


def _start_move(vault_path, image: int, to: str, seen_in: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [*command(), "correct", str(vault_path), str(image), "--patient", to, "--from", seen_in,
         "--reason", f"wrong patient; it is {to}'s", "--user", "clinician", "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(f"{PASSWORDS['clinician']}\n".encode())
    process.stdin.close()
    process.stdin = None
    return process


@pytest.mark.slow
def test_two_processes_moving_one_picture_at_once_one_is_refused(vault_path, login, corpus,
                                                                  tmp_path):
    admin, clinician = login("admin"), login("clinician")
    may = add_patient(admin, "MRN1002", "Nguyen", "May")
    targets = {"MRN1001": add_patient(admin, "MRN1001", "Nguyen", "Mai"),
               "MRN1003": add_patient(admin, "MRN1003", "Okafor", "Ada")}
    photo = tmp_path / "drop" / "ankle.jpg"
    photo.parent.mkdir()
    shutil.copy(sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[0], photo)
    [image] = import_files(clinician, [photo])
    file_pictures(clinician, [image], may)

    processes = {to: _start_move(vault_path, image, to, "MRN1002") for to in targets}
    ended = {}
    for to, process in processes.items():
        out, err = process.communicate(timeout=300)
        ended[to] = (process.returncode, " ".join((out + err).decode().split()))

    moved = [to for to, (code, _) in ended.items() if code == 0]
    assert len(moved) == 1, ended
    [(code, words)] = [v for to, v in ended.items() if to not in moved]
    assert code == 2, ended
    assert ("is no longer in the record of NGUYEN, May (record MRN1002): it "
            "was moved to the record of ") in words
    assert "nothing was corrected" in words
    assert FilingService(clinician).image(image).patient_id == targets[moved[0]]
    with clinician.vault.index() as conn:
        corrections = [r for r in AuditRepository(conn).rows() if r.action == "filing.corrected"]
    assert len(corrections) == 1
