"""Phones and cameras on Windows, through Windows Portable Devices (WPD).

On Windows, where most practices run, an iPhone (PTP) and an Android phone
in "file transfer" mode (MTP) never get a drive letter: Explorer shows them
through WPD, and so does this module, through ``comtypes``. The device's
objects form a tree (storages, folders, files) named by object ids rather
than paths; each photo is given a path ``wpd:<device>/<storage>/DCIM/...``
built from the names, and the object id is looked up again before every read
and delete, so a photo replaced since it was listed is never deleted.

The COM calls live in :class:`ComPort`, importable on every platform but
usable only on Windows; everything above them (the walk, the custody rules,
what counts as gone) is :class:`WpdDevice`, which works over any
:class:`WpdPort` and is tested on Linux with a port standing in for a phone.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Protocol

from clinfile.app.ingest import refusal
from clinfile.app.ingest.devices import (
    EDIT_SUFFIX,
    PICTURE_SUFFIXES,
    DeviceImage,
    Listing,
    is_cache,
)
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.open import SourceChanged, SourceState, StagedFile

TRANSPORT = "through Windows Portable Devices"
ROOT = "DEVICE"  # WPD's id for the top of every device's tree
READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class WpdObject:
    """One object on the device, as WPD describes it."""

    object_id: str
    name: str
    folder: bool
    size: int = 0
    modified: datetime | None = None
    can_delete: bool = True


class WpdPort(Protocol):
    """The few WPD calls an import needs, on one opened device."""

    @property
    def friendly_name(self) -> str:
        """The name the phone gives itself ("Anna's iPhone")."""

    def children(self, object_id: str) -> list[WpdObject]:
        """The objects directly inside one (storages inside ``DEVICE``, then folders, files)."""

    def describe(self, object_id: str) -> WpdObject:
        """One object as it is now. Raises FileNotFoundError when it is not there."""

    def read(self, object_id: str, max_bytes: int) -> bytes:
        """An object's whole content, read through its stream."""

    def delete(self, object_id: str) -> None:
        """Delete one object (not recursively)."""

    def alive(self) -> bool:
        """Whether the device still answers."""

    def close(self) -> None:
        """Let the device go."""


class WpdDevice:
    """A phone or camera on Windows, behind the same interface as a folder."""

    def __init__(self, port: WpdPort, device_id: str) -> None:
        self._port = port
        self._device_id = device_id
        self._lock = threading.Lock()
        self._ids: dict[Path, str] = {}

    @property
    def label(self) -> str:
        """The name the phone gives itself."""
        return self._port.friendly_name

    @property
    def dcim(self) -> Path:
        """The root of this device's photo paths."""
        return Path(f"wpd:{_safe(self._device_id)}")

    @property
    def transport(self) -> str:
        """How Clinfile reaches it."""
        return TRANSPORT

    @property
    def may_delete(self) -> bool:
        """Whether the photos listed may be deleted (an iPhone over PTP says no)."""
        with self._lock:
            photos = list(self._ids.values())
        if not photos:
            return True
        try:
            return self._call(lambda: self._port.describe(photos[0])).can_delete
        except FileNotFoundError:
            return True

    @property
    def settles(self) -> bool:
        """A photo stored on the device is complete."""
        return False

    def present(self) -> bool:
        """Whether the device still answers."""
        try:
            return self._call(self._port.alive)
        except OSError:
            return False

    def close(self) -> None:
        """Let the device go."""
        self._call(self._port.close)

    # --- listing --------------------------------------------------------------------

    def list_device(self) -> Listing:
        """Every photo in the device's DCIM folders, newest first; edit files set aside."""
        images, edits = [], []
        ids = {}
        for path, item in self._walk(ROOT, self.dcim, in_dcim=False):
            suffix = path.suffix.lower()
            if suffix == EDIT_SUFFIX:
                edits.append(path)
            elif suffix in PICTURE_SUFFIXES and not item.name.startswith("."):
                ids[path] = item.object_id
                when = item.modified or datetime.fromtimestamp(0, UTC)
                images.append(DeviceImage(path, item.size, when))
        with self._lock:
            self._ids = ids
        images.sort(key=lambda image: (image.modified, image.path.name), reverse=True)
        return Listing(images, sorted(edits))

    def _walk(self, object_id: str, path: Path, *, in_dcim: bool
              ) -> Iterator[tuple[Path, WpdObject]]:
        for item in self._call(lambda: self._port.children(object_id)):
            inside = path / _safe(item.name)
            if item.folder:
                if is_cache(item.name):
                    continue
                # Storages sit above DCIM; only what is inside a DCIM folder is a photo.
                yield from self._walk(item.object_id, inside,
                                      in_dcim=in_dcim or item.name.upper() == "DCIM")
            elif in_dcim:
                yield inside, item

    # --- reading and deleting ---------------------------------------------------------

    def state(self, path: Path) -> SourceState:
        """A photo's size and time now (None when it is not there)."""
        try:
            item = self._now(path)
        except FileNotFoundError:
            return SourceState(None, None)
        return SourceState(item.size, _ns(item))

    def stage(self, path: Path, max_bytes: int) -> StagedFile:
        """Read one photo into memory while hashing it."""
        before = self._now(path)
        if before.size > max_bytes:
            raise Refused(refusal.too_large_file(max_bytes))
        data = self._call(lambda: self._port.read(before.object_id, max_bytes))
        after = self._now(path)
        if len(data) != before.size or (after.size, _ns(after)) != (before.size, _ns(before)):
            raise SourceChanged(str(path))
        return StagedFile(Path(path), data, hashlib.sha256(data).hexdigest(), before.size,
                          _ns(before), 0, 0)

    def remove(self, staged: StagedFile) -> None:
        """Delete the photo read, only if it is still that very one (same size and time)."""
        item = self._now(staged.path)
        if (item.size, _ns(item)) != (staged.size, staged.mtime_ns):
            raise SourceChanged(str(staged.path))
        if not item.can_delete:
            raise PermissionError(f"{self.label} does not allow deleting this photo")
        self._call(lambda: self._port.delete(item.object_id))

    def _now(self, path: Path) -> WpdObject:
        with self._lock:
            object_id = self._ids.get(Path(path))
        if object_id is None:
            raise FileNotFoundError(str(path))
        item = self._call(lambda: self._port.describe(object_id))
        if PurePosixPath(Path(path).as_posix()).name != _safe(item.name):
            raise SourceChanged(str(path))
        return item

    def _call(self, call):
        """One WPD call at a time; a device that stopped answering reads as gone."""
        with self._lock:
            try:
                return call()
            except (FileNotFoundError, PermissionError, Refused, SourceChanged):
                raise
            except OSError:
                if not self._port_alive():
                    raise FileNotFoundError("the device is not answering") from None
                raise

    def _port_alive(self) -> bool:
        try:
            return self._port.alive()
        except OSError:
            return False


def _safe(name: str) -> str:
    """A WPD name as one path part (a slash in a name must not make a folder)."""
    return name.replace("/", "∕").replace("\\", "∖") or "_"


def _ns(item: WpdObject) -> int:
    return int(item.modified.timestamp() * 1_000_000_000) if item.modified else 0


def find_wpd_devices() -> list[WpdDevice]:
    """Every phone or camera Windows shows as a portable device (none off Windows)."""
    if sys.platform != "win32":
        return []
    from clinfile.app.ingest.device_sources.wpd_com import ComPort, device_ids

    found = []
    for device_id in device_ids():
        try:
            found.append(WpdDevice(ComPort(device_id), device_id))
        except OSError:
            continue
    return found
