"""Where a phone's or camera's photos are read from: one interface, three transports.

- a mounted folder (USB mass storage, a gvfs mount, a drive letter):
  :class:`app.ingest.devices.CameraVolume`;
- PTP or MTP spoken through libgphoto2 (an iPhone, an Android phone in
  "file transfer" mode) on Linux and macOS: :mod:`.gphoto`;
- Windows Portable Devices, where Windows shows phones and cameras:
  :mod:`.wpd`.

Every source lists its photos, reads one into memory while hashing it (the
bytes hashed are the bytes stored), and deletes one only if it is still the
very file that was read. The import applies the same custody to all: a
photo leaves the device only after its vault copy was read back and matched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from clinfile.app.ingest.safety.open import SourceState, StagedFile

if TYPE_CHECKING:
    from clinfile.app.ingest.devices import Listing


@runtime_checkable
class DeviceSource(Protocol):
    """A phone or camera the person can import from."""

    @property
    def label(self) -> str:
        """The device's name, as its owner knows it."""

    @property
    def dcim(self) -> Path:
        """The root every photo's path lies beneath (for a folder, its DCIM folder)."""

    @property
    def transport(self) -> str:
        """How Clinfile reaches it, in words ("as a folder", "over PTP/MTP (libgphoto2)")."""

    @property
    def may_delete(self) -> bool:
        """Whether the device lets photos be deleted from it."""

    @property
    def settles(self) -> bool:
        """Whether a photo may still be being written (a folder), so is awaited to settle."""

    def present(self) -> bool:
        """Whether the device is still plugged in and answering."""

    def list_device(self) -> Listing:
        """Its photos, newest first, and the iPhone edit files set aside."""

    def state(self, path: Path) -> SourceState:
        """A photo's size and modification time as the device reports them now."""

    def stage(self, path: Path, max_bytes: int) -> StagedFile:
        """Read one photo into memory while hashing it.

        Raises:
            Refused: it is not a file to take in (too large, not a plain file).
            SourceChanged: it changed while being read.
            FileNotFoundError: it is not there (or the device has gone).
        """

    def remove(self, staged: StagedFile) -> None:
        """Delete the photo that was read, only if it is still that very file.

        Raises:
            SourceChanged: the name now holds a different or changed file.
            FileNotFoundError: it is already gone.
            OSError: the device refused.
        """
