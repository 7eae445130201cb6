"""Thumbnails of a device's pictures, for the person to choose which to import.

Previews go through the same safe open and the same decode workers as an
import, so a hostile file on a phone costs its own preview only, and the
thumbnails live in memory: nothing is written outside the vault.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from app.ingest.decode import Decoded
from app.ingest.decode_workers import DecoderPool
from app.ingest.devices import CameraVolume, DeviceImage
from app.ingest.events import CancelToken
from app.ingest.limits import IngestLimits
from app.ingest.refusal import Refused
from app.ingest.safety.open import SourceChanged, stage
from app.ingest.sniff import sniff


def device_thumbnails(volume: CameraVolume, images: Sequence[DeviceImage],
                      limits: IngestLimits, cancel: CancelToken | None = None
                      ) -> Iterator[tuple[DeviceImage, bytes | None]]:
    """Yield each picture with its JPEG thumbnail, or None when it cannot be shown.

    Pictures come back in the order they finish, not the order asked.
    """
    cancel = cancel or CancelToken()
    waiting = list(images)
    numbers = itertools.count()
    tasks: dict[int, DeviceImage] = {}
    with DecoderPool(limits) as pool:
        while (waiting or tasks) and not cancel.cancelled:
            while waiting and pool.idle():
                image = waiting.pop(0)
                data = _read(volume, image, limits)
                pillow_format = sniff(data[:64]).pillow_format if data else None
                if pillow_format is None:
                    yield image, None
                    continue
                number = next(numbers)
                tasks[number] = image
                pool.submit(number, pillow_format, data)
            for number, result in pool.collect(0.05):
                thumbnail = result.derivatives.thumbnail if isinstance(result, Decoded) else None
                yield tasks.pop(number), thumbnail


def _read(volume: CameraVolume, image: DeviceImage, limits: IngestLimits) -> bytes | None:
    try:
        return stage(volume.dcim, image.path, limits.max_bytes).data
    except (Refused, SourceChanged, OSError):
        return None
