"""Thumbnails of a device's pictures, for the person to choose which to import.

Previews go through the same safe open and the same decode workers as an
import, so a hostile file on a phone costs its own preview only, and the
thumbnails live in memory: nothing is written outside the vault.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from clinfile.app.ingest.decode import Decoded
from clinfile.app.ingest.decode_workers import DecoderPool
from clinfile.app.ingest.device_sources import DeviceSource
from clinfile.app.ingest.devices import DeviceImage
from clinfile.app.ingest.events import CancelToken
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.open import SourceChanged, StagedFile
from clinfile.app.ingest.sniff import sniff


@dataclass(frozen=True)
class Preview:
    """What the person sees of one photo on a device before choosing it.

    Attributes:
        image: the photo on the device.
        thumbnail: a small JPEG, or None when it cannot be shown.
        sha256: the bytes' SHA-256, to tell a photo the vault already holds.
        captured: when it was taken, by the camera's clock (local time).
        in_vault: the vault already holds these exact bytes (filled in by the service).
    """

    image: DeviceImage
    thumbnail: bytes | None
    sha256: str | None = None
    captured: datetime | None = None
    in_vault: bool = False


def device_thumbnails(volume: DeviceSource, images: Sequence[DeviceImage],
                      limits: IngestLimits, cancel: CancelToken | None = None
                      ) -> Iterator[Preview]:
    """Yield a preview of each picture: its thumbnail, hash and time taken, as far as known.

    Pictures come back in the order they finish, not the order asked.
    """
    cancel = cancel or CancelToken()
    waiting = list(images)
    numbers = itertools.count()
    tasks: dict[int, tuple[DeviceImage, str]] = {}
    with DecoderPool(limits) as pool:
        while (waiting or tasks) and not cancel.cancelled:
            while waiting and pool.idle():
                image = waiting.pop(0)
                staged = _read(volume, image, limits)
                pillow_format = sniff(staged.data[:64]).pillow_format if staged else None
                if pillow_format is None:
                    yield Preview(image, None, staged.sha256 if staged else None)
                    continue
                number = next(numbers)
                tasks[number] = (image, staged.sha256)
                pool.submit(number, pillow_format, staged.data)
            for number, result in pool.collect(0.05):
                image, sha256 = tasks.pop(number)
                if isinstance(result, Decoded):
                    yield Preview(image, result.derivatives.thumbnail, sha256,
                                  _local_time(result.facts.captured_at))
                else:
                    yield Preview(image, None, sha256)


def _read(volume: DeviceSource, image: DeviceImage, limits: IngestLimits
          ) -> StagedFile | None:
    try:
        return volume.stage(image.path, limits.max_bytes)
    except (Refused, SourceChanged, OSError):
        return None


def _local_time(captured_at: str | None) -> datetime | None:
    """A camera's time stamp as a moment: with its offset if it gave one, else local time."""
    if not captured_at:
        return None
    try:
        when = datetime.fromisoformat(captured_at)
    except ValueError:
        return None
    return when if when.tzinfo else when.astimezone()
