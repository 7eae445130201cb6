"""An import from a phone cut short by a crash is told at the next start, once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinfile.app.escaping import recorded
from clinfile.app.ingest.devices import DeletionPolicy, find_camera_volumes, list_images
from clinfile.app.ingest.service import ImportService
from clinfile.app.ingest.unfinished import BEGAN, ImportLedger
from tests.conftest import PASSWORDS
from tests.integration.test_device_receipts import on_the_phone, phone


def _clinfile() -> list[str]:
    clinfile = Path(sys.executable).with_name("clinfile")
    return [str(clinfile)] if clinfile.exists() else [
        sys.executable, "-c", "from clinfile.ui.launcher import main; main()"]


@pytest.mark.slow
def test_a_killed_import_is_told_at_the_next_start_from_the_audit(login, vault_path, tmp_path):
    dcim = phone(tmp_path, 120)
    process = subprocess.Popen(
        [*_clinfile(), "device", "import", str(vault_path), str(dcim), "--delete-from-device",
         "--user", "clinician", "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    process.stdin.write(PASSWORDS["clinician"] + "\n")
    process.stdin.close()
    process.stdin = None
    deadline = time.monotonic() + 120
    while len(on_the_phone(dcim)) > 110 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    left = on_the_phone(dcim)
    assert 0 < len(left) < 120

    service = ImportService(login("clinician"))
    told = service.unfinished_device_imports()
    assert len(told) == 1
    words = told[0].words()
    deleted = 120 - len(left)
    assert words.startswith("The import from PHONE on ")
    assert ("did not finish: Clinfile or the computer stopped during it. ") in words
    # A photo deleted as the process died, its receipt unwritten, is counted from the phone.
    assert told[0].deleted == deleted
    assert f"deleted from the phone; {120 - told[0].deleted} photos may still be on it." in words
    assert told[0].stored >= told[0].deleted
    assert service.unfinished_device_imports() == []


def test_an_import_that_ended_whole_is_not_told_again_but_one_cut_short_by_unplugging_is(
        login, tmp_path):
    import shutil

    from clinfile.app.ingest import events as ev

    phone(tmp_path, 3)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))
    for _ in service.import_from_device(volume, list_images(volume)[:1],
                                        policy=DeletionPolicy.NEVER):
        pass
    assert service.unfinished_device_imports() == []

    running = service.import_from_device(volume, list_images(volume),
                                         policy=DeletionPolicy.ALWAYS)
    for event in running:
        if isinstance(event, ev.Duplicate | ev.Imported) and not (tmp_path / "drawer").exists():
            shutil.move(tmp_path / "media", tmp_path / "drawer")
    assert running.receipt.device_went_away
    if running.receipt.complete:
        pytest.skip("every photo was read before the phone went away")
    told = service.unfinished_device_imports()
    assert len(told) == 1 and "PHONE went away during it" in told[0].words()
    assert service.unfinished_device_imports() == []


@pytest.mark.slow
def test_ctrl_c_prints_what_was_done_and_the_next_start_tells_it_again(login, vault_path,
                                                                      tmp_path):
    dcim = phone(tmp_path, 120)
    process = subprocess.Popen(
        [*_clinfile(), "device", "import", str(vault_path), str(dcim), "--delete-from-device",
         "--user", "clinician", "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdin.write(PASSWORDS["clinician"] + "\n")
    process.stdin.close()
    process.stdin = None
    deadline = time.monotonic() + 120
    while len(on_the_phone(dcim)) > 110 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    left = on_the_phone(dcim)
    assert 0 < len(left) < 120

    assert process.returncode == 130, err
    lines = out.splitlines()
    assert len(lines) == 120
    deleted = {line.split(":")[0] for line in lines if line.endswith(", deleted from the phone.")}
    assert deleted == {f"IMG_{n:04d}.JPG" for n in range(120)} - left
    unread = {line.split(":")[0] for line in lines if "not read, still on the phone." in line}
    assert unread and unread <= left
    assert err.startswith("Import stopped: ")
    assert f", {len(deleted)} deleted from the phone." in err
    assert f"{len(unread)} photos not read and are still on the phone (" in err

    told = ImportService(login("clinician")).unfinished_device_imports()
    assert len(told) == 1
    words = told[0].words()
    assert "did not finish: it was stopped (Ctrl-C). " in words
    assert f"{len(deleted)} were deleted from the phone; {len(left)} photos may still be on it." \
        in words


def test_a_photo_deleted_whose_receipt_the_crash_cut_off_is_counted_from_the_phone(
        login, tmp_path):
    dcim = phone(tmp_path, 3)
    session = login("clinician")
    ImportLedger(session.vault, "clinician")._append(BEGAN, "PHONE", {
        "folder": recorded(dcim), "chosen": 3, "delete": True, "owner": {}})
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(session)
    for _event in service.import_from_device(volume, list_images(volume),
                                             policy=DeletionPolicy.NEVER):
        pass
    # The crash came after the photo left the phone and before its receipt was written.
    (dcim / "IMG_0001.JPG").unlink()
    told = service.unfinished_device_imports()
    assert len(told) == 1
    assert ("3 of its 3 photos are safe in the vault and 1 was deleted from the phone; "
            "2 photos may still be on it.") in told[0].words()
