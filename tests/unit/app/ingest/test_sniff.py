import pytest

from clinfile.app.ingest.sniff import sniff
from tests.unit.app.ingest.hostile_files import PDF, TEXT, jpeg_bytes, png_bomb


@pytest.mark.parametrize(("head", "expected"), [
    (jpeg_bytes()[:64], "JPEG"),
    (png_bomb(16, 16)[:64], "PNG"),
    (b"GIF89a" + b"\x00" * 20, "GIF"),
    (b"II*\x00" + b"\x00" * 20, "TIFF"),
    (b"MM\x00*" + b"\x00" * 20, "TIFF"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WEBP"),
    (b"BM" + b"\x00" * 4 + b"\x00\x00\x00\x00" + b"\x36" + b"\x00" * 20, "BMP"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIF"),
    (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf", "HEIF"),
])
def test_pictures_are_known_by_their_bytes(head, expected):
    assert sniff(head).pillow_format == expected


@pytest.mark.parametrize(("head", "looks_like"), [
    (PDF, "a PDF"),
    (TEXT, "text"),
    (b"PK\x03\x04" + b"\x00" * 30, "a ZIP archive or an Office document"),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", "a video"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "a video"),
])
def test_other_files_say_what_they_look_like(head, looks_like):
    found = sniff(head)
    assert found.pillow_format is None and found.looks_like == looks_like


def test_avif_is_a_picture_we_do_not_take():
    found = sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf")
    assert found.pillow_format is None and found.unsupported_picture == "AVIF"


def test_random_bytes_are_not_a_picture():
    found = sniff(bytes(range(0, 256, 3)))
    assert found.pillow_format is None and found.looks_like is None
