"""Reading and decoding a record's thumbnails in a worker, a screenful at a time.

The vault hands over each thumbnail as JPEG bytes decrypted in memory; they
are decoded here, off the GUI thread, straight to the size the timeline
shows (libjpeg's scaled decoding), so the open record holds small pictures
only and never the full ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from PySide6.QtCore import QBuffer, QByteArray, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

# The first batch fills the first screenful quickly; later ones are larger, so
# the GUI thread is told fewer times.
FIRST_BATCH = 8
LATER_BATCH = 32


def small_image(data: bytes | None, edge: int) -> QImage | None:
    """Decode JPEG bytes to fit an ``edge``-pixel square, keeping the shape; None if unreadable."""
    if not data:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > edge:
        reader.setScaledSize(size.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None
    return image.convertToFormat(QImage.Format.Format_RGB888)


def decoded_batches(read: Callable[[list[int]], Iterable[tuple[int, bytes | None]]],
                    image_ids: list[int], edge: int
                    ) -> Iterator[list[tuple[int, QImage | None]]]:
    """Yield the pictures' thumbnails decoded, in the order asked, a small batch first."""
    batch: list[tuple[int, QImage | None]] = []
    wanted = FIRST_BATCH
    for image_id, data in read(image_ids):
        batch.append((image_id, small_image(data, edge)))
        if len(batch) >= wanted:
            yield batch
            batch, wanted = [], LATER_BATCH
    if batch:
        yield batch
