"""The consent form, read back with qpdf, poppler and exiftool, and recognised from paper."""

from __future__ import annotations

import pytest

from clinfile.app.reports.consent_form import blank_form, render_consent_form
from clinfile.app.reports.pdf import PageSize
from clinfile.app.reports.signed_forms import find_consent_code
from tests.unit.app.reports.conftest import IDENTIFIERS
from tests.unit.app.reports.pdf_checks import (
    info,
    metadata_text,
    page_texts,
    photographed,
    qpdf_check,
    rasterise,
    save,
)

pytestmark = pytest.mark.usefixtures("tools")


def test_the_form_is_a_sound_pdf_with_the_patient_and_code_on_every_page(form_data, tmp_path):
    path = save(render_consent_form(form_data), tmp_path)
    qpdf_check(path)
    pages = page_texts(path)
    assert len(pages) == 2
    for number, text in enumerate(pages, start=1):
        assert "NGUYEN, Mai" in text and "05/06/1990" in text and "MN1990" in text
        assert "7KQ2MX9D" in text
        assert f"Page {number} of 2" in text
        assert "Confidential health information" in text


def test_the_form_explains_what_the_guidance_says_a_patient_must_be_told(form_data, tmp_path):
    text = " ".join(" ".join(page_texts(save(render_consent_form(form_data), tmp_path))).split())
    for heading in ("Why we take photographs", "How we use them", "Who will see them",
                    "How we keep them safe", "You can change your mind"):
        assert heading in text
    assert "take back your consent at any time" in text
    assert "Saying no will not change your care" in text
    assert "without my name" in text
    assert "Wound nurse Kim" in text and "students" in text


def test_the_form_asks_only_the_purposes_recorded_with_yes_and_no(form_data, tmp_path):
    text = " ".join(page_texts(save(render_consent_form(form_data), tmp_path)))
    assert "For my care" in text and "For teaching" in text
    assert "For research" not in text and "For publishing" not in text
    assert text.count("Yes") >= 2 and text.count("No") >= 2


def test_the_form_has_signature_blocks_with_relationship_and_interpreter(form_data, tmp_path):
    text = " ".join(page_texts(save(render_consent_form(form_data), tmp_path)))
    for label in ("Patient, or person deciding for the patient",
                  "Relationship to the patient", "Clinician", "Interpreter (if one helped)",
                  "Language", "Signature", "Date"):
        assert label in text


def test_the_pdf_metadata_names_no_one(form_data, tmp_path):
    path = save(render_consent_form(form_data), tmp_path)
    fields = info(path)
    assert fields["Title"] == "Consent for clinical photographs"
    assert not fields.get("Author") and not fields.get("Subject") and not fields.get("Keywords")
    metadata = metadata_text(path)
    for identifier in IDENTIFIERS:
        assert identifier not in metadata


def test_the_blank_form_lists_every_purpose_and_carries_no_code(tmp_path):
    path = save(render_consent_form(blank_form("Harbourside Family Practice")), tmp_path)
    qpdf_check(path)
    text = " ".join(page_texts(path))
    for purpose in ("For my care", "For teaching", "For research", "For publishing"):
        assert purpose in text
    assert "Patient label or" in text
    assert find_consent_code(rasterise(path, tmp_path)) is None


def test_letter_paper_when_the_practice_prints_on_it(form_data, tmp_path):
    path = save(render_consent_form(form_data, PageSize.LETTER), tmp_path)
    assert "612 x 792 pts" in info(path)["Page size"]
    qpdf_check(path)


def test_a_scan_of_the_form_is_recognised(form_data, tmp_path):
    path = save(render_consent_form(form_data), tmp_path)
    assert find_consent_code(rasterise(path, tmp_path, dpi=150)) == "7KQ2MX9D"
    assert find_consent_code(rasterise(path, tmp_path, dpi=150, page=2)) == "7KQ2MX9D"


@pytest.mark.parametrize(("angle", "blur", "noise"), [(3, 1.0, 30), (-4, 1.5, 50), (5, 2.0, 60)])
def test_a_rough_phone_photo_of_the_form_is_recognised(form_data, tmp_path, angle, blur, noise):
    page = rasterise(save(render_consent_form(form_data), tmp_path), tmp_path, dpi=150)
    assert find_consent_code(photographed(page, angle=angle, blur=blur, noise=noise)) \
        == "7KQ2MX9D"
