"""``clinfile correct`` processes at once, or stopped dead part way.

Two people saw a picture in May Nguyen's record; one moves it to Mai, the
other to Okafor. The second to write must be refused in plain words, never
move the picture on from a record its person did not see. A process killed
while it moves three pictures leaves all three where they were, or all
three moved, with the audit saying the same.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from clinfile.app.filing.service import FilingService
from clinfile.app.security.session import Session
from clinfile.app.vault.verify import verify_vault
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import integrity_problems
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.integration.archive_pictures import add_patient, file_pictures, import_files
from tests.integration.importing import command


def _start_move(vault_path, image: int | list[int], to: str, seen_in: str) -> subprocess.Popen:
    images = [str(i) for i in (image if isinstance(image, list) else [image])]
    process = subprocess.Popen(
        [*command(), "correct", str(vault_path), *images, "--patient", to, "--from", seen_in,
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


def _killed_at_write(vault: Path, images: list[int], write: int) -> bool:
    """Move the pictures in a process killed (-9) as its ``write``-th write to the index begins.

    A write is seen by its rollback journal appearing beside the index.
    Returns False when the process ended by itself before that write.
    """
    journal = vault / "index.db-journal"
    process = _start_move(vault, images, "MRN1001", "MRN1002")
    seen, present = 0, False
    while process.poll() is None:
        now = journal.exists()
        if now and not present:
            seen += 1
            if seen == write:
                os.kill(process.pid, signal.SIGKILL)
                process.communicate(timeout=60)
                return True
        present = now
    process.communicate(timeout=60)
    return False


def _filing_as_it_stands(vault: Path, images: list[int]) -> tuple[set[int], int]:
    """Where the pictures are, and how many corrections the audit holds, once the index is whole.

    Logging in rolls back what the killed process left half written, as
    SQLite does for the first connection to meet its journal.
    """
    clinician = Session.login(vault, "clinician", PASSWORDS["clinician"])
    try:
        with clinician.vault.index() as conn:
            assert integrity_problems(conn) == []
            corrections = sum(r.action == "filing.corrected"
                              for r in AuditRepository(conn).rows())
        where = {FilingService(clinician).image(i).patient_id for i in images}
    finally:
        clinician.lock()
    admin = Session.login(vault, ADMIN, ADMIN_PASSWORD)
    try:
        problems = verify_vault(admin.vault).problems
    finally:
        admin.lock()
    assert problems == [], problems
    return where, corrections


@pytest.mark.slow
def test_a_correction_of_three_pictures_killed_at_any_write_is_whole_or_not_made(
        vault_path, login, corpus, tmp_path):
    admin, clinician = login("admin"), login("clinician")
    may = add_patient(admin, "MRN1002", "Nguyen", "May")
    mai = add_patient(admin, "MRN1001", "Nguyen", "Mai")
    drop = tmp_path / "drop"
    drop.mkdir()
    for n, photo in enumerate(sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[:3]):
        shutil.copy(photo, drop / f"{n}-{photo.name}")
    images = import_files(clinician, sorted(drop.iterdir()))
    file_pictures(clinician, images, may)
    clinician.lock()
    admin.lock()

    outcomes = []
    for write in range(1, 30):
        vault = tmp_path / f"vault-{write}"
        shutil.copytree(vault_path, vault)
        killed = _killed_at_write(vault, images, write)
        outcomes.append((killed, *_filing_as_it_stands(vault, images)))
        if not killed:
            break

    assert not outcomes[-1][0], f"the process was still writing after {len(outcomes)} writes"
    assert outcomes[-1][1:] == ({mai}, 3), outcomes
    assert all(o[1:] in (({may}, 0), ({mai}, 3)) for o in outcomes), outcomes
    assert ({may}, 0) in [o[1:] for o in outcomes if o[0]], outcomes
