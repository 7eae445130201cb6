"""Phones over a cable, the drop-folder watcher, the CLI verbs, and resuming after a crash."""

import io
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clinfile.app.cli.common import Console
from clinfile.app.cli.main import run
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.custody import Candidate, Custodian
from clinfile.app.ingest.decode import decode, prepare
from clinfile.app.ingest.devices import DeletionPolicy, find_camera_volumes, list_images
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.pipeline import MOVED_AFTER, ImportPipeline
from clinfile.app.ingest.safety.open import stage
from clinfile.app.ingest.service import ImportService
from clinfile.app.settings import SettingsService
from clinfile.db.audit import AuditRepository
from clinfile.db.blobs import BlobNotFound
from clinfile.db.images import ImageRepository, ImportJournalRepository
from tests.conftest import PASSWORDS
from tests.unit.app.ingest.hostile_files import TEXT, jpeg_bytes, write
from tests.unit.app.ingest.other_processes import ended_process
from tests.unit.app.ingest.phones import undeletable


def _events(iterator) -> list[ev.Event]:
    return [e for e in iterator if not isinstance(e, ev.Progress)]


def _actions(vault) -> list[tuple[str, dict]]:
    with vault.index() as conn:
        return [(r.action, json.loads(r.detail)) for r in AuditRepository(conn).rows()]


def _phone(tmp_path: Path, count: int) -> Path:
    dcim = tmp_path / "media" / "PHONE" / "DCIM" / "100APPLE"
    for n in range(count):
        write(dcim / f"IMG_{n:04d}.JPG", jpeg_bytes(colour=("red", "green", "blue")[n % 3],
                                                    size=(40 + n, 30)))
    return dcim


def test_a_phone_import_deletes_from_the_device_when_the_person_agrees(login, tmp_path):
    dcim = _phone(tmp_path, 3)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    chosen = list_images(volume)[:2]
    asked = []
    service = ImportService(login("clinician"))
    events = _events(service.import_from_device(
        volume, chosen, policy=DeletionPolicy.ASK, ask=lambda n: asked.append(n) or True))
    assert asked == [2]
    assert {e.source for e in events if isinstance(e, ev.SourceDeleted)} == {
        i.path for i in chosen}
    assert len(list(dcim.iterdir())) == 1
    receipts = [d for a, d in _actions(service._session.vault) if a == "source.deleted"]
    assert {d["source"] for d in receipts} == {str(i.path) for i in chosen}
    assert all(d["source_kind"] == "device" and d["sha256"] for d in receipts)


def test_a_phone_import_keeps_pictures_on_the_device_under_never(login, tmp_path):
    dcim = _phone(tmp_path, 2)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))
    events = _events(service.import_from_device(volume, list_images(volume),
                                                policy=DeletionPolicy.NEVER))
    assert sum(isinstance(e, ev.Imported) for e in events) == 2
    assert len(list(dcim.iterdir())) == 2


def test_the_practice_setting_decides_deletion_when_no_policy_is_given(login, tmp_path):
    SettingsService(login("admin")).change(device_deletion="always")
    dcim = _phone(tmp_path, 2)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))
    events = _events(service.import_from_device(
        volume, list_images(volume), ask=lambda n: pytest.fail("asked despite 'always'")))
    assert sum(isinstance(e, ev.SourceDeleted) for e in events) == 2
    assert list(dcim.iterdir()) == []


def test_a_device_refusing_deletion_is_reported_plainly_and_the_import_goes_on(
        login, tmp_path):
    dcim = _phone(tmp_path, 2)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))
    with undeletable(dcim):
        events = _events(service.import_from_device(volume, list_images(volume),
                                                    policy=DeletionPolicy.ALWAYS))
    kept = [e for e in events if isinstance(e, ev.SourceKept)]
    assert len(kept) == 2 and "did not allow" in kept[0].reason
    assert sum(isinstance(e, ev.Imported) for e in events) == 2
    assert len(list(dcim.iterdir())) == 2
    assert [a for a, _ in _actions(service._session.vault)].count("source.kept") == 2
    with service._session.vault.index() as conn:
        assert ImportJournalRepository(conn).all() == []


