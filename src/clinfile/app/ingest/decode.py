"""Decoding one picture fully, inside a worker process, within limits.

This module runs in the decode workers, never in the process that holds the
vault's key and connections: a decompression bomb, a malformed file or a
crashing decoder costs that one file. Pillow's decompression-bomb warning is
made an error, the pixel count is checked before decoding, and the format
sniffed from the bytes is the only one Pillow may try.

A JPEG that needs no rotation is cleaned losslessly, so its pixels are only
needed for the thumbnail: it is decoded once, with libjpeg's DCT scaled to
1/8 (``draft``). That still decodes every byte of the image data, so it finds
the same truncation and corruption a full-size decode does (checked on the
corpus and on cut and garbled files), at about 40 % of the cost; nothing is
decoded twice.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from clinfile.app.ingest import refusal
from clinfile.app.ingest.derivatives import (
    THUMBNAIL_EDGE,
    Derivatives,
    clean_ranges,
    cut,
    make_derivatives,
    thumbnail,
    to_srgb,
)
from clinfile.app.ingest.metadata import ImageFacts, read_facts

MIN_LIBHEIF = (1, 22, 0)


@dataclass(frozen=True)
class Decoded:
    """What a worker sends back for a picture it could open."""

    format: str
    facts: ImageFacts
    derivatives: Derivatives


@dataclass(frozen=True)
class DecodeRefused:
    """What a worker sends back for a file it refused, with the reason to show."""

    reason: str


def prepare(max_pixels: int) -> None:
    """Set up a worker: pixel limit as an error, and HEIF support when safe."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    if heif_is_safe():
        import pillow_heif

        pillow_heif.register_heif_opener()


def heif_is_safe() -> bool:
    """Whether the bundled libheif is new enough (older ones have known CVEs)."""
    try:
        import pillow_heif
    except ImportError:
        return False
    version = pillow_heif.libheif_info().get("libheif", "0")
    try:
        return tuple(int(p) for p in version.split(".")[:3]) >= MIN_LIBHEIF
    except ValueError:
        return False


def decode(data: bytes, pillow_format: str, max_pixels: int) -> Decoded | DecodeRefused:
    """Open, check, fully decode and derive one picture; never raises for bad input."""
    try:
        return _decode(data, pillow_format, max_pixels)
    except MemoryError:
        return DecodeRefused(refusal.too_many_pixels(None, max_pixels))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return DecodeRefused(refusal.too_many_pixels(None, max_pixels))
    except Exception as exc:  # noqa: BLE001 - any decoder failure refuses this one file
        return DecodeRefused(_reason_for(exc))


def _decode(data: bytes, pillow_format: str, max_pixels: int) -> Decoded | DecodeRefused:
    if pillow_format == "HEIF" and "HEIF" not in Image.OPEN:
        return DecodeRefused(refusal.unsupported_picture("HEIC on this computer"))
    image = Image.open(io.BytesIO(data), formats=[pillow_format])
    pixels = image.width * image.height
    if pixels > max_pixels:
        return DecodeRefused(refusal.too_many_pixels(pixels / 1e6, max_pixels))
    facts = read_facts(image)
    pending_orientation = 1 if image.format == "HEIF" else facts.orientation
    ranges = clean_ranges(data, image, pending_orientation)
    if ranges is None:
        image.load()
        return Decoded(image.format, facts, make_derivatives(data, image, pending_orientation))
    width, height = image.size
    image.draft("RGB", (THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    image.load()
    return Decoded(image.format, facts, Derivatives(
        cut(data, ranges), thumbnail(to_srgb(image)), width, height, ranges))


def _reason_for(exc: Exception) -> str:
    text = str(exc).lower()
    if "truncated" in text or "premature end" in text or "end of file" in text:
        return refusal.DAMAGED_TRUNCATED
    return refusal.DAMAGED
