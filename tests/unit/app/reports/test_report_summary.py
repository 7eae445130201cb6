"""The record-attachment summary, read back with qpdf, poppler and exiftool."""

from __future__ import annotations

import dataclasses

import pytest

from clinfile.app.reports.pdf import PageSize
from clinfile.app.reports.summary import render_summary
from tests.unit.app.reports.conftest import IDENTIFIERS
from tests.unit.app.reports.pdf_checks import (
    extract_images,
    info,
    leaked_metadata,
    metadata_text,
    page_texts,
    qpdf_check,
    save,
)

pytestmark = pytest.mark.usefixtures("tools")


@pytest.fixture
def summary_pdf(summary_data, tmp_path):
    return save(render_summary(summary_data), tmp_path)


def test_the_summary_is_a_sound_pdf(summary_pdf):
    qpdf_check(summary_pdf)


def test_every_page_names_the_patient_and_counts_pages(summary_pdf):
    pages = page_texts(summary_pdf)
    assert len(pages) == 3
    for number, text in enumerate(pages, start=1):
        assert "NGUYEN, Mai" in text
        assert "Date of birth 05/06/1990" in text
        assert "Record number MN1990" in text
        assert f"Page {number} of 3" in text
        assert "Confidential health information" in text


def test_each_image_comes_with_its_details(summary_pdf, summary_data):
    text = " ".join(" ".join(page_texts(summary_pdf)).split())
    for number in range(1, 6):
        assert f"IMAGE {number} OF 5" in text
        assert f"rash, photo {number}" in text
        assert f"{number:064x}"[:32] in text
    assert text.count("Clinical photo — left ankle (lateral malleolus)") == 5
    assert text.count("the patient's verbal consent of 12/03/2026") == 5
    assert text.count("clinical care only") == 5
    assert "12/03/2026 10:41 by clinician" in text
    assert "This is a secondary image (a photo of an x-ray" in text
    assert "IMG_0042.jpg" in text and "reception" in text


def test_embedded_pictures_carry_no_camera_metadata(summary_pdf, tmp_path):
    extracted = extract_images(summary_pdf, tmp_path / "images")
    assert len(extracted) == 5
    for picture in extracted:
        assert picture.suffix == ".jpg"
        assert leaked_metadata(picture) == {}, picture.name


def test_the_pdf_metadata_names_no_one(summary_pdf):
    fields = info(summary_pdf)
    assert fields["Title"] == "Clinical images"
    assert not fields.get("Author") and not fields.get("Subject")
    metadata = metadata_text(summary_pdf)
    for identifier in IDENTIFIERS:
        assert identifier not in metadata


def test_the_same_summary_gives_the_same_bytes(summary_data):
    """No creation time or random file id: nothing in the file says when or where it was made."""
    assert render_summary(summary_data) == render_summary(summary_data)


def test_letter_paper_when_the_practice_prints_on_it(summary_data, tmp_path):
    path = save(render_summary(summary_data, PageSize.LETTER), tmp_path)
    qpdf_check(path)
    assert "612 x 792 pts" in info(path)["Page size"]
    assert all("NGUYEN, Mai" in page for page in page_texts(path))


def test_a_patient_without_a_record_number_or_birth_date(summary_data, tmp_path):
    patient = dataclasses.replace(summary_data.patient, birth_date=None, record_number="")
    data = dataclasses.replace(summary_data, patient=patient, images=summary_data.images[:1])
    path = save(render_summary(data), tmp_path)
    qpdf_check(path)
    assert "Date of birth not recorded" in page_texts(path)[0]


def test_two_images_fit_on_one_page_whatever_their_shape(summary_data, tmp_path):
    landscape, portrait = summary_data.images[0], summary_data.images[2]
    data = dataclasses.replace(summary_data, images=(landscape, portrait))
    assert len(page_texts(save(render_summary(data), tmp_path))) == 1


def test_pictures_read_only_when_needed_make_the_same_pdf(summary_data):
    reads = []

    def reader(photo: bytes):
        def read() -> bytes:
            reads.append(photo)
            return photo
        return read

    lazy = dataclasses.replace(summary_data, images=tuple(
        dataclasses.replace(image, jpeg=reader(image.jpeg)) for image in summary_data.images))
    assert render_summary(lazy) == render_summary(summary_data)
    assert len(reads) == 2 * len(summary_data.images)  # its shape for the layout, then its pixels
