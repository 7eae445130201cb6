"""What the person is told after an import from a phone: every photo accounted for, truly.

Each test checks the words shown and the files left on the phone together.
"""

import shutil
from pathlib import Path

import pytest

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.devices import DeletionPolicy, find_camera_volumes, list_images
from clinfile.app.ingest.receipt import OnPhone, SafeCopies, Vaulted
from clinfile.app.ingest.service import ImportService
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.settings import SettingsService
from clinfile.db.images import ImageRepository
from tests.unit.app.ingest.hostile_files import jpeg_bytes, write
from tests.unit.app.ingest.phones import undeletable


def phone(tmp_path: Path, count: int, name: str = "PHONE") -> Path:
    """A phone at tmp_path/media/NAME with ``count`` distinct photos; returns its DCIM folder."""
    dcim = tmp_path / "media" / name / "DCIM" / "100APPLE"
    for n in range(count):
        write(dcim / f"IMG_{n:04d}.JPG", jpeg_bytes(colour=("red", "green", "blue")[n % 3],
                                                    size=(40 + n, 30)))
    return dcim


def on_the_phone(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_unplugging_mid_import_never_counts_a_photo_as_deleted_that_is_still_there(
        login, tmp_path):
    phone(tmp_path, 24)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    unplugged = tmp_path / "drawer" / "PHONE"
    running = ImportService(login("clinician")).import_from_device(
        volume, list_images(volume), policy=DeletionPolicy.ALWAYS)
    imported = 0
    for event in running:
        if isinstance(event, ev.Imported):
            imported += 1
            if imported == 5:
                unplugged.parent.mkdir()
                shutil.move(tmp_path / "media" / "PHONE", unplugged)
    receipt = running.receipt
    left = on_the_phone(unplugged / "DCIM" / "100APPLE")

    assert receipt.device_went_away and not receipt.complete
    deleted = {p.path.name for p in receipt.photos if p.on_phone is OnPhone.DELETED}
    assert deleted and not deleted & left
    assert {p.path.name for p in receipt.photos if p.still_on_phone} == left | (
        {p.path.name for p in receipt.photos if p.on_phone is OnPhone.GONE_AWAY})
    unread = [p for p in receipt.photos if p.vaulted is Vaulted.NOT_READ]
    assert unread and {p.path.name for p in unread} <= left
    assert all(p.why == "The phone went away before Clinfile could read it." for p in unread)
    stored = [p for p in receipt.photos if p.safe_in_vault]
    assert len(stored) + len(unread) == 24
    words = receipt.headline()
    assert words.startswith("PHONE went away during the import. "
                            f"{len(stored)} photos imported from PHONE, "
                            f"{len(deleted)} deleted from the phone.")
    assert (f"{len(unread)} photo{'s' * (len(unread) != 1)} not read and "
            f"{'are' if len(unread) != 1 else 'is'} still on the phone (") in words
    assert words.endswith("). The phone went away before Clinfile could read them. Import "
                          "again to take them in.")
    assert all(line.split(":")[0] in words or len(unread) > 5 for line in receipt.lines()
               if "not read" in line)


def test_stopping_mid_import_says_what_was_imported_and_deleted_and_what_is_left(
        login, tmp_path):
    dcim = phone(tmp_path, 20)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    cancel = ev.CancelToken()
    running = ImportService(login("clinician")).import_from_device(
        volume, list_images(volume), policy=DeletionPolicy.ALWAYS, cancel=cancel)
    for event in running:
        if isinstance(event, ev.SourceDeleted) and len(running.receipt.deleted) == 7:
            cancel.cancel()
    receipt = running.receipt
    left = on_the_phone(dcim)
    deleted = {p.path.name for p in receipt.deleted}

    assert receipt.cancelled and len(deleted) >= 7
    assert not deleted & left and len(deleted) + len(left) == 20
    stored = [p for p in receipt.photos if p.safe_in_vault]
    assert {p.path.name for p in stored} == deleted
    unread = receipt.not_read
    assert {p.path.name for p in unread} == left
    assert receipt.headline() == (
        f"Import stopped: {len(stored)} photos imported from PHONE, {len(deleted)} deleted "
        f"from the phone. {len(unread)} photos not read and are still on the phone ("
        + ", ".join(p.path.name for p in unread[:5]) + f" and {len(unread) - 5} more). "
        "The import was stopped before Clinfile read them. Import again to take them in.")
    assert all(p.why == "The import was stopped before Clinfile read it." for p in unread)


def test_a_phone_refusing_one_photo_names_it_and_says_it_is_safe_in_the_vault(
        login, tmp_path):
    dcim = phone(tmp_path, 3)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    stuck = dcim / "IMG_0001.JPG"
    images = [i for i in list_images(volume) if i.path != stuck]
    service = ImportService(login("clinician"))
    for _ in service.import_from_device(volume, images, policy=DeletionPolicy.ALWAYS):
        pass
    assert on_the_phone(dcim) == {"IMG_0001.JPG"}
    with undeletable(dcim):
        running = service.import_from_device(volume, list_images(volume),
                                             policy=DeletionPolicy.ALWAYS)
        for _ in running:
            pass
        assert on_the_phone(dcim) == {"IMG_0001.JPG"}
    receipt = running.receipt
    assert receipt.complete and receipt.troubled
    assert receipt.headline() == (
        "1 photo imported from PHONE, 0 deleted from the phone. 1 photo safe in the vault is "
        "still on the phone (IMG_0001.JPG). The device did not allow the picture to be "
        "deleted; it is safely in the vault, so delete it on the device by hand.")
    assert receipt.lines() == [
        "IMG_0001.JPG: imported (item "
        f"{receipt.photos[0].item_id}), kept on the phone. The device did not allow the "
        "picture to be deleted; it is safely in the vault, so delete it on the device by hand."]


@pytest.mark.slow
def test_a_300_photo_phone_is_imported_whole_and_emptied(login, tmp_path):
    dcim = phone(tmp_path, 300, "Galaxy")
    volume = find_camera_volumes([tmp_path / "media"])[0]
    running = ImportService(login("clinician")).import_from_device(
        volume, list_images(volume), policy=DeletionPolicy.ALWAYS)
    for _ in running:
        pass
    assert on_the_phone(dcim) == set()
    assert running.receipt.complete and not running.receipt.troubled
    assert running.receipt.headline() == (
        "300 photos imported from Galaxy, 300 deleted from the phone.")


def test_the_practice_setting_is_kept_whoever_asks_the_service(login, tmp_path):
    dcim = phone(tmp_path, 2)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))
    for _ in service.import_from_device(volume, list_images(volume)[:1],
                                        policy=DeletionPolicy.NEVER):
        pass
    SettingsService(login("admin")).change(device_deletion="never")
    with pytest.raises(PolicyRefused, match="keeps photos on phones"):
        for _ in service.import_from_device(volume, list_images(volume),
                                            policy=DeletionPolicy.ALWAYS):
            pass
    with pytest.raises(PolicyRefused, match="keeps photos on phones"):
        list(service.delete_safe_copies(volume, [i.path for i in list_images(volume)]))
    assert len(on_the_phone(dcim)) == 2
    SettingsService(login("admin")).change(device_deletion="always")
    with pytest.raises(PolicyRefused, match="deletes photos from phones"):
        for _ in service.import_from_device(volume, list_images(volume),
                                            policy=DeletionPolicy.NEVER):
            pass
    assert len(on_the_phone(dcim)) == 2


