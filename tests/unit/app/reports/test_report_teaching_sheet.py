"""The de-identified sheet: pictures with kind and body site, and nothing that names anyone."""

from __future__ import annotations

import pytest

from clinfile.app.reports.model import TeachingImage
from clinfile.app.reports.teaching_sheet import render_teaching_sheet
from tests.unit.app.reports.conftest import IDENTIFIERS
from tests.unit.app.reports.pdf_checks import (
    extract_images,
    leaked_metadata,
    metadata_text,
    page_texts,
    qpdf_check,
    save,
)

pytestmark = pytest.mark.usefixtures("tools")


def test_no_identifier_in_text_metadata_or_pictures(photos, tmp_path):
    images = tuple(TeachingImage(p, "clinical photo", "left ankle") for p in photos[:3])
    path = save(render_teaching_sheet(images, "education"), tmp_path)
    qpdf_check(path)
    text = " ".join(page_texts(path)) + metadata_text(path)
    for identifier in IDENTIFIERS:
        assert identifier not in text
    assert "Image 3. Clinical photo — left ankle" in " ".join(text.split())
    for picture in extract_images(path, tmp_path / "images"):
        assert leaked_metadata(picture) == {}
