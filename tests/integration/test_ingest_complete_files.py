"""Files still being written, cut short or carrying something after their end, end to end."""

import hashlib
import io
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from clinfile.app.ingest import events as ev
from clinfile.app.ingest import refusal
from clinfile.app.ingest.devices import DeletionPolicy, find_camera_volumes, list_images
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.safety.complete import CUT_OFF_FOR_GOOD, CUT_SHORT, HELD_OPEN
from clinfile.app.ingest.service import ImportService
from tests.unit.app.cli.calling import as_user
from tests.unit.app.ingest.hostile_files import (
    claiming_10000_square,
    jpeg_bytes,
    with_zip_appended,
    write,
)
from tests.unit.app.ingest.slow_writers import SlowWriter

HEIC = Path("exif-samples/heic/IMG_5195.HEIC")
JPEG = Path("exif-samples/jpg/gps/DSCN0010.jpg")
TIFF = Path("exif-samples/tiff/Arbitro.tiff")
AN_HOUR_AGO = time.time_ns() - 3600 * 10**9


@pytest.fixture
def originals(corpus, tmp_path) -> dict[str, Path]:
    """One real file per format: the corpus's HEIC, JPEG and TIFF, and a PNG made from a photo."""
    png = tmp_path / "originals" / "scan.png"
    png.parent.mkdir()
    with Image.open(corpus / JPEG) as photo:
        photo.convert("RGB").save(png, "PNG")
    return {"HEIC": corpus / HEIC, "JPEG": corpus / JPEG, "TIFF": corpus / TIFF, "PNG": png}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def only(events, kind) -> list:
    return [e for e in events if isinstance(e, kind)]


def run(service: ImportService, *paths: Path) -> list[ev.Event]:
    return [e for e in service.import_paths(list(paths)) if not isinstance(e, ev.Progress)]


