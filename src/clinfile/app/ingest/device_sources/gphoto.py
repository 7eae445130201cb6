"""Phones and cameras over PTP or MTP, through libgphoto2 (Linux and macOS).

iPhones speak PTP only and Android phones in "file transfer" mode speak MTP;
neither shows up as a folder unless the desktop mounts it. libgphoto2 (its
Python binding's wheels carry the library and its drivers) lists, reads and
deletes their photos directly. Its "Directory Browse" driver serves a folder
through the same calls (port ``disk:/path``), which is how this code runs in
tests without a phone.

A libgphoto2 camera is not safe to call from two threads at once, and an
import reads on one thread and deletes on another, so every call goes
through one lock.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

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

try:
    import gphoto2 as gp
except ImportError:  # pragma: no cover - the binding has no wheel for this platform
    gp = None

DIRECTORY_DRIVER = "Directory Browse"
TRANSPORT = "over PTP/MTP (libgphoto2)"
# libgphoto2's answers that mean the photo or its folder is not there.
_NOT_FOUND = (-108, -107)


def available() -> bool:
    """Whether libgphoto2 can be used on this computer."""
    return gp is not None


def find_gphoto2_devices() -> list[Gphoto2Device]:
    """Every phone or camera libgphoto2 finds on USB, each opened ready to list."""
    if gp is None:
        return []
    found = []
    for model, port in gp.Camera.autodetect():
        if port.startswith("usb:"):
            try:
                found.append(Gphoto2Device.open(model, port))
            except gp.GPhoto2Error:
                continue
    return found


def open_port(port: str) -> Gphoto2Device:
    """Open the device on a libgphoto2 port: ``usb:001,004``, or ``disk:/folder``.

    Raises:
        OSError: libgphoto2 is missing, nothing answers there, or it could not be opened.
    """
    if gp is None:
        raise OSError("libgphoto2 is not available on this computer.")
    try:
        if port.startswith("disk:"):
            return Gphoto2Device.folder(Path(port.removeprefix("disk:")))
        models = [model for model, found in gp.Camera.autodetect() if found == port]
        if not models:
            raise OSError(f"No phone or camera answers on {port}.")
        return Gphoto2Device.open(models[0], port)
    except gp.GPhoto2Error as exc:
        raise OSError(f"The device on {port} could not be opened: {exc}") from None


class Gphoto2Device:
    """One phone or camera reached through libgphoto2."""

    def __init__(self, camera, model: str, port: str, may_delete: bool) -> None:
        self._camera = camera
        self._lock = threading.Lock()
        self._model = model
        self._port = port
        self._may_delete = may_delete
        self._gone = False

    @classmethod
    def open(cls, model: str, port: str) -> Gphoto2Device:
        """Open the device of this libgphoto2 model on this port (e.g. ``usb:001,004``)."""
        if gp is None:
            raise OSError("libgphoto2 is not available on this computer")
        abilities_list = gp.CameraAbilitiesList()
        abilities_list.load()
        abilities = abilities_list.get_abilities(abilities_list.lookup_model(model))
        ports = gp.PortInfoList()
        ports.load()
        camera = gp.Camera()
        camera.set_abilities(abilities)
        camera.set_port_info(ports[ports.lookup_path(port)])
        camera.init()
        may_delete = bool(abilities.file_operations & gp.GP_FILE_OPERATION_DELETE)
        return cls(camera, model, port, may_delete)

    @classmethod
    def folder(cls, path: Path) -> Gphoto2Device:
        """A folder served by libgphoto2's directory driver, as a phone would be."""
        return cls.open(DIRECTORY_DRIVER, f"disk:{Path(path).absolute()}")

    # --- what it is -------------------------------------------------------------------

    @property
    def label(self) -> str:
        """The model's name; for the directory driver, the folder's name."""
        if self._model == DIRECTORY_DRIVER:
            return PurePosixPath(self._port.removeprefix("disk:")).name or self._port
        return self._model

    @property
    def dcim(self) -> Path:
        """The root of this device's photo paths: ``gphoto2:<port>``."""
        return Path(f"gphoto2:{self._port}")

    @property
    def transport(self) -> str:
        """How Clinfile reaches it."""
        return TRANSPORT

    @property
    def may_delete(self) -> bool:
        """Whether the driver can delete files from this device."""
        return self._may_delete

    @property
    def settles(self) -> bool:
        """A photo stored on a camera is complete; there is nothing to wait for."""
        return False

    def __repr__(self) -> str:
        return f"Gphoto2Device({self._model!r}, {self._port!r})"

    def present(self) -> bool:
        """Whether the device still answers (listing its top folder)."""
        if self._gone:
            return False
        if self._port.startswith("disk:") and not Path(self._port.removeprefix("disk:")).is_dir():
            # The directory driver answers for a folder that has gone as for an empty one.
            self._gone = True
            return False
        try:
            with self._lock:
                self._camera.folder_list_folders("/")
        except gp.GPhoto2Error:
            self._gone = True
        return not self._gone

    def close(self) -> None:
        """Let the device go (another program may then use it)."""
        with self._lock:
            try:
                self._camera.exit()
            except gp.GPhoto2Error:
                pass

    # --- listing --------------------------------------------------------------------

    def list_device(self) -> Listing:
        """The device's photos, newest first, and its iPhone edit files set aside."""
        images, edits = [], []
        for folder, name in self._walk("/"):
            path = self._path(folder, name)
            suffix = path.suffix.lower()
            if suffix == EDIT_SUFFIX:
                edits.append(path)
                continue
            if name.startswith(".") or suffix not in PICTURE_SUFFIXES:
                continue
            size, mtime = self._info(folder, name)
            images.append(DeviceImage(path, size, datetime.fromtimestamp(mtime, UTC)))
        images.sort(key=lambda image: (image.modified, image.path.name), reverse=True)
        return Listing(images, sorted(edits))

    def _walk(self, folder: str) -> Iterator[tuple[str, str]]:
        with self._lock:
            files = _names(self._camera.folder_list_files(folder))
            folders = _names(self._camera.folder_list_folders(folder))
        for name in files:
            yield folder, name
        for name in folders:
            if not is_cache(name):
                yield from self._walk(f"{folder.rstrip('/')}/{name}")

    def _path(self, folder: str, name: str) -> Path:
        return self.dcim / folder.lstrip("/") / name

    def _where(self, path: Path) -> tuple[str, str]:
        """The camera's folder and file name for a photo's path."""
        inside = PurePosixPath(Path(path).relative_to(self.dcim).as_posix())
        return "/" + str(inside.parent).lstrip("./"), inside.name

    def _info(self, folder: str, name: str) -> tuple[int, int]:
        with self._lock:
            info = self._camera.file_get_info(folder, name).file
        return int(info.size), int(info.mtime)

    # --- reading and deleting ---------------------------------------------------------

    def state(self, path: Path) -> SourceState:
        """A photo's size and modification time now (None when it is not there)."""
        try:
            size, mtime = self._info(*self._where(path))
        except (gp.GPhoto2Error, ValueError):
            return SourceState(None, None)
        return SourceState(size, mtime * 1_000_000_000)

    def stage(self, path: Path, max_bytes: int) -> StagedFile:
        """Download one photo into memory while hashing it; nothing is written to disk."""
        folder, name = self._where(path)
        try:
            size, mtime = self._info(folder, name)
            if size > max_bytes:
                raise Refused(refusal.too_large_file(max_bytes))
            with self._lock:
                handle = self._camera.file_get(folder, name, gp.GP_FILE_TYPE_NORMAL)
            data = bytes(memoryview(handle.get_data_and_size()))
        except gp.GPhoto2Error as exc:
            raise self._lost(exc, path) from None
        if len(data) != size or self._info(folder, name) != (size, mtime):
            raise SourceChanged(str(path))
        return StagedFile(Path(path), data, hashlib.sha256(data).hexdigest(), size,
                          mtime * 1_000_000_000, 0, 0)

    def remove(self, staged: StagedFile) -> None:
        """Delete the photo read, if it is still that very file (same size and time)."""
        folder, name = self._where(staged.path)
        try:
            size, mtime = self._info(folder, name)
            if (size, mtime * 1_000_000_000) != (staged.size, staged.mtime_ns):
                raise SourceChanged(str(staged.path))
            if not self._may_delete:
                raise PermissionError(f"{self.label} does not allow deleting")
            with self._lock:
                self._camera.file_delete(folder, name)
        except gp.GPhoto2Error as exc:
            raise self._lost(exc, staged.path) from None

    def _lost(self, error, path: Path) -> OSError:
        """libgphoto2's error as the import understands it: gone (or the device), or refused."""
        if error.code in _NOT_FOUND or not self.present():
            return FileNotFoundError(str(path))
        return OSError(f"{self.label}: {error}")


def _names(listed) -> list[str]:
    """The names in a libgphoto2 list, sorted."""
    return sorted(listed.get_name(index) for index in range(listed.count()))
