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

from clinfile.app.errors import MeantForPeople

# The folder names each sync client gives its folder by default, on Windows, macOS
# (``~/Library/CloudStorage/<Provider>-<account>``) and Linux; matched whole and
# without regard to case. The catch-all ``CloudStorage`` parent comes last, so a
# path inside it names its provider when the provider is known.
_CLOUD_FOLDER_NAMES = [
    (r"dropbox( \(.*\))?(-.*)?", "Dropbox"),
    (r"onedrive( ?- ?.*)?", "OneDrive"),
    (r"(google ?drive(-.*)?|my drive|shared drives|drivefs)", "Google Drive"),
    (r"(icloud ?drive|com~apple~clouddocs|mobile documents)", "iCloud Drive"),
    (r"box( sync|-box)?", "Box"),
    (r"nextcloud", "Nextcloud"),
    (r"owncloud", "ownCloud"),
    (r"pcloud( ?drive| sync)?", "pCloud"),
    (r"mega( ?sync| downloads)?", "MEGA"),
    (r"synology ?drive", "Synology Drive"),
    (r"proton ?drive(-.*)?", "Proton Drive"),
    (r"tresorit( drive)?|tresors", "Tresorit"),
    (r"sync(\.com)?", "Sync.com"),
    (r"seafile|seadrive", "Seafile"),
    (r"cloudstorage", "a cloud storage provider"),
]
_CLOUD_FOLDERS = [(re.compile(f"^(?:{name})$", re.IGNORECASE), service)
                  for name, service in _CLOUD_FOLDER_NAMES]

# Files or folders a sync client keeps at the top of its folder, which betray
# it under any name; checked with one ``exists`` each, up the parents.
_CLOUD_MARKER_FILES = [
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".nextcloudsync.log", "Nextcloud"),
    (".owncloudsync.log", "ownCloud"),
    (".tmp.drivedownload", "Google Drive"),
    (".tmp.driveupload", "Google Drive"),
    (".SynologyWorkingDirectory", "Synology Drive"),
    (".debris", "MEGA"),
    (".seafile-data", "Seafile"),
]
_NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "fuse.sshfs", "sshfs", "afs",
    "9p", "ceph", "glusterfs", "fuse.glusterfs", "davfs", "fuse.davfs2", "fuse.rclone",
    "fuse.gcsfuse", "fuse.s3fs", "webdav", "lustre",
}


class CloudFolderRefused(MeantForPeople):
    """The chosen location is inside a folder that a cloud service copies away."""


@dataclass(frozen=True)
class LocationCheck:
    """What is known about a place patient data might be kept."""

    path: Path
    cloud_service: str | None
    network_filesystem: str | None
    resolved: Path | None = None

    def refusal(self, what: str) -> str:
        """The plain words refusing this place for ``what`` (the vault, the outbox...)."""
        really = (f" (it is really {self.resolved})"
                  if self.resolved and self.resolved != self.path else "")
        return (f"{self.path}{really} is inside a {self.cloud_service} folder, which copies "
                f"everything in it to the internet. Choose a folder on this computer for the "
                f"{what}.")

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
    """Look at a path and say whether a cloud client or a network share holds it.

    Links are followed (``realpath``): a folder on this disk that is really a
    link into a Dropbox folder is synced all the same. The path as given is
    judged too, so a sync folder reached by a link is refused by its name.
    """
    absolute = Path(os.path.abspath(path))
    resolved = Path(os.path.realpath(absolute))
    return LocationCheck(
        path=absolute,
        cloud_service=cloud_service_of(resolved) or cloud_service_of(absolute),
        network_filesystem=_network_filesystem(resolved, mounts_file),
        resolved=resolved,
    )


def require_local(path: Path, *, what: str, force: bool = False) -> LocationCheck:
    """Refuse a cloud-sync location unless forced; return the check for its warnings."""
    found = check_location(path)
    if found.cloud_service and not force:
        raise CloudFolderRefused(found.refusal(what))
    return found


def cloud_service_of(path: PurePath) -> str | None:
    """Name the sync service whose folder contains ``path``, or None.

    Folder names are read first, most specific service first; then the
    marker files each client leaves at the top of its folder.
    """
    for pattern, service in _CLOUD_FOLDERS:
        if any(pattern.match(part) for part in path.parts):
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
