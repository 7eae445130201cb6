"""File names for the clinical software's import folder, and neutral names for teaching."""

from __future__ import annotations

from datetime import date

import pytest

from clinfile.app.name_pattern import NamePatternError
from clinfile.app.reports.model import PatientHeader
from clinfile.app.reports.naming import neutral_name, record_file_name, safe_part

DAY = date(2026, 3, 14)


def test_the_default_name_suits_an_import_folder():
    patient = PatientHeader("Nguyen", "Mai Thi", date(1990, 6, 5), "MN1990")
    assert record_file_name(patient, DAY, extension="pdf") == \
        "NGUYEN_Mai_19900605_20260314_clinical-images.pdf"


def test_names_are_reduced_to_safe_characters():
    patient = PatientHeader("O'Brien-Núñez", "Zoë", date(2001, 1, 2))
    assert record_file_name(patient, DAY, extension="pdf") == \
        "OBRIEN-NUNEZ_Zoe_20010102_20260314_clinical-images.pdf"
    assert safe_part("van der Berg / ../etc") == "van-der-Berg-etc"


def test_a_practice_pattern_with_the_record_number():
    patient = PatientHeader("Smith", "Jo", None, "A/123")
    name = record_file_name(patient, DAY, extension="pdf", pattern="{RECORD}_{Surname}_{DATE}")
    assert name == "A-123_Smith_20260314.pdf"
    assert "unknown-DOB" in record_file_name(patient, DAY, extension="pdf")


@pytest.mark.parametrize("pattern", ["{NAME}_{DATE}", "{SURNAME}/{DATE}", "{SURNAME"])
def test_unusable_patterns_are_refused(pattern):
    with pytest.raises(NamePatternError):
        record_file_name(PatientHeader("Smith", "Jo", None), DAY, extension="pdf",
                         pattern=pattern)


def test_neutral_names_say_nothing_about_the_patient():
    assert neutral_name("education", 3, extension="jpg") == "education-image-03.jpg"


def test_an_export_says_it_is_one_whatever_the_recipient_is_called():
    from clinfile.app.reports.naming import export_name

    assert export_name("the treating team") == "export-for-the-treating-team"
    assert export_name("Dr {SURNAME} O'Brien/../x\n") == "export-for-Dr-SURNAME-OBrien-x"
    assert export_name("北京医院") == "export-for"
    assert len(export_name("Dr " + "Smyth " * 40)) <= len("export-for-") + 40


def test_a_pattern_repeating_long_names_is_cut_to_what_a_disk_takes_with_room_for_a_number():
    patient = PatientHeader("Wolfeschlegelsteinhausenbergerdorff" * 3, "Hubert", date(1904, 2, 29),
                            "R" * 300)
    pattern = "_".join(["{SURNAME}", "{RECORD}", "{Surname}"] * 4)
    name = record_file_name(patient, DAY, extension="pdf", pattern=pattern)
    assert len(name.encode()) == 255 - len("_999")
    assert name.startswith("WOLFESCHLEGELSTEINHAUSENBERGERDORFFWOLFE_RRRR")
    assert name.endswith(".pdf") and not name.endswith(("_.pdf", "-.pdf"))