def test_two_imports_of_one_phone_at_once_each_say_only_what_they_did(login, tmp_path):
    import threading

    dcim = phone(tmp_path, 30)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    receipts = []

    def one_import(user: str) -> None:
        running = ImportService(login(user)).import_from_device(
            volume, list_images(volume), policy=DeletionPolicy.ALWAYS)
        for _ in running:
            pass
        receipts.append(running.receipt)

    both = [threading.Thread(target=one_import, args=(user,))
            for user in ("clinician", "clinician")]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert on_the_phone(dcim) == set()
    first, second = receipts
    deleted = [{p.path for p in r.deleted} for r in receipts]
    assert not deleted[0] & deleted[1]
    assert len(deleted[0] | deleted[1]) == 30
    for receipt in receipts:
        assert receipt.complete and not receipt.not_read
        assert all(not p.still_on_phone for p in receipt.photos)
        words = receipt.headline()
        assert f"{len(receipt.deleted)} deleted from the phone" in words
        assert "still on the phone" not in words and "stopped" not in words
        taken = [p for p in receipt.photos if not p.safe_in_vault]
        if taken:
            assert "by another import running at the same time" in words


def test_files_dragged_in_from_a_phone_are_from_a_device_and_never_deleted_under_never(
        login, tmp_path):
    SettingsService(login("admin")).change(device_deletion="never")
    screenshots = phone(tmp_path, 1).parent.parent / "Pictures" / "Screenshots"
    write(screenshots / "Screenshot_1.jpg", jpeg_bytes(colour="red", size=(50, 30)))
    service = ImportService(login("clinician"))
    with pytest.raises(PolicyRefused):
        list(service.import_paths([screenshots], keep_source=False))
    events = list(service.import_paths([screenshots.parent], keep_source=True))
    imported = [e for e in events if isinstance(e, ev.Imported)]
    assert len(imported) == 1 and on_the_phone(screenshots) == {"Screenshot_1.jpg"}
    with login("admin").vault.index() as conn:
        assert ImageRepository(conn).unfiled()[0].source_kind == "device"


def test_deleting_the_safe_copies_says_a_photo_already_gone_was_gone_not_kept(login, tmp_path):
    dcim = phone(tmp_path, 3)
    volume = find_camera_volumes([tmp_path / "media"])[0]
    service = ImportService(login("clinician"))
    for _event in service.import_from_device(volume, list_images(volume),
                                             policy=DeletionPolicy.NEVER):
        pass
    (dcim / "IMG_0001.JPG").unlink()
    outcome = SafeCopies("PHONE")
    for event in service.delete_safe_copies(volume, [image.path for image in
                                                     list_images(volume)] + [
                                                dcim / "IMG_0001.JPG"]):
        outcome.add(event)
    assert on_the_phone(dcim) == set()
    assert outcome.words() == ("2 photos already safe in the vault were deleted from PHONE. "
                               "1 photo had already gone from the phone (IMG_0001.JPG).")
    assert not outcome.kept
    assert "IMG_0001.JPG: already gone from the phone." in outcome.lines
    assert "kept" not in " ".join(outcome.lines)
