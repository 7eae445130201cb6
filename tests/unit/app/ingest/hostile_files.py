"""Files a test generates to attack or exercise the import: real bytes, made on the spot."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

from PIL import Image


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, exif_orientation: int | None = None,
               colour: str = "red", gps: bool = False) -> bytes:
    """A small real JPEG, optionally with an EXIF orientation, camera tags and GPS."""
    image = Image.new("RGB", size, colour)
    image.paste("blue", (0, 0, size[0] // 2, size[1] // 3))
    exif = Image.Exif()
    exif[0x010F] = "TestMake"
    exif[0x0110] = "TestModel"
    if exif_orientation is not None:
        exif[0x0112] = exif_orientation
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (43.0, 28.0, 2.0), 3: "E", 4: (11.0, 53.0, 6.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def png_bomb(width: int = 10_000, height: int = 10_001) -> bytes:
    """A tiny PNG claiming about 100 MP of zeros: the classic decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


def truncated_jpeg() -> bytes:
    """A photo-like JPEG cut off part way through its image data."""
    image = Image.effect_noise((400, 300), 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return data[: len(data) // 2]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = b"Dear doctor, the photo is attached. Regards, a patient\n"


def write(path: Path, data: bytes) -> Path:
    """Write a file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_fifo(path: Path) -> Path:
    """A named pipe posing as a picture (a plain open() would block forever)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def with_zip_appended(picture: bytes) -> bytes:
    """A picture with a ZIP archive glued on after its end (it still opens as the picture)."""
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", "not a picture " * 20)
    return picture + archive.getvalue()


def claiming_10000_square(kind: str) -> bytes:
    """A few hundred bytes whose header claims a 10000 × 10000 picture, properly ended."""
    if kind == "PNG":
        def chunk(name: bytes, data: bytes) -> bytes:
            return (len(data).to_bytes(4, "big") + name + data
                    + zlib.crc32(name + data).to_bytes(4, "big"))

        header = (10_000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
        rows = zlib.compress(b"\x00" * 30_001 * 20, 9)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
                + chunk(b"IEND", b""))
    small = bytearray(jpeg_bytes((16, 16)))
    frame = small.find(b"\xff\xc0")
    small[frame + 5:frame + 9] = (10_000).to_bytes(2, "big") * 2
    return bytes(small)


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real PNG with some detail in it."""
    image = Image.effect_noise(size, 40).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
