"""Pictures leave the vault as pixels only: no EXIF, GPS, XMP, ICC, comments or thumbnails."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from clinfile.app.reports.pictures import CleanedAhead, clean_jpeg
from tests.unit.app.reports.conftest import PHOTOS
from tests.unit.app.reports.pdf_checks import exif_groups, leaked_metadata


@pytest.mark.usefixtures("tools")
@pytest.mark.parametrize("name", PHOTOS)
def test_a_clean_jpeg_keeps_nothing_but_pixels(corpus, tmp_path, name):
    original = tmp_path / "original.jpg"
    original.write_bytes((corpus / "exif-samples" / name).read_bytes())
    assert leaked_metadata(original), "the corpus photo should carry metadata to remove"
    cleaned = tmp_path / "clean.jpg"
    cleaned.write_bytes(clean_jpeg(original.read_bytes()).jpeg)
    assert leaked_metadata(cleaned) == {}
    assert "GPSLatitude" not in str(exif_groups(cleaned))


def test_a_comment_and_colour_profile_are_dropped():
    source = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(source, "JPEG", comment=b"Mai Nguyen 05/06/1990",
                                            icc_profile=b"not really a profile")
    cleaned = Image.open(io.BytesIO(clean_jpeg(source.getvalue()).jpeg))
    assert "comment" not in cleaned.info and "icc_profile" not in cleaned.info
    assert not cleaned.getexif()


def test_orientation_still_in_the_file_is_applied_to_the_pixels(corpus):
    portrait = (corpus / "exif-samples/jpg/orientation/portrait_6.jpg").read_bytes()
    stored = Image.open(io.BytesIO(portrait)).size
    cleaned = clean_jpeg(portrait)
    assert (cleaned.width, cleaned.height) == (stored[1], stored[0])


def test_shrinking_keeps_the_shape_and_respects_the_longest_edge(corpus):
    photo = (corpus / "exif-samples/jpg/hdr/iphone_hdr_YES.jpg").read_bytes()
    width, height = Image.open(io.BytesIO(photo)).size
    cleaned = clean_jpeg(photo, max_edge=1200)
    assert max(cleaned.width, cleaned.height) <= 1200
    assert max(cleaned.width, cleaned.height) >= 0.8 * 1200
    assert abs(cleaned.width / cleaned.height - width / height) < 0.01


def test_transparency_is_laid_on_white():
    source = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 0)).save(source, "PNG")
    cleaned = Image.open(io.BytesIO(clean_jpeg(source.getvalue()).jpeg))
    assert cleaned.getpixel((10, 10)) >= (250, 250, 250)


def test_cleaning_ahead_hands_each_picture_over_in_order(photos):
    with CleanedAhead(photos, max_edge=300) as ahead:
        cleaned = [ahead.picture(n) for n in range(len(photos))]
    assert [(c.width, c.height) for c in cleaned] == \
        [(clean_jpeg(p, max_edge=300).width, clean_jpeg(p, max_edge=300).height) for p in photos]
