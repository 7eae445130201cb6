"""Where patient data may be kept: never a cloud-sync folder, warily a network share.

Sync clients copy every change to someone else's servers, which is exactly
the cloud upload the guidance warns against; and SQLite's file locking is
unreliable over network file systems, so a shared vault can corrupt.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath

_CLOUD_FOLDER_NAMES = [
    (re.compile(r"^dropbox( \(.*\))?$", re.I), "Dropbox"),
    (re.compile(r"^onedrive( - .*)?$", re.I), "OneDrive"),
    (re.compile(r"^(google ?drive|my drive|shared drives)$", re.I), "Google Drive"),
    (re.compile(r"^(icloud ?drive|com~apple~clouddocs|mobile documents)$", re.I), "iCloud Drive"),
    (re.compile(r"^nextcloud$", re.I), "Nextcloud"),
    (re.compile(r"^owncloud$", re.I), "ownCloud"),
    (re.compile(r"^box( sync)?$", re.I), "Box"),
    (re.compile(r"^cloudstorage$", re.I), "a cloud storage provider"),
]
_CLOUD_MARKER_FILES = [
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".nextcloudsync.log", "Nextcloud"),
    (".owncloudsync.log", "ownCloud"),
]
_NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "fuse.sshfs", "sshfs", "afs",
    "9p", "ceph", "glusterfs", "fuse.glusterfs", "davfs", "fuse.davfs2", "fuse.rclone",
    "fuse.gcsfuse", "fuse.s3fs", "webdav", "lustre",
}


class CloudFolderRefused(Exception):
    """The chosen location is inside a folder that a cloud service copies away."""


@dataclass(frozen=True)
class LocationCheck:
    """What is known about a place patient data might be kept."""

    path: Path
    cloud_service: str | None
    network_filesystem: str | None

    @property
    def warnings(self) -> list[str]:
        """Plain-language warnings a person should see before going on."""
        if self.network_filesystem:
            return [
                f"{self.path} is on a network drive ({self.network_filesystem}). "
                "Keep the vault on this computer's own disk: shared network drives can "
                "corrupt it. Use the backup command to copy it elsewhere."
            ]
        return []


def check_location(path: Path, *, mounts_file: Path = Path("/proc/mounts")) -> LocationCheck:
    """Look at a path and say whether a cloud client or a network share holds it."""
    absolute = Path(os.path.abspath(path))
    return LocationCheck(
        path=absolute,
        cloud_service=cloud_service_of(absolute),
        network_filesystem=_network_filesystem(absolute, mounts_file),
    )


def require_local(path: Path, *, what: str, force: bool = False) -> LocationCheck:
    """Refuse a cloud-sync location unless forced; return the check for its warnings."""
    found = check_location(path)
    if found.cloud_service and not force:
        raise CloudFolderRefused(
            f"{found.path} is inside a {found.cloud_service} folder, which copies everything "
            f"in it to the internet. Choose a folder on this computer for the {what}."
        )
    return found


def cloud_service_of(path: PurePath) -> str | None:
    """Name the sync service whose folder contains ``path``, or None."""
    for part in path.parts:
        for pattern, service in _CLOUD_FOLDER_NAMES:
            if pattern.match(part):
                return service
    for folder in [Path(path), *Path(path).parents]:
        for marker, service in _CLOUD_MARKER_FILES:
            if (folder / marker).exists():
                return service
    return None


def _network_filesystem(path: Path, mounts_file: Path) -> str | None:
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return "network share"
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best: tuple[int, str] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        if text == mount_point or text.startswith(mount_point.rstrip("/") + "/"):
            if best is None or len(mount_point) > best[0]:
                best = (len(mount_point), fields[2])
    if best and best[1] in _NETWORK_FS:
        return best[1]
    return None