def assert_in_vault_whole(service: ImportService, original: Path) -> None:
    """The vault holds the file exactly once, byte for byte, and it decodes as the original."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    vault = service._session.vault
    rows = service.inbox()
    assert [r.sha256 for r in rows] == [sha256(original.read_bytes())]
    stored = vault.blobs.read_bytes(rows[0].original_blob)
    with Image.open(io.BytesIO(stored)) as ours, Image.open(original) as theirs:
        assert ImageChops.difference(ours.convert("RGB"), theirs.convert("RGB")).getbbox() is None


def watch(service: ImportService, drop: Path, react, *, settle_after_delete: float = 0.6,
          timeout: float = 30.0) -> list[ev.Event]:
    """Watch until a source was deleted (and a little longer, to catch a second import)."""
    cancel = ev.CancelToken()
    seen: list[ev.Event] = []
    started, deleted = time.monotonic(), None
    for event in service.watch(drop, cancel=cancel):
        now = time.monotonic()
        if not isinstance(event, ev.Progress):
            seen.append(event)
            react(event)
        if isinstance(event, ev.SourceDeleted):
            deleted = now
        if (deleted and now - deleted > settle_after_delete) or now - started > timeout:
            cancel.cancel()
    return seen


def test_a_heic_written_half_then_paused_while_held_open_arrives_whole_once(
        login, corpus, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    service = ImportService(login("reception"), IngestLimits(stable_seconds=0.3))
    with SlowWriter(corpus / HEIC, drop / HEIC.name, keep_open=True) as writer:
        threading.Timer(1.5, writer.finish).start()
        events = watch(service, drop, lambda event: None)
    assert len(only(events, ev.Imported)) == 1
    assert only(events, ev.Quarantined) == []
    assert list(drop.iterdir()) == []
    assert_in_vault_whole(service, corpus / HEIC)


@pytest.mark.parametrize("kind", ["HEIC", "JPEG", "PNG", "TIFF"])
def test_a_file_written_half_closed_and_finished_later_is_kept_then_taken_whole_once(
        login, originals, tmp_path, kind):
    drop = tmp_path / "drop"
    drop.mkdir()
    original = originals[kind]
    service = ImportService(login("reception"), IngestLimits(stable_seconds=0.3))
    with SlowWriter(original, drop / original.name, keep_open=False) as writer:
        def finish_when_kept(event: ev.Event) -> None:
            if isinstance(event, ev.SourceKept):
                writer.finish()

        events = watch(service, drop, finish_when_kept)
    assert [(e.source.name, e.reason) for e in only(events, ev.SourceKept)] == [
        (original.name, CUT_SHORT)]
    assert len(only(events, ev.Imported)) == 1 and only(events, ev.Quarantined) == []
    assert_in_vault_whole(service, original)


def test_a_whole_file_is_not_offered_while_a_program_holds_it_open(login, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    service = ImportService(login("reception"), IngestLimits(stable_seconds=0.2))
    handle = (drop / "held.jpg").open("wb")
    handle.write(jpeg_bytes())
    handle.flush()
    closed_at: list[float] = []

    def close_later() -> None:
        time.sleep(1.5)
        closed_at.append(time.monotonic())
        handle.close()

    threading.Thread(target=close_later).start()
    imported_at: list[float] = []
    events = watch(service, drop, lambda e: isinstance(e, ev.Imported)
                   and imported_at.append(time.monotonic()))
    assert len(imported_at) == 1 and imported_at[0] > closed_at[0]
    assert only(events, ev.SourceKept) == [] and list(drop.iterdir()) == []


@pytest.mark.parametrize("kind", ["HEIC", "JPEG", "PNG", "TIFF"])
def test_a_truncated_file_in_a_folder_import_is_left_where_it_is_and_said_so(
        login, originals, tmp_path, kind):
    whole = originals[kind].read_bytes()
    path = write(tmp_path / "in" / originals[kind].name, whole[: len(whole) * 2 // 3])
    settled = time.time_ns() - 2 * 10**9
    os.utime(path, ns=(settled, settled))
    service = ImportService(login("reception"))

    events = run(service, path.parent)
    assert [(e.source, e.reason) for e in only(events, ev.SourceKept)] == [(path, CUT_SHORT)]
    assert path.read_bytes() == whole[: len(whole) * 2 // 3]
    assert service.inbox() == [] and service.quarantine() == []

    with path.open("ab") as rest:
        rest.write(whole[len(whole) * 2 // 3:])
    events = run(service, path.parent)
    assert len(only(events, ev.Imported)) == 1 and not path.exists()
    assert_in_vault_whole(service, originals[kind])


def test_the_command_counts_a_file_left_to_finish_and_ends_with_1_until_it_is_taken(
        vault_path, originals, tmp_path):
    whole = originals["JPEG"].read_bytes()
    path = write(tmp_path / "in" / "half.jpg", whole[: len(whole) // 2])
    write(tmp_path / "in" / "whole.jpg", jpeg_bytes())
    settled = time.time_ns() - 2 * 10**9
    os.utime(path, ns=(settled, settled))

    code, out, err = as_user(vault_path, "reception", "import", str(path.parent))
    assert code == 1, out + err
    assert f"Kept {path}: {CUT_SHORT}" in err
    assert "Done: 1 imported, 0 already in the vault, 0 refused, 1 left where they are." in out

    with path.open("ab") as rest:
        rest.write(whole[len(whole) // 2:])
    code, out, err = as_user(vault_path, "reception", "import", str(path.parent))
    assert code == 0, out + err
    assert "Done: 1 imported, 0 already in the vault, 0 refused." in out


def test_a_folder_import_leaves_a_file_another_program_is_still_writing(login, tmp_path):
    path = tmp_path / "in" / "copying.jpg"
    path.parent.mkdir()
    service = ImportService(login("reception"))
    with path.open("wb") as handle:
        handle.write(jpeg_bytes())
        handle.flush()
        os.utime(path, ns=(AN_HOUR_AGO, AN_HOUR_AGO))
        events = run(service, path.parent)
        assert [(e.source, e.reason) for e in only(events, ev.SourceKept)] == [(path, HELD_OPEN)]
        assert path.exists() and service.inbox() == []
    assert len(only(run(service, path.parent), ev.Imported)) == 1


def test_a_phone_picture_still_being_written_stays_on_the_phone(login, corpus, tmp_path):
    dcim = tmp_path / "media" / "PHONE" / "DCIM" / "100APPLE"
    whole = (corpus / HEIC).read_bytes()
    path = write(dcim / HEIC.name, whole[: len(whole) // 2])
    settled = time.time_ns() - 2 * 10**9
    os.utime(path, ns=(settled, settled))
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))

    events = [e for e in service.import_from_device(volume, list_images(volume),
                                                    policy=DeletionPolicy.ALWAYS)
              if not isinstance(e, ev.Progress)]
    assert [(e.source, e.reason) for e in only(events, ev.SourceKept)] == [(path, CUT_SHORT)]
    assert path.exists() and service.inbox() == []

    with path.open("ab") as rest:
        rest.write(whole[len(whole) // 2:])
    events = list(service.import_from_device(volume, list_images(volume),
                                             policy=DeletionPolicy.ALWAYS))
    assert len(only(events, ev.SourceDeleted)) == 1 and not path.exists()
    assert_in_vault_whole(service, corpus / HEIC)


@pytest.mark.parametrize("kind", ["HEIC", "JPEG"])
def test_a_file_cut_short_and_untouched_for_an_hour_is_refused_not_left_unseen(
        login, originals, tmp_path, kind):
    whole = originals[kind].read_bytes()
    path = write(tmp_path / "in" / originals[kind].name, whole[: len(whole) // 2])
    os.utime(path, ns=(AN_HOUR_AGO, AN_HOUR_AGO))
    service = ImportService(login("reception"))

    events = run(service, path.parent)
    assert [(e.source, e.reason) for e in only(events, ev.Quarantined)] == [
        (path, CUT_OFF_FOR_GOOD)]
    assert path.read_bytes() == whole[: len(whole) // 2] and service.inbox() == []
    assert [row.reason for row in service.quarantine()] == [CUT_OFF_FOR_GOOD]


@pytest.mark.parametrize("name, picture", [("photo.jpg", jpeg_bytes()),
                                           ("scan.png", None)])
def test_a_picture_with_a_zip_after_its_end_is_refused_and_kept_out_of_the_vault(
        login, originals, tmp_path, name, picture):
    data = with_zip_appended(picture or originals["PNG"].read_bytes())
    path = write(tmp_path / "in" / name, data)
    service = ImportService(login("reception"))
    events = run(service, path)
    assert [(e.source, e.reason) for e in only(events, ev.Quarantined)] == [
        (path, refusal.hidden_after_end("a ZIP archive"))]
    assert path.read_bytes() == data and service.inbox() == []


def test_a_phone_trailer_is_taken_with_the_original_but_never_in_the_derivative(
        login, tmp_path):
    directory = b"SEFH" + b"\x6b\x00\x00\x00" + b"\x01\x00\x00\x00" + b"\x00" * 12
    trailer = (b"Image_UTC_Data1700000000000" + directory
               + len(directory).to_bytes(4, "little") + b"SEFT")
    data = jpeg_bytes(colour="green") + trailer
    service = ImportService(login("reception"))
    assert len(only(run(service, write(tmp_path / "in" / "samsung.jpg", data)),
                    ev.Imported)) == 1
    row = service.inbox()[0]
    vault = service._session.vault
    assert vault.blobs.read_bytes(row.original_blob) == data
    assert b"Image_UTC_Data" not in vault.blobs.read_bytes(row.derivative_blob)


@pytest.mark.parametrize("kind, name", [("PNG", "huge.png"), ("JPEG", "huge.jpg")])
def test_a_few_hundred_bytes_claiming_10000_by_10000_is_damaged(login, tmp_path, kind, name):
    path = write(tmp_path / "in" / name, claiming_10000_square(kind))
    service = ImportService(login("reception"))
    events = run(service, path)
    assert [(e.source, e.reason) for e in only(events, ev.Quarantined)] == [
        (path, refusal.too_little_data(10_000, 10_000))]
    assert path.exists() and service.inbox() == []
