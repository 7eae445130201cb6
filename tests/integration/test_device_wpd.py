"""The Windows Portable Devices source, its COM calls answered from a folder."""

import shutil
import sys
from pathlib import Path

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.device_sources import DeviceSource
from clinfile.app.ingest.device_sources.wpd import WpdDevice, find_wpd_devices
from clinfile.app.ingest.devices import DeletionPolicy
from clinfile.app.ingest.service import ImportService
from tests.integration.test_device_receipts import on_the_phone
from tests.unit.app.ingest.hostile_files import jpeg_bytes, write
from tests.unit.app.ingest.wpd_phone import FolderPort


def iphone(tmp_path: Path, count: int) -> Path:
    dcim = tmp_path / "phone" / "Internal Storage" / "DCIM" / "100APPLE"
    for n in range(count):
        write(dcim / f"IMG_{n:04d}.JPG", jpeg_bytes(colour=("red", "green", "blue")[n % 3],
                                                    size=(40 + n, 30)))
    write(dcim / "IMG_E0000.AAE", b"<plist/>")
    write(dcim.parent / ".thumbnails" / "x.jpg", jpeg_bytes())
    write(tmp_path / "phone" / "Internal Storage" / "Download" / "scan.jpg", jpeg_bytes())
    return dcim


def test_off_windows_no_portable_device_is_looked_for():
    if sys.platform != "win32":
        assert find_wpd_devices() == []


def test_only_the_photos_in_dcim_folders_are_listed_by_the_phone_s_name(tmp_path):
    iphone(tmp_path, 2)
    device = WpdDevice(FolderPort(tmp_path / "phone"), r"\\?\usb#vid_05ac&pid_12a8#abc")
    assert isinstance(device, DeviceSource)
    listing = device.list_device()
    assert device.label == "Anna's iPhone"
    assert device.transport == "through Windows Portable Devices"
    assert [i.path.name for i in listing.images] == ["IMG_0001.JPG", "IMG_0000.JPG"]
    assert [p.name for p in listing.edits] == ["IMG_E0000.AAE"]
    assert all(str(i.path).startswith("wpd:") for i in listing.images)


def test_photos_are_imported_and_deleted_from_a_portable_device_once_safe(login, tmp_path):
    dcim = iphone(tmp_path, 4)
    device = WpdDevice(FolderPort(tmp_path / "phone"), "phone-1")
    running = ImportService(login("clinician")).import_from_device(
        device, device.list_device().images, policy=DeletionPolicy.ALWAYS)
    for _ in running:
        pass
    assert on_the_phone(dcim) == {"IMG_E0000.AAE"}
    assert running.receipt.headline() == (
        "4 photos imported from Anna's iPhone, 4 deleted from the phone.")


def test_a_portable_device_that_forbids_deleting_keeps_them_and_says_so(login, tmp_path):
    dcim = iphone(tmp_path, 2)
    device = WpdDevice(FolderPort(tmp_path / "phone", can_delete=False), "phone-1")
    running = ImportService(login("clinician")).import_from_device(
        device, device.list_device().images, policy=DeletionPolicy.ALWAYS)
    for _ in running:
        pass
    assert len(on_the_phone(dcim)) == 3
    assert not device.may_delete
    assert "The phone would not let Clinfile delete them" in running.receipt.headline()


def test_a_portable_device_unplugged_mid_import_is_reported_truly(login, tmp_path):
    iphone(tmp_path, 20)
    device = WpdDevice(FolderPort(tmp_path / "phone"), "phone-1")
    running = ImportService(login("clinician")).import_from_device(
        device, device.list_device().images, policy=DeletionPolicy.ALWAYS)
    drawer = tmp_path / "drawer"
    for event in running:
        if isinstance(event, ev.SourceDeleted) and not drawer.exists():
            drawer.mkdir()
            shutil.move(tmp_path / "phone", drawer)
    receipt = running.receipt
    left = on_the_phone(drawer / "phone" / "Internal Storage" / "DCIM" / "100APPLE")
    gone = {p.path.name for p in receipt.deleted}
    assert receipt.device_went_away and gone and not gone & left
    assert len(gone) + len(left) == 21
    assert receipt.headline().startswith("Anna's iPhone went away during the import. ")
