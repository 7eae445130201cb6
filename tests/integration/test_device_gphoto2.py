"""Phones that are not folders: the real libgphoto2 code path, over its directory driver.

The ``gphoto2`` wheels carry libgphoto2 with its "Directory Browse" driver,
which serves a folder (port ``disk:/path``) through the very calls a PTP or
MTP phone answers: list folders and files, get a file, delete a file. So the
import's listing, reading, custody and deleting run here as with a phone;
only the USB transport below libgphoto2 is not exercised.
"""

import shutil
from pathlib import Path

import pytest

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.device_sources import DeviceSource
from clinfile.app.ingest.device_sources.gphoto import Gphoto2Device, available
from clinfile.app.ingest.devices import DeletionPolicy
from clinfile.app.ingest.receipt import OnPhone, Vaulted
from clinfile.app.ingest.service import ImportService
from clinfile.db.audit import AuditRepository
from tests.integration.test_device_receipts import on_the_phone
from tests.unit.app.ingest.hostile_files import TEXT, jpeg_bytes, write
from tests.unit.app.ingest.phones import undeletable

pytestmark = pytest.mark.skipif(not available(), reason="libgphoto2 is not installed")


def camera_folder(tmp_path: Path, count: int) -> Path:
    """An iPhone-like storage: DCIM/100APPLE with photos, an edit file and a cache."""
    dcim = tmp_path / "iPhone" / "DCIM" / "100APPLE"
    for n in range(count):
        write(dcim / f"IMG_{n:04d}.JPG", jpeg_bytes(colour=("red", "green", "blue")[n % 3],
                                                    size=(40 + n, 30)))
    write(dcim / "IMG_E0000.AAE", b"<plist/>")
    write(dcim.parent / ".thumbnails" / "x.jpg", jpeg_bytes())
    return dcim


def test_the_directory_driver_is_in_the_bundled_libgphoto2(tmp_path):
    camera_folder(tmp_path, 1)
    device = Gphoto2Device.folder(tmp_path / "iPhone")
    try:
        assert isinstance(device, DeviceSource)
        assert device.label == "iPhone" and device.transport == "over PTP/MTP (libgphoto2)"
        assert device.may_delete and device.present()
        listing = device.list_device()
        # The directory driver shows only the file kinds it knows, so the .AAE
        # file a real iPhone lists over PTP does not appear here at all.
        assert [i.path.name for i in listing.images] == ["IMG_0000.JPG"]
        assert listing.edits == []
    finally:
        device.close()


def test_photos_are_imported_over_libgphoto2_and_deleted_only_once_safe(login, tmp_path):
    dcim = camera_folder(tmp_path, 6)
    write(dcim / "IMG_9999.JPG", TEXT)
    device = Gphoto2Device.folder(tmp_path / "iPhone")
    chosen = device.list_device().images
    running = ImportService(login("clinician")).import_from_device(
        device, chosen, policy=DeletionPolicy.ALWAYS)
    for _ in running:
        pass
    receipt = running.receipt
    assert on_the_phone(dcim) == {"IMG_9999.JPG", "IMG_E0000.AAE"}
    assert receipt.headline() == (
        "6 photos imported from iPhone, 6 deleted from the phone. 1 photo refused as not safe "
        "to take in and is still on the phone (IMG_9999.JPG).")
    vault = login("admin").vault
    with vault.index() as conn:
        rows = list(AuditRepository(conn).rows())
    deleted = [r for r in rows if r.action == "source.deleted"]
    imported = {r.subject: r for r in rows if r.action == "image.imported"}
    assert len(deleted) == 6 and len(imported) == 6
    assert all(r.subject.startswith(f"gphoto2:disk:{tmp_path}/iPhone/DCIM/100APPLE/")
               for r in deleted)
    device.close()


def test_a_camera_refusing_deletion_keeps_the_photos_and_says_so(login, tmp_path):
    dcim = camera_folder(tmp_path, 2)
    device = Gphoto2Device.folder(tmp_path / "iPhone")
    chosen = device.list_device().images
    with undeletable(dcim):
        running = ImportService(login("clinician")).import_from_device(
            device, chosen, policy=DeletionPolicy.ALWAYS)
        for _ in running:
            pass
        assert len(on_the_phone(dcim)) == 3
    receipt = running.receipt
    assert all(p.vaulted is Vaulted.IMPORTED and p.on_phone is OnPhone.KEPT
               for p in receipt.photos)
    assert "The phone would not let Clinfile delete them" in receipt.headline()
    device.close()


def test_a_camera_unplugged_mid_import_is_reported_truly(login, tmp_path):
    dcim = camera_folder(tmp_path, 30)
    device = Gphoto2Device.folder(tmp_path / "iPhone")
    chosen = device.list_device().images
    drawer = tmp_path / "drawer"
    running = ImportService(login("clinician")).import_from_device(
        device, chosen, policy=DeletionPolicy.ALWAYS)
    for event in running:
        if isinstance(event, ev.SourceDeleted) and not drawer.exists():
            drawer.mkdir()
            shutil.move(tmp_path / "iPhone", drawer)
    receipt = running.receipt
    left = on_the_phone(drawer / "iPhone" / "DCIM" / "100APPLE")
    gone = {p.path.name for p in receipt.deleted}
    assert receipt.device_went_away and gone and not gone & left
    assert len(gone) + len(left) == 31
    assert {p.path.name for p in receipt.not_read} <= left
    assert receipt.headline().startswith("iPhone went away during the import. ")
    assert dcim not in drawer.parents
    device.close()


def test_the_device_verb_imports_over_libgphoto2_under_the_practice_setting(
        login, vault_path, tmp_path):
    from clinfile.app.settings import SettingsService
    from tests.integration.test_device_cli import _cli

    SettingsService(login("admin")).change(device_deletion="never")
    dcim = camera_folder(tmp_path, 3)
    code, out, err = _cli(["device", "import", str(vault_path), "--port",
                           f"disk:{tmp_path / 'iPhone'}"])
    assert code == 0, err
    assert out.splitlines()[-1] == ("3 photos imported from iPhone, kept on the phone (the "
                                    "practice's setting).")
    assert len(on_the_phone(dcim)) == 4
