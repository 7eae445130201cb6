"""Phones and cameras mounted over a cable: finding them, listing their pictures.

A phone or camera shows up as a mounted volume holding a ``DCIM`` folder: a
USB mass-storage mount under ``/media/$USER`` or ``/run/media/$USER``, an MTP
or PTP mount by gvfs under ``/run/user/$UID/gvfs``, a drive letter on
Windows, or a folder in ``/Volumes`` on macOS. Where pictures are deleted
from the device afterwards follows the practice's policy; by default the
person is asked once per import.
"""

from __future__ import annotations

import getpass
import os
import string
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from clinfile.app.ingest.safety.open import (
    SourceState,
    StagedFile,
    remove_beneath,
    source_state,
    stage,
)
from clinfile.app.ingest.sources import is_litter

PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".png", ".tif", ".tiff",
                              ".webp", ".bmp", ".gif"})


# An iPhone's record of edits made on the phone, beside the photo it edits.
EDIT_SUFFIX = ".aae"
# Folders phones and cameras keep beside the photos for their own copies.
CACHE_FOLDERS = frozenset({"thumbnails", "thumbs", "cache"})


POLICY_KEEPS_PHOTOS = ("The practice keeps photos on phones (its setting is “never”), so "
                       "none was deleted; an administrator can change the setting.")
POLICY_DELETES_PHOTOS = ("The practice deletes photos from phones once they are safely in the "
                         "vault (its setting is “always”), so they cannot be kept there; an "
                         "administrator can change the setting.")


class DeletionPolicy(StrEnum):
    """Whether pictures are deleted from the device once safely in the vault."""

    ALWAYS = "always"
    NEVER = "never"
    ASK = "ask"


@dataclass(frozen=True)
class CameraVolume:
    """A mounted device with a DCIM folder.

    Attributes:
        mount: the volume, or the phone's storage inside its mount.
        dcim: its DCIM folder; or, for photos a person named elsewhere on
            it (``Pictures/Screenshots``), that folder, read the same way.
        name: the device's own name, when the mount says it (an MTP or PTP
            phone mounted by gvfs); else the volume's folder name is shown.
    """

    mount: Path
    dcim: Path
    name: str = ""

    @property
    def label(self) -> str:
        """The name to show the person: the phone's name, else the volume's folder name."""
        return self.name or self.mount.name or str(self.mount)

    transport = "as a folder"
    settles = True

    @property
    def may_delete(self) -> bool:
        """Whether the volume lets files be deleted (it is not mounted read-only)."""
        return os.access(self.dcim, os.W_OK)

    def present(self) -> bool:
        """Whether the device is still plugged in and answering."""
        try:
            return self.dcim.is_dir()
        except OSError:
            return False

    def list_device(self) -> Listing:
        """The volume's photos (see :func:`list_device`)."""
        return list_device(self)

    def state(self, path: Path) -> SourceState:
        """A photo's size and modification time now."""
        return source_state(path)

    def stage(self, path: Path, max_bytes: int) -> StagedFile:
        """Read one photo beneath the DCIM folder, never following a link."""
        return stage(self.dcim, path, max_bytes)

    def remove(self, staged: StagedFile) -> None:
        """Delete the photo read, if it is still that very file."""
        remove_beneath(self.dcim, staged)


@dataclass(frozen=True)
class DeviceImage:
    """One picture on a device, as listed for choosing."""

    path: Path
    size: int
    modified: datetime
    captured: datetime | None = None

    @property
    def taken(self) -> datetime:
        """When the photo was taken, by its camera's clock; else when the file was written."""
        return self.captured or self.modified


def default_roots() -> list[Path]:
    """Where removable volumes and phone mounts appear on this platform."""
    if sys.platform == "win32":
        return [Path(f"{letter}:\\") for letter in string.ascii_uppercase[3:]]
    if sys.platform == "darwin":
        return [Path("/Volumes")]
    user = _user_name()
    roots = [Path("/media") / user, Path("/run/media") / user]
    if hasattr(os, "getuid"):
        roots.append(Path(f"/run/user/{os.getuid()}/gvfs"))
    return roots


def find_camera_volumes(roots: Iterable[Path] | None = None) -> list[CameraVolume]:
    """Return every mounted volume under the roots that holds a DCIM folder.

    A root on Windows is itself a volume (a drive letter); elsewhere each
    folder inside a root is one. Phones over MTP show their storages one
    level down ("Internal shared storage/DCIM"), so those are looked at too.
    A volume reached both ways is listed once.
    """
    found: dict[Path, CameraVolume] = {}
    for root in roots if roots is not None else default_roots():
        for mount in [root, *_children(root)]:
            for place in [mount, *_children(mount)]:
                dcim = _dcim_in(place)
                if dcim is not None:
                    found.setdefault(dcim, CameraVolume(place, dcim, phone_name(mount.name)))
                    break
    return list(found.values())


