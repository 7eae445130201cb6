import os
from pathlib import Path

from app.ingest.devices import (
    DeletionPolicy,
    decide_deletion,
    find_camera_volumes,
    list_images,
)


def _phone(root: Path, name: str, *, storage: str | None = None) -> Path:
    mount = root / name
    dcim = (mount / storage if storage else mount) / "DCIM" / "100APPLE"
    dcim.mkdir(parents=True)
    return dcim


def test_volumes_with_a_dcim_folder_are_found_and_others_ignored(tmp_path):
    _phone(tmp_path, "PHONE")
    _phone(tmp_path, "mtp:host=Pixel", storage="Internal shared storage")
    (tmp_path / "USB STICK" / "Documents").mkdir(parents=True)
    volumes = find_camera_volumes([tmp_path])
    found = {v.label: v for v in volumes}
    assert len(volumes) == 2
    assert set(found) == {"PHONE", "Internal shared storage"}
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
