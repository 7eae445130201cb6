"""The clean display derivative and the thumbnail made from a decoded picture.

Nothing identifying may leave the vault, so the derivative carries no
metadata at all: no EXIF, XMP, IPTC, comments, ICC profile or embedded
thumbnail, and nothing after the image data. Orientation is applied to the
pixels, since the Orientation tag goes with the EXIF.

A JPEG that needs no rotation is cleaned losslessly, by dropping its metadata
segments (about 1 ms, pixels identical); anything else is re-encoded once.
The lossless clean copy is then the original minus some byte ranges, and
the ranges kept are recorded, so the vault can keep the original alone and
cut the clean copy from it when it is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms

THUMBNAIL_EDGE = 256
DISPLAY_QUALITY = 90
THUMBNAIL_QUALITY = 80

#: How to turn pixels so that an EXIF orientation (2-8) becomes upright.
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")
_APP14 = 0xEE

#: Byte ranges (start, end) of an original that, put together, make its clean copy.
Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Derivatives:
    """The clean pictures made from one original.

    Attributes:
        display: JPEG bytes with orientation applied and no metadata.
        thumbnail: a small JPEG, also without metadata.
        width: the displayed width (after orientation).
        height: the displayed height.
        display_ranges: where ``display`` lies in the original, when it is the
            original with its metadata cut out; None when it was re-encoded.
    """

    display: bytes
    thumbnail: bytes
    width: int
    height: int
    display_ranges: Ranges | None = None


def make_derivatives(original: bytes, image: Image.Image, orientation: int) -> Derivatives:
    """Make the display derivative and thumbnail from a fully decoded image.

    Args:
        original: the file's bytes, for the lossless JPEG path.
        image: the decoded picture, as opened from ``original``.
        orientation: the EXIF orientation still to apply (1 when the decoder
            has applied it, as HEIF decoders do).
    """
    ranges = clean_ranges(original, image, orientation)
    turn = ORIENTATION_TRANSPOSE.get(orientation)
    oriented = image.transpose(turn) if turn is not None else image
    rgb = to_srgb(oriented)
    display = cut(original, ranges) if ranges else _encode(rgb, DISPLAY_QUALITY)
    return Derivatives(display, thumbnail(rgb), rgb.width, rgb.height, ranges)


def clean_ranges(original: bytes, image: Image.Image, orientation: int) -> Ranges | None:
    """Where the lossless clean copy of a JPEG lies in it, when no rotation or colour change is due.

    None means the picture must be re-encoded: it is not a JPEG, needs
    rotating, carries a colour profile other than sRGB, is CMYK, or its
    structure is too unusual to cut safely.
    """
    if image.format != "JPEG" or orientation in ORIENTATION_TRANSPOSE or not _plain_colour(image):
        return None
    return jpeg_kept_ranges(original)


def cut(data: bytes, ranges: Ranges) -> bytes:
    """Put together the given byte ranges of ``data``."""
    return b"".join(data[start:end] for start, end in ranges)


def thumbnail(rgb: Image.Image) -> bytes:
    """Return a JPEG no larger than THUMBNAIL_EDGE on its longer side."""
    scale = THUMBNAIL_EDGE / max(rgb.width, rgb.height)
    if scale < 1:
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return _encode(rgb, THUMBNAIL_QUALITY)


def to_srgb(image: Image.Image) -> Image.Image:
    """Return the picture as 8-bit sRGB, alpha flattened onto white, no metadata attached."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        image = _stretch_to_8_bit(image)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        image = _from_profile(image, icc)
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}
    return image


def strip_jpeg(data: bytes) -> bytes | None:
    """Return the JPEG without APPn (except Adobe's colour flag), COM or trailing data.

    The entropy-coded image data is copied untouched, so the pixels are
    identical. Returns None when the structure is not plain enough to trust,
    and the caller re-encodes instead.
    """
    ranges = jpeg_kept_ranges(data)
    return None if ranges is None else cut(data, ranges)


def jpeg_kept_ranges(data: bytes) -> Ranges | None:
    """The byte ranges :func:`strip_jpeg` keeps of a JPEG, neighbours joined; None as it."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = _Kept()
    out.append(0, 2)
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:
            out.append(i - 2, i)
            return out.ranges()
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(i - 2, i)
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 or i + length > n:
            return None
        start = i - 2
        i += length
        if _keep_segment(marker, data[start:i]):
            out.append(start, i)
        if marker == 0xDA:
            end = _end_of_scan(data, i)
            if end is None:
                return None
            out.append(i, end)
            i = end
    return None


class _Kept:
    """Byte ranges gathered in order, a range that starts where the last ended joined to it."""

    def __init__(self) -> None:
        self._ranges: list[list[int]] = []

    def append(self, start: int, end: int) -> None:
        if self._ranges and self._ranges[-1][1] == start:
            self._ranges[-1][1] = end
        else:
            self._ranges.append([start, end])

    def ranges(self) -> Ranges:
        return tuple((start, end) for start, end in self._ranges)


def _keep_segment(marker: int, segment: bytes) -> bool:
    if marker == 0xFE:
        return False
    if 0xE0 <= marker <= 0xEF:
        return marker == _APP14 and segment[4:9] == b"Adobe"
    return True


def _end_of_scan(data: bytes, start: int) -> int | None:
    """Find the marker that ends entropy-coded data (skipping stuffing and restarts)."""
    j = start
    while True:
        j = data.find(b"\xff", j)
        if j < 0 or j + 1 >= len(data):
            return None
        following = data[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            j += 1
            continue
        return j


def _plain_colour(image: Image.Image) -> bool:
    """Whether the JPEG's colours read the same once its ICC profile is dropped."""
    if image.mode not in ("RGB", "L"):
        return False
    icc = image.info.get("icc_profile")
    if not icc:
        return True
    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return False
    return "srgb" in description.lower()


def _from_profile(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image.convert("RGB")


def _stretch_to_8_bit(image: Image.Image) -> Image.Image:
    wide = image.convert("F") if image.mode != "F" else image
    low, high = wide.getextrema()
    scale = 255.0 / (high - low) if high > low else 1.0
    return wide.point(lambda v: (v - low) * scale).convert("L")


def _encode(rgb: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
