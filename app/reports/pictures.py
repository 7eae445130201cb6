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
from dataclasses import dataclass

from PIL import Image, ImageOps

EXPORT_QUALITY = 92
PRINT_QUALITY = 85


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
        if max_edge and opened.format == "JPEG":
            # Let the JPEG decoder skip the detail it would throw away: a
            # 12-megapixel photo decodes at a quarter or half size in a
            # fraction of the time and memory.
            opened.draft("RGB", (max_edge, max_edge))
        pixels = _rgb(opened)
    if max_edge and max(pixels.size) > max_edge:
        pixels.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS, reducing_gap=2.0)
    pixels.info = {}  # Pillow would carry a JPEG comment over from the source
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=quality, optimize=True, progressive=False,
              subsampling="4:2:0" if quality < 90 else "4:4:4")
    return CleanPicture(out.getvalue(), pixels.width, pixels.height)


def _rgb(image: Image.Image) -> Image.Image:
    """Return the picture as RGB pixels, transparency laid on white, orientation applied.

    The derivative has its orientation applied already; applying an EXIF
    orientation that is still present keeps a picture given by any other
    route the right way up too.
    """
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")
