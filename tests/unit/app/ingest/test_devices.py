import os
from pathlib import Path

from clinfile.app.ingest.devices import (
    DeletionPolicy,
    decide_deletion,
    find_camera_volumes,
    list_device,
    list_images,
    phone_name,
    volume_holding,
)


def _phone(root: Path, name: str, *, storage: str | None = None) -> Path:
    mount = root / name
    dcim = (mount / storage if storage else mount) / "DCIM" / "100APPLE"
    dcim.mkdir(parents=True)
    return dcim


def test_volumes_with_a_dcim_folder_are_found_and_others_ignored(tmp_path):
    _phone(tmp_path, "PHONE")
    _phone(tmp_path, "mtp:host=Google_Pixel_7_28291FDH2000GJ",
           storage="Internal shared storage")
    (tmp_path / "USB STICK" / "Documents").mkdir(parents=True)
    volumes = find_camera_volumes([tmp_path])
    found = {v.label: v for v in volumes}
    assert len(volumes) == 2
    assert set(found) == {"PHONE", "Google Pixel 7"}
    assert found["PHONE"].dcim == tmp_path / "PHONE" / "DCIM"


def test_pictures_are_listed_newest_first_without_videos(tmp_path):
    dcim = _phone(tmp_path, "PHONE")
    for age, name in enumerate(["IMG_3.JPG", "IMG_2.HEIC", "IMG_1.jpg"]):
        path = dcim / name
        path.write_bytes(b"x")
        os.utime(path, (1_700_000_000 - age * 60, 1_700_000_000 - age * 60))
    (dcim / "VID_1.MOV").write_bytes(b"x")
    volume = find_camera_volumes([tmp_path])[0]
    assert [i.path.name for i in list_images(volume)] == ["IMG_3.JPG", "IMG_2.HEIC", "IMG_1.jpg"]


def test_deletion_is_asked_only_under_the_ask_policy():
    asked = []

    def ask(count: int) -> bool:
        asked.append(count)
        return True

    assert decide_deletion(DeletionPolicy.ALWAYS, ask, 3) is True
    assert decide_deletion(DeletionPolicy.NEVER, ask, 3) is False
    assert asked == []
    assert decide_deletion(DeletionPolicy.ASK, ask, 3) is True
    assert asked == [3]


def test_phones_mounted_by_gvfs_are_named_as_their_owners_know_them():
    assert phone_name("mtp:host=SAMSUNG_SAMSUNG_Android_RF8N30ABCDE") == "SAMSUNG SAMSUNG Android"
    assert phone_name("gphoto2:host=Apple_Inc._iPhone_00008110001A2B3C") == "Apple Inc. iPhone"
    assert phone_name("mtp:host=Pixel") == "Pixel"
    assert phone_name("NIKON D3500") == ""
    assert phone_name("smb-share:server=x") == ""


def test_caches_are_not_listed_and_iphone_edit_files_are_set_aside(tmp_path):
    dcim = _phone(tmp_path, "PHONE")
    (dcim / "IMG_0001.HEIC").write_bytes(b"x")
    (dcim / "IMG_E0001.AAE").write_bytes(b"<plist/>")
    (dcim / "._IMG_0001.HEIC").write_bytes(b"x")
    for cache in (".thumbnails", ".trashed", "thumbnails"):
        (dcim.parent / cache).mkdir()
        (dcim.parent / cache / "1.jpg").write_bytes(b"x")
    listing = list_device(find_camera_volumes([tmp_path])[0])
    assert [i.path.name for i in listing.images] == ["IMG_0001.HEIC"]
    assert [p.name for p in listing.edits] == ["IMG_E0001.AAE"]


def test_a_path_given_by_hand_is_known_to_be_on_a_phone(tmp_path):
    dcim = _phone(tmp_path, "mtp:host=Google_Pixel_7_28291FDH2000GJ",
                  storage="Internal shared storage")
    for given in (dcim, dcim.parent, dcim.parent.parent, dcim.parent.parent.parent):
        volume = volume_holding(given)
        assert volume is not None and volume.dcim == dcim.parent
        assert volume.label == "Google Pixel 7"
    (tmp_path / "letters").mkdir()
    assert volume_holding(tmp_path / "letters") is None


def test_a_folder_elsewhere_on_a_phone_is_on_the_phone(tmp_path):
    storage = _phone(tmp_path, "mtp:host=Google_Pixel_7_28291FDH2000GJ",
                     storage="Internal shared storage").parent.parent
    screenshots = storage / "Pictures" / "Screenshots"
    screenshots.mkdir(parents=True)
    (screenshots / "S.jpg").write_bytes(b"x")
    (tmp_path / "shortcut").symlink_to(storage / "Pictures")
    for given, folder in ((screenshots, screenshots), (screenshots / "S.jpg", screenshots),
                          (tmp_path / "shortcut" / "Screenshots", screenshots)):
        volume = volume_holding(given)
        assert volume is not None and volume.dcim == folder
        assert volume.label == "Google Pixel 7"
    assert [i.path.name for i in list_images(volume_holding(screenshots))] == ["S.jpg"]


def test_names_with_a_trailing_space_are_read_as_a_phone_means_them(tmp_path):
    dcim = _phone(tmp_path, "PHONE")
    (dcim / "IMG_0004.JPG ").write_bytes(b"x")
    (dcim.parent / "Thumbnails ").mkdir()
    (dcim.parent / "Thumbnails " / "1.jpg").write_bytes(b"x")
    listing = list_device(find_camera_volumes([tmp_path])[0])
    assert [i.path.name for i in listing.images] == ["IMG_0004.JPG "]
