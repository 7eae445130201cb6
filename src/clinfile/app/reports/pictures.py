"""Pictures for files that leave the vault: re-encoded from pixels, carrying nothing else.

Guarantee 3 of the design: every file that leaves the vault is re-encoded
without EXIF, XMP, IPTC, maker notes, GPS, serial numbers, embedded
thumbnails, ICC profiles or comments. Copying the clean derivative's bytes
would trust that the import got that right; decoding to pixels and encoding
afresh makes the guarantee here, where the file leaves. Pillow writes only
the JPEG's own JFIF header (pixel density), which says nothing about anyone.

Everything happens in memory: a patient's picture is never written to a
temporary file on the way out.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from PIL import ExifTags, Image

from clinfile.app.ingest.derivatives import ORIENTATION_TRANSPOSE
from clinfile.app.reports.model import PictureSource

EXPORT_QUALITY = 92
PRINT_QUALITY = 85
DRAFT_SLACK = 0.8
#: Orientations that turn the picture a quarter, so its width and height swap.
QUARTER_TURNS = frozenset({5, 6, 7, 8})


@dataclass(frozen=True)
class CleanPicture:
    """A JPEG with no metadata, and its size in pixels."""

    jpeg: bytes
    width: int
    height: int


def clean_jpeg(data: bytes, *, max_edge: int | None = None,
               quality: int = EXPORT_QUALITY) -> CleanPicture:
    """Decode an image from bytes and encode its pixels alone as a new JPEG.

    Args:
        data: the image's bytes (normally the clean display derivative, whose
            orientation is already applied).
        max_edge: shrink so neither side is longer than this; ``None`` keeps
            the full size.
        quality: JPEG quality of the new file.
    """
    with Image.open(io.BytesIO(data)) as opened:
        orientation = opened.getexif().get(ExifTags.Base.Orientation, 1)
        if max_edge and opened.format == "JPEG":
            _decode_smaller(opened, max_edge)
        pixels = _rgb(opened)
    if max_edge and max(pixels.size) > max_edge:
        pixels.thumbnail((max_edge, max_edge), Image.Resampling.BICUBIC, reducing_gap=2.0)
    if orientation in ORIENTATION_TRANSPOSE:
        # Still present on a picture that did not come through the import's
        # derivative; applied to the pixels, since the tag itself is dropped.
        pixels = pixels.transpose(ORIENTATION_TRANSPOSE[orientation])
    pixels.info = {}  # Pillow would carry a JPEG comment over from the source
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=quality, optimize=True, progressive=False,
                subsampling="4:2:0" if quality < 90 else "4:4:4")
    return CleanPicture(out.getvalue(), pixels.width, pixels.height)


def picture_bytes(source: PictureSource) -> bytes:
    """Return a picture's bytes, reading them now when they are given as a way to read them."""
    return source() if callable(source) else source


def picture_shape(source: PictureSource) -> tuple[int, int]:
    """Return a picture's width and height as it will be shown, from its header alone.

    Laying a page out needs only the picture's proportions; its pixels are
    decoded later, when the file is written.
    """
    with Image.open(io.BytesIO(picture_bytes(source))) as opened:
        width, height = opened.size
        orientation = opened.getexif().get(ExifTags.Base.Orientation, 1)
    return (height, width) if orientation in QUARTER_TURNS else (width, height)


class CleanedAhead:
    """Pictures cleaned on worker threads a few ahead of the one being written, in order.

    A document of two thousand pictures writes them one after another:
    holding them all cleaned would take gigabytes, and cleaning each only
    when it is asked for would leave a core idle. Pillow lets go of Python's
    interpreter lock while it decodes, shrinks and encodes, so each request
    starts the next few, and a picture is let go as soon as it is handed over.
    """

    def __init__(self, sources: Sequence[PictureSource], *, max_edge: int | None = None,
                 quality: int = EXPORT_QUALITY) -> None:
        self._sources = sources
        self._options = {"max_edge": max_edge, "quality": quality}
        self._ahead = max(1, min(os.cpu_count() or 1, 4))
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[int, Future[CleanPicture]] = {}
        self._next = 0

    def __enter__(self) -> CleanedAhead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def picture(self, index: int) -> CleanPicture:
        """Return the picture at ``index`` cleaned, and start cleaning the next few."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._ahead)
        self._next = max(self._next, index)
        while self._next < min(index + 1 + self._ahead, len(self._sources)):
            self._pending[self._next] = self._pool.submit(self._clean, self._next)
            self._next += 1
        pending = self._pending.pop(index, None)
        return pending.result() if pending is not None else self._clean(index)

    def close(self) -> None:
        """Stop cleaning pictures nobody asked for yet and let the worker threads go."""
        for pending in self._pending.values():
            pending.cancel()
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _clean(self, index: int) -> CleanPicture:
        return clean_jpeg(picture_bytes(self._sources[index]), **self._options)


def _decode_smaller(image: Image.Image, max_edge: int) -> None:
    """Let the JPEG decoder skip detail that would be thrown away.

    The decoder can shrink by a half, a quarter or an eighth as it decodes,
    for a fraction of the time and memory of a full decode. A picture up to
    a fifth smaller than asked is accepted when the decoder can make it
    directly: a 12-megapixel photo asked for at 1200 pixels then decodes at a
    quarter size (1000 x 750) with no resampling at all, a quarter of the
    work of decoding at half size and shrinking.
    """
    width, height = image.size
    scale = DRAFT_SLACK * max_edge / max(width, height)
    if scale < 1:
        image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))


def _rgb(image: Image.Image) -> Image.Image:
    """Return the picture as RGB pixels, with any transparency laid on white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")