def test_the_watcher_takes_in_a_dropped_file_and_empties_the_folder(login, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    write(drop / "already-there.jpg", jpeg_bytes(colour="green"))
    service = ImportService(login("reception"), IngestLimits(stable_seconds=0.2))
    cancel = ev.CancelToken()
    imported: list[Path] = []
    for event in service.watch(drop, cancel=cancel):
        if isinstance(event, ev.Imported):
            imported.append(event.source)
            if len(imported) == 1:
                write(drop / "new.jpg", jpeg_bytes(colour="blue"))
            else:
                cancel.cancel()
    assert [p.name for p in imported] == ["already-there.jpg", "new.jpg"]
    assert list(drop.iterdir()) == []
    assert len(service.inbox()) == 2


def test_the_polling_watcher_also_works_and_stops_cleanly(login, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    service = ImportService(login("reception"), IngestLimits(stable_seconds=0.2))
    cancel = ev.CancelToken()
    write(drop / "a.jpg", jpeg_bytes())
    finished = []
    for event in service.watch(drop, cancel=cancel, polling=True):
        if isinstance(event, ev.Imported):
            cancel.cancel()
        if isinstance(event, ev.Finished):
            finished.append(event)
    assert finished and finished[0].cancelled and finished[0].imported == 1
    assert [t.name for t in threading.enumerate() if t.name.startswith("ingest")] == []


def test_resume_undoes_a_commit_cut_short_and_finishes_a_release(login, tmp_path):
    service = ImportService(login("reception"))
    vault = service._session.vault
    custodian = Custodian(vault, "reception")
    prepare(10**8)
    killed = ended_process()

    half = write(tmp_path / "in" / "half.jpg", jpeg_bytes(colour="red"))
    staged = stage(half.parent, half, 10**8)
    blob_ids = (vault.blobs.new_id(), vault.blobs.new_id(), vault.blobs.new_id())
    with vault.index() as conn:
        ImportJournalRepository(conn).begin(staged.sha256, "manual", str(half), blob_ids, "t",
                                            killed)
    vault.blobs.put_bytes(staged.data, blob_id=blob_ids[0])

    done = write(tmp_path / "in" / "done.jpg", jpeg_bytes(colour="blue"))
    staged_done = stage(done.parent, done, 10**8)
    candidate = Candidate(done, done.parent, ev.SourceKind.MANUAL, True)
    committed = custodian.commit(candidate, staged_done, decode(staged_done.data, "JPEG", 10**8),
                                 custodian.claim(candidate, staged_done.sha256))
    with vault.index() as conn:
        ImportJournalRepository(conn).hand_over(committed.journal_id, killed)

    outcomes = dict(custodian.resume())
    assert outcomes[half].startswith("undone") and half.exists()
    with pytest.raises(BlobNotFound):
        vault.blobs.stat(blob_ids[0])
    assert outcomes[done] == "source deleted" and not done.exists()
    with vault.index() as conn:
        assert ImportJournalRepository(conn).all() == []
        assert [r.source_path for r in ImageRepository(conn).unfiled()] == [str(done)]


def _cli(argv: list[str], user: str = "reception") -> tuple[int, str]:
    class Stdin(io.StringIO):
        def isatty(self) -> bool:
            return False

    out, err = io.StringIO(), io.StringIO()
    code = run([*argv, "--user", user, "--password-stdin"],
               Console(stdin=Stdin(PASSWORDS[user] + "\n"), stdout=out, stderr=err))
    return code, out.getvalue()


def test_the_import_inbox_and_quarantine_verbs(vault_path, tmp_path):
    good = write(tmp_path / "in" / "good.jpg", jpeg_bytes())
    bad = write(tmp_path / "in" / "note.jpg", TEXT)
    code, out = _cli(["import", str(vault_path), str(tmp_path / "in"), "--json"])
    assert code == 0
    report = json.loads(out)
    assert [i["source"] for i in report["imported"]] == [str(good)]
    assert report["refused"] == [{"path": str(bad),
                                  "reason": "This file is not a picture — it looks like text."}]
    assert report["duplicates"] == []

    write(tmp_path / "again" / "same.jpg", jpeg_bytes())
    code, out = _cli(["import", str(vault_path), str(tmp_path / "again"), "--keep-source",
                      "--json"])
    assert code == 0 and len(json.loads(out)["duplicates"]) == 1

    code, out = _cli(["inbox", str(vault_path), "--json"])
    inbox = json.loads(out)
    assert code == 0 and [i["item_id"] for i in inbox] == [report["imported"][0]["item_id"]]
    assert inbox[0]["camera_make"] == "TestMake" and inbox[0]["status"] == "unfiled"

    code, out = _cli(["quarantine", str(vault_path), "--json"])
    assert code == 0 and [q["path"] for q in json.loads(out)] == [str(bad)]

    code, out = _cli(["inbox", str(vault_path)])
    assert code == 0 and "TestMake" in out


@pytest.mark.slow
def test_clinfile_watch_runs_until_ctrl_c_and_stops_cleanly(vault_path, tmp_path):
    drop = tmp_path / "drop"
    write(drop / "a.jpg", jpeg_bytes())
    clinfile = Path(sys.executable).with_name("clinfile")
    command = [str(clinfile)] if clinfile.exists() else [
        sys.executable, "-c", "from clinfile.ui.launcher import main; main()"]
    process = subprocess.Popen(
        [*command, "watch", str(vault_path), str(drop), "--user", "reception",
         "--password-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(PASSWORDS["reception"] + "\n")
    process.stdin.close()
    process.stdin = None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Deleted the source"):
            break
    process.send_signal(signal.SIGINT)
    rest, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert any(line.startswith("Imported") for line in lines)
    assert "Stopped" in rest
    assert list(drop.iterdir()) == []


def test_a_drop_folder_inside_a_cloud_sync_folder_is_refused(login, tmp_path):
    from clinfile.app.custody.locations import CloudFolderRefused

    drop = tmp_path / "Dropbox" / "photos"
    drop.mkdir(parents=True)
    with pytest.raises(CloudFolderRefused):
        ImportService(login("reception")).watch(drop, cancel=ev.CancelToken())


def test_device_pictures_can_be_previewed_safely_before_choosing(login, tmp_path):
    from PIL import Image

    dcim = _phone(tmp_path, 2)
    write(dcim / "IMG_9999.JPG", TEXT)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    images = list_images(volume)
    service = ImportService(login("clinician"))
    previews = {preview.image.path.name: preview.thumbnail for preview in
                service.device_thumbnails(volume, images)}
    assert previews["IMG_9999.JPG"] is None
    shown = Image.open(io.BytesIO(previews["IMG_0000.JPG"]))
    assert shown.format == "JPEG" and not shown.getexif()
    assert len(list(dcim.iterdir())) == 3


def test_cancelling_stops_between_files_and_leaves_the_rest_at_their_source(login, tmp_path):
    for n in range(12):
        write(tmp_path / "in" / f"{n:02d}.jpg", jpeg_bytes(size=(40 + n, 30)))
    service = ImportService(login("reception"))
    cancel = ev.CancelToken()
    imported, finished = [], None
    for event in service.import_paths([tmp_path / "in"], cancel=cancel):
        if isinstance(event, ev.Imported):
            imported.append(event.source)
            cancel.cancel()
        if isinstance(event, ev.Finished):
            finished = event
    assert finished is not None and finished.cancelled
    remaining = sorted((tmp_path / "in").iterdir())
    assert len(remaining) + len(service.inbox()) == 12
    assert not set(imported) & set(remaining)
    assert [t.name for t in threading.enumerate() if t.name.startswith("ingest")] == []
    with service._session.vault.index() as conn:
        assert ImportJournalRepository(conn).all() == []


def test_files_moved_before_they_are_read_are_each_said_and_counted(login, tmp_path):
    folder = tmp_path / "from the camera"
    for number, colour in enumerate(("red", "green", "blue")):
        write(folder / f"photo-{number}.jpg", jpeg_bytes(colour=colour))
    service = ImportService(login("reception"), IngestLimits(stable_seconds=0.2))
    listed = service.import_paths([folder])
    for path in sorted(folder.iterdir()):
        path.rename(path.with_name(f"renamed-{path.name}"))

    events = _events(listed)

    kept = {e.source.name: e.reason for e in events if isinstance(e, ev.SourceKept)}
    assert sorted(kept) == ["photo-0.jpg", "photo-1.jpg", "photo-2.jpg"]
    assert all(reason.startswith("The file was moved, renamed or deleted before it could be "
                                 "read") for reason in kept.values())
    assert events[-1] == ev.Finished(0, 0, 0, False, 3)
    assert len(list(folder.iterdir())) == 3


def test_a_file_moved_after_it_was_read_is_said_to_be_safe_in_the_vault(login, tmp_path):
    source = write(tmp_path / "in" / "photo.jpg", jpeg_bytes())
    session = login("reception")

    def move_it_away() -> None:
        """Called by the import just before it stores each picture it has read."""
        if source.exists():
            source.rename(source.with_name("renamed.jpg"))

    pipeline = ImportPipeline(session.vault, session.actor.name, IngestLimits(stable_seconds=0.2),
                              keep_alive=move_it_away)
    pipeline.submit(Candidate(source, source.parent, ev.SourceKind.MANUAL, True))
    pipeline.close()
    events = _events(pipeline.events())

    assert [type(e) for e in events] == [ev.Imported, ev.SourceKept, ev.Finished]
    assert events[1] == ev.SourceKept(source, MOVED_AFTER)
    assert events[-1] == ev.Finished(1, 0, 0, False, 0)
    assert (tmp_path / "in" / "renamed.jpg").exists()
