from pathlib import Path, PureWindowsPath

import pytest

from clinfile.app.custody.locations import (
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
        ("/Users/jo/Library/CloudStorage/GoogleDrive-jo@x/My Drive/v", "Google Drive"),
        ("/Users/jo/Library/CloudStorage/SomeNewCloud-jo/v", "a cloud storage provider"),
        ("/home/jo/Nextcloud/v", "Nextcloud"),
        ("/home/jo/ownCloud/v", "ownCloud"),
        ("/home/jo/Box/v", "Box"),
        ("/home/jo/Google Drive/v", "Google Drive"),
        ("/home/jo/ONEDRIVE/v", "OneDrive"),
        ("C:/Users/jo/iCloudDrive/v", "iCloud Drive"),
        ("/home/jo/Box Sync/v", "Box"),
        ("/home/jo/pCloudDrive/v", "pCloud"),
        ("/home/jo/pCloud Drive/v", "pCloud"),
        ("/home/jo/MEGA/v", "MEGA"),
        ("/home/jo/MEGAsync/v", "MEGA"),
        ("/home/jo/SynologyDrive/v", "Synology Drive"),
        ("/home/jo/Synology Drive/v", "Synology Drive"),
        ("/home/jo/Proton Drive/v", "Proton Drive"),
        ("/Users/jo/Library/CloudStorage/ProtonDrive-jo@proton.me-folder/v", "Proton Drive"),
        ("/home/jo/Tresorit/v", "Tresorit"),
        ("/home/jo/Sync/v", "Sync.com"),
        ("/home/jo/Seafile/My Library/v", "Seafile"),
        ("/home/jo/SeaDrive/v", "Seafile"),
    ],
)
def test_cloud_folders_are_named(path, service):
    assert cloud_service_of(Path(path)) == service


def test_windows_paths_are_recognised():
    assert cloud_service_of(PureWindowsPath(r"C:\Users\jo\OneDrive\Clinic")) == "OneDrive"


def test_ordinary_folders_are_fine(tmp_path):
    assert cloud_service_of(tmp_path / "clinic" / "vault") is None
    assert require_local(tmp_path / "vault", what="vault").warnings == []


@pytest.mark.parametrize(("marker", "service"), [
    (".dropbox", "Dropbox"), (".dropbox.cache", "Dropbox"),
    (".nextcloudsync.log", "Nextcloud"), (".owncloudsync.log", "ownCloud"),
    (".tmp.drivedownload", "Google Drive"), (".SynologyWorkingDirectory", "Synology Drive"),
    (".debris", "MEGA"), (".seafile-data", "Seafile"),
])
def test_a_marker_file_betrays_a_renamed_sync_folder(tmp_path, marker, service):
    (tmp_path / marker).write_text("{}")
    assert cloud_service_of(tmp_path / "sub" / "vault") == service


@pytest.mark.parametrize("client", ["Dropbox", "OneDrive", "Google Drive", "iCloud Drive",
                                    "Box", "Nextcloud", "ownCloud", "pCloudDrive", "MEGA",
                                    "SynologyDrive", "Proton Drive", "Tresorit", "Sync",
                                    "Seafile"])
def test_a_link_into_a_sync_folder_is_followed(tmp_path, client):
    synced = tmp_path / client / "clinic"
    synced.mkdir(parents=True)
    (tmp_path / "practice").symlink_to(synced)
    found = check_location(tmp_path / "practice" / "vault")
    assert found.cloud_service and found.resolved == synced / "vault"
    with pytest.raises(CloudFolderRefused, match=f"it is really {synced / 'vault'}"):
        require_local(tmp_path / "practice" / "vault", what="vault")


def test_a_sync_folder_reached_by_a_link_is_refused_by_its_name(tmp_path):
    (tmp_path / "local").mkdir()
    (tmp_path / "Dropbox").symlink_to(tmp_path / "local")
    assert check_location(tmp_path / "Dropbox" / "vault").cloud_service == "Dropbox"


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
