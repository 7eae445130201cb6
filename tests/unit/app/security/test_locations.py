from pathlib import Path, PureWindowsPath

import pytest

from app.security.locations import (
    CloudFolderRefused,
    check_location,
    cloud_service_of,
    require_local,
)


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/home/jo/Dropbox/clinic", "Dropbox"),
        ("/home/jo/Dropbox (Practice)/clinic", "Dropbox"),
        ("/home/jo/OneDrive - Smith Medical/vault", "OneDrive"),
        ("/Users/jo/Library/Mobile Documents/com~apple~CloudDocs/v", "iCloud Drive"),
        ("/Users/jo/Library/CloudStorage/GoogleDrive-jo@x/My Drive/v", "a cloud storage provider"),
        ("/home/jo/Nextcloud/v", "Nextcloud"),
        ("/home/jo/ownCloud/v", "ownCloud"),
        ("/home/jo/Box/v", "Box"),
        ("/home/jo/Google Drive/v", "Google Drive"),
    ],
)
def test_cloud_folders_are_named(path, service):
    assert cloud_service_of(Path(path)) == service


def test_windows_paths_are_recognised():
    assert cloud_service_of(PureWindowsPath(r"C:\Users\jo\OneDrive\Clinic")) == "OneDrive"


def test_ordinary_folders_are_fine(tmp_path):
    assert cloud_service_of(tmp_path / "clinic" / "vault") is None
    assert require_local(tmp_path / "vault", what="vault").warnings == []


def test_a_marker_file_betrays_a_renamed_sync_folder(tmp_path):
    (tmp_path / ".dropbox").write_text("{}")
    assert cloud_service_of(tmp_path / "sub" / "vault") == "Dropbox"


def test_cloud_is_refused_unless_forced(tmp_path):
    with pytest.raises(CloudFolderRefused, match="copies everything"):
        require_local(tmp_path / "OneDrive" / "v", what="vault")
    require_local(tmp_path / "OneDrive" / "v", what="vault", force=True)


def test_network_file_systems_warn(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        "//server/share /mnt/practice\\040share cifs rw 0 0\n"
    )
    found = check_location(Path("/mnt/practice share/vault"), mounts_file=mounts)
    assert found.network_filesystem == "cifs"
    assert "network drive" in found.warnings[0]
    assert check_location(Path("/home/jo/vault"), mounts_file=mounts).warnings == []