def volume_holding(path: Path) -> CameraVolume | None:
    """The phone or camera a path given by hand lies on, if it is one.

    A path is on a device when it is, or lies inside, a ``DCIM`` folder; when
    it is a volume (or a phone's storage) holding one: what a person gets by
    dragging the phone's folder, or typing it on the command line; or when it
    lies anywhere else on such a volume, since Android keeps screenshots and
    messaging apps' pictures outside DCIM. Then the folder given is the one
    its photos are read beneath, and the practice's rule for phones holds
    there as in DCIM. The folders leading to the path are followed to where
    they really are, so a path reached through a shortcut is still on the
    phone.
    """
    path = real_place(path)
    for place in [path, *path.parents]:
        if place.name.upper() == "DCIM" and place.is_dir() and not place.is_symlink():
            return CameraVolume(place.parent, place, _name_of(place.parent))
    if path.is_dir() and not path.is_symlink():
        for place in [path, *_children(path)]:
            dcim = _dcim_in(place)
            if dcim is not None:
                return CameraVolume(place, dcim, _name_of(place))
    folder = path if path.is_dir() and not path.is_symlink() else path.parent
    for place in path.parents:
        if _dcim_in(place) is not None:
            return CameraVolume(place, folder, _name_of(place))
    return None


def real_place(path: Path) -> Path:
    """Where a path really is: the folders leading to it followed, the last name kept.

    The last name is kept as it is so that a link given by hand is still
    refused as a link rather than silently swapped for the file it points to.
    """
    path = Path(os.path.abspath(path))
    return Path(os.path.realpath(path.parent)) / path.name if path.name else path


def _name_of(storage: Path) -> str:
    """The phone's name for a volume, or for a storage inside a phone's mount."""
    return phone_name(storage.name) or phone_name(storage.parent.name)


def phone_name(mount_name: str) -> str:
    """The phone's name in a gvfs mount's folder name, or "" when it is not such a mount.

    gvfs names an MTP or PTP phone's mount ``mtp:host=Google_Pixel_7_28291FDH2000GJ``
    (maker, model and serial number); the person knows it as "Google Pixel 7",
    not as the "Internal shared storage" inside it.
    """
    scheme, _sep, host = mount_name.partition(":host=")
    if scheme not in ("mtp", "gphoto2") or not host:
        return ""
    words = host.replace("%20", " ").replace("_", " ").split()
    if len(words) > 1 and _looks_like_serial(words[-1]):
        words.pop()
    return " ".join(words)


def _looks_like_serial(word: str) -> bool:
    return len(word) >= 8 and word.isalnum() and any(c.isdigit() for c in word)


@dataclass(frozen=True)
class Listing:
    """A device's photos, newest first, and the iPhone edit files and hidden photos left aside."""

    images: list[DeviceImage]
    edits: list[Path]
    hidden: list[Path] = field(default_factory=list)


def list_device(volume: CameraVolume) -> Listing:
    """List the device's photos by name only, never following links.

    Hidden folders (Android's ``.thumbnails``, ``.trashed``) and the caches
    phones keep beside the photos are not looked in: they hold the phone's
    own copies, not photos someone took. An iPhone's ``.AAE`` files record
    edits made on the phone; they are not pictures, so they are set aside
    to be mentioned, never imported or refused.
    """
    images, edits, hidden = [], [], []
    for folder, dirs, files in os.walk(volume.dcim, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not is_cache(d))
        for name in files:
            path = Path(folder) / name
            # A trailing space (a name typed on a phone) does not change what the file is.
            suffix = path.suffix.lower().rstrip()
            if suffix == EDIT_SUFFIX and not is_litter(name):
                edits.append(path)
            if is_litter(name) or suffix not in PICTURE_SUFFIXES:
                continue
            if name.startswith("."):
                hidden.append(path)
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            images.append(DeviceImage(path, st.st_size,
                                      datetime.fromtimestamp(st.st_mtime, UTC)))
    images.sort(key=lambda image: (image.modified, image.path.name), reverse=True)
    return Listing(images, sorted(edits), sorted(hidden))


def list_images(volume: CameraVolume) -> list[DeviceImage]:
    """List the device's photos, newest first (see :func:`list_device`)."""
    return list_device(volume).images


def is_cache(folder: str) -> bool:
    """Whether a folder on a device holds the phone's own copies (thumbnails, a bin)."""
    return folder.startswith(".") or folder.strip().casefold() in CACHE_FOLDERS


def decide_deletion(policy: DeletionPolicy, ask: Callable[[int], bool], count: int) -> bool:
    """Settle once, before the import, whether its pictures leave the device.

    Args:
        policy: the practice's setting.
        ask: asks the person, given how many pictures are about to be imported;
            called only when the policy is ASK.
        count: how many pictures were chosen.
    """
    if policy is DeletionPolicy.ALWAYS:
        return True
    if policy is DeletionPolicy.NEVER:
        return False
    return bool(ask(count))


def _children(root: Path) -> list[Path]:
    try:
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def _dcim_in(mount: Path) -> Path | None:
    try:
        for entry in mount.iterdir():
            if entry.name.upper() == "DCIM" and entry.is_dir() and not entry.is_symlink():
                return entry
    except OSError:
        return None
    return None


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "")
