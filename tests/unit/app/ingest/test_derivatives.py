import io

from PIL import Image, ImageChops

from clinfile.app.ingest.decode import Decoded, decode, prepare
from clinfile.app.ingest.derivatives import THUMBNAIL_EDGE, strip_jpeg
from tests.unit.app.ingest.hostile_files import jpeg_bytes


def test_lossless_strip_keeps_pixels_and_drops_metadata_and_trailers():
    original = jpeg_bytes((120, 80), gps=True) + b"vendor trailer with a serial number"
    stripped = strip_jpeg(original)
    assert stripped is not None and stripped.endswith(b"\xff\xd9")
    assert b"Exif" not in stripped and b"TestMake" not in stripped and b"serial" not in stripped
    before, after = Image.open(io.BytesIO(original)), Image.open(io.BytesIO(stripped))
    assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox() is None
    assert not after.getexif()


def test_strip_declines_what_is_not_a_jpeg():
    assert strip_jpeg(b"\x89PNG\r\n\x1a\n") is None
    assert strip_jpeg(jpeg_bytes()[:40]) is None


def test_orientation_is_applied_to_the_derivative_and_recorded():
    prepare(100_000_000)
    result = decode(jpeg_bytes((64, 48), exif_orientation=6), "JPEG", 100_000_000)
    assert isinstance(result, Decoded)
    assert result.facts.orientation == 6
    assert (result.derivatives.width, result.derivatives.height) == (48, 64)
    display = Image.open(io.BytesIO(result.derivatives.display))
    assert display.size == (48, 64) and not display.getexif()


def test_facts_note_camera_and_gps():
    prepare(100_000_000)
    result = decode(jpeg_bytes(gps=True), "JPEG", 100_000_000)
    assert isinstance(result, Decoded)
    assert (result.facts.camera_make, result.facts.camera_model) == ("TestMake", "TestModel")
    assert result.facts.had_gps and "GPS location" in result.facts.identifying_tags


def test_thumbnail_fits_the_edge():
    prepare(100_000_000)
    result = decode(jpeg_bytes((1000, 400)), "JPEG", 100_000_000)
    thumb = Image.open(io.BytesIO(result.derivatives.thumbnail))
    assert max(thumb.size) == THUMBNAIL_EDGE and thumb.size[0] > thumb.size[1]


def test_a_transparent_png_becomes_an_opaque_clean_jpeg():
    image = Image.new("RGBA", (30, 20), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=None)
    prepare(100_000_000)
    result = decode(buffer.getvalue(), "PNG", 100_000_000)
    display = Image.open(io.BytesIO(result.derivatives.display))
    assert display.format == "JPEG" and display.mode == "RGB"
    assert display.getpixel((5, 5)) == (255, 255, 255) or sum(display.getpixel((5, 5))) > 740
