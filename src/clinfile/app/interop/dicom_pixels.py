"""The pixels of a DICOM photograph, encoded as truthfully and cheaply as the source allows.

- A camera JPEG whose clean derivative is the original cut losslessly (its
  metadata segments dropped, its compressed image data untouched) and which
  is baseline is carried exactly as the camera compressed it (JPEG Baseline
  transfer syntax): no generation loss, no decode.
- A source that was never compressed with loss (PNG, TIFF, BMP, GIF) is
  decoded in memory and carried as uncompressed pixels: lossless.
- Anything else (HEIC, WebP, a JPEG that had to be turned upright) is
  carried as the high-quality JPEG the import made, marked as lossy with
  the ratio and the method, as the standard asks.
- A JPEG the VL Photographic Image object cannot carry as it is (not
  baseline, or colour without chroma subsampling, which it may only label
  YBR_FULL, a value the object does not allow) is decoded in memory and
  carried as uncompressed pixels: no further loss, still marked lossy.

Everything happens in memory: a patient's picture is never written to a
temporary file on its way to the archive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from PIL import Image
from pydicom.uid import UID, ExplicitVRLittleEndian, JPEGBaseline8Bit

from clinfile.app.ingest.derivatives import ORIENTATION_TRANSPOSE, to_srgb
from clinfile.app.vault.errors import VaultError

#: Formats whose pixels reach the vault exactly as they were made.
LOSSLESS_SOURCES = frozenset({"PNG", "TIFF", "BMP", "GIF"})
_SOF_BASELINE = 0xC0
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB,
                          0xCD, 0xCE, 0xCF})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class Pixels:
    """Pixel data ready for a dataset, and the truth about how it was made.

    Attributes:
        transfer_syntax: JPEG Baseline for a carried JPEG, else Explicit VR Little Endian.
        data: the JPEG's bytes (to be encapsulated) or the raw pixel bytes.
        rows: height in pixels.
        columns: width in pixels.
        samples: 3 for colour, 1 for grey.
        photometric: the Photometric Interpretation of ``data``.
        lossy: whether the pixels have ever been through lossy compression.
        lossy_ratio: the compression ratio of the carried JPEG, when lossy.
        derivation: how the pixels were made from what the camera recorded;
            empty when they are exactly as recorded.
    """

    transfer_syntax: UID
    data: bytes
    rows: int
    columns: int
    samples: int
    photometric: str
    lossy: bool
    lossy_ratio: float | None
    derivation: str

    @property
    def encapsulated(self) -> bool:
        """Whether ``data`` is a compressed frame to encapsulate."""
        return self.transfer_syntax.is_compressed


class PixelsUnusable(VaultError):
    """The stored picture cannot be carried in a DICOM object; ``str()`` says why."""


def photo_pixels(original: bytes, source_format: str, derivative: bytes,
                 orientation: int) -> Pixels:
    """Choose how to carry a picture: the camera's JPEG, lossless pixels, or the clean JPEG.

    Args:
        original: the bytes as captured (read from the vault into memory).
        source_format: the format the import found (``JPEG``, ``PNG``, ``HEIF`` ...).
        derivative: the clean display JPEG the import made.
        orientation: the EXIF orientation the import recorded.

    Raises:
        PixelsUnusable: neither the original nor the derivative can be carried.
    """
    upright = orientation not in ORIENTATION_TRANSPOSE
    if source_format in LOSSLESS_SOURCES:
        return _decoded(original, source_format, orientation, lossy_ratio=None,
                        derivation=f"Decoded from {source_format} without loss")
    frame = _baseline_frame(derivative)
    as_captured = source_format == "JPEG" and upright and frame is not None \
        and _same_compressed_image(original, derivative, frame)
    derivation = "" if as_captured else _reencoded_words(source_format, upright)
    if frame is not None and (frame.samples == 1 or frame.subsampled):
        return _jpeg(derivative, frame, derivation=derivation)
    raw = frame.rows * frame.columns * frame.samples if frame else 0
    return _decoded(derivative, "JPEG", 1, lossy_ratio=round(raw / len(derivative), 2) or None,
                    derivation=(derivation or "Camera JPEG") + ", decoded without further loss")


@dataclass(frozen=True)
class _Frame:
    rows: int
    columns: int
    samples: int
    subsampled: bool
    scan: int


def _same_compressed_image(original: bytes, derivative: bytes, frame: _Frame) -> bool:
    """Whether the derivative's compressed image data is the camera's, byte for byte.

    The import cuts a plain JPEG's metadata away and keeps its image data
    untouched; a re-encoded picture's data could never be found verbatim in
    the original. Searching is a single pass in C, far cheaper than cutting
    the original again to compare.
    """
    return original.find(derivative[frame.scan:]) >= 0


def _jpeg(data: bytes, frame: _Frame, *, derivation: str) -> Pixels:
    if frame.samples == 1:
        photometric = "MONOCHROME2"
    else:
        photometric = "YBR_FULL_422" if frame.subsampled else "YBR_FULL"
    raw = frame.rows * frame.columns * frame.samples
    return Pixels(JPEGBaseline8Bit, data, frame.rows, frame.columns, frame.samples,
                  photometric, lossy=True, lossy_ratio=round(raw / len(data), 2),
                  derivation=derivation)


def _decoded(data: bytes, source_format: str, orientation: int, *,
             lossy_ratio: float | None, derivation: str) -> Pixels:
    """Decode a picture in memory and carry its pixels uncompressed, turned upright."""
    try:
        with Image.open(io.BytesIO(data), formats=[source_format]) as opened:
            opened.load()
            turn = ORIENTATION_TRANSPOSE.get(orientation)
            pixels = opened.transpose(turn) if turn is not None else opened
            grey = pixels.mode in ("1", "L") and "icc_profile" not in pixels.info
            pixels = pixels.convert("L") if grey else to_srgb(pixels)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PixelsUnusable(f"the stored picture could not be decoded ({exc})") from None
    if turn is not None:
        derivation += ", turned upright"
    lossy = source_format == "JPEG"
    return Pixels(ExplicitVRLittleEndian, pixels.tobytes(), pixels.height, pixels.width,
                  1 if grey else 3, "MONOCHROME2" if grey else "RGB", lossy=lossy,
                  lossy_ratio=lossy_ratio if lossy else None, derivation=derivation)


def _reencoded_words(source_format: str, upright: bool) -> str:
    if source_format == "JPEG":
        why = "re-encoded" if upright else "turned upright and re-encoded"
        return f"Camera JPEG {why} as JPEG quality 90"
    return f"Decoded from {source_format} and re-encoded as JPEG quality 90"


def _baseline_frame(data: bytes) -> _Frame | None:
    """Read the frame header of a JPEG and where its scan starts; None unless 8-bit baseline."""
    frame = None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker in _SOF_MARKERS:
            if marker != _SOF_BASELINE or i + 10 > len(data) or data[i + 4] != 8:
                return None
            rows = int.from_bytes(data[i + 5:i + 7], "big")
            columns = int.from_bytes(data[i + 7:i + 9], "big")
            samples = data[i + 9]
            if samples not in (1, 3) or not rows or not columns:
                return None
            first_sampling = data[i + 11] if i + 11 < len(data) else 0x11
            frame = _Frame(rows, columns, samples, subsampled=samples == 3
                           and first_sampling != 0x11, scan=0)
        if marker == 0xDA:
            return replace(frame, scan=i) if frame is not None else None
        i += 2 + length
    return None
