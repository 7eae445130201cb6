"""Synthetic patients, consents and corpus photos for the report tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from clinfile.app.consent.rules import SECONDARY_CAUTION
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.reports.model import (
    ConsentFormData,
    PatientHeader,
    Provenance,
    PurposeRequest,
    SummaryData,
    SummaryImage,
)
from tests.unit.app.reports.pdf_checks import require_tools

PATIENT = PatientHeader("Nguyen", "Mai", date(1990, 6, 5), "MN1990")
#: Identifiers that must never appear in a PDF's own metadata or in a de-identified file.
IDENTIFIERS = ("Nguyen", "NGUYEN", "Mai", "05/06/1990", "1990-06-05", "19900605", "MN1990")

#: Real camera files with EXIF, GPS, maker notes, XMP, an embedded thumbnail and orientation.
PHOTOS = ("jpg/gps/DSCN0010.jpg", "jpg/Canon_40D.jpg", "jpg/orientation/portrait_6.jpg",
          "jpg/xmp/BlueSquare.jpg", "jpg/hdr/iphone_hdr_YES.jpg")


@pytest.fixture
def tools() -> None:
    """The real PDF and metadata tools, or a skip saying which are missing."""
    require_tools()


@pytest.fixture
def photos(corpus: Path) -> list[bytes]:
    """The bytes of real camera files, metadata and all."""
    return [(corpus / "exif-samples" / name).read_bytes() for name in PHOTOS]


@pytest.fixture
def summary_data(photos: list[bytes]) -> SummaryData:
    """A summary of the corpus photos for the synthetic patient."""
    filed = datetime(2026, 3, 12, 10, 52, tzinfo=UTC)
    images = tuple(
        SummaryImage(
            jpeg=photo, kind="clinical photo", body_site="left ankle (lateral malleolus)",
            description=f"rash, photo {n}", captured_at=datetime(2026, 3, 12, 10, 41),
            secondary=n == 2, consent_basis="the patient's verbal consent of 12/03/2026",
            consent_limits="clinical care only", taken_by="clinician",
            cautions=(SECONDARY_CAUTION,) if n == 2 else (),
            provenance=Provenance("drop folder (email or message attachment): IMG_0042.jpg",
                                  "reception", filed, "clinician", filed, f"{n:064x}"))
        for n, photo in enumerate(photos, start=1))
    return SummaryData(PATIENT, images, "reception", date(2026, 3, 14),
                       "Harbourside Family Practice", "rash, left ankle")


@pytest.fixture
def form_data() -> ConsentFormData:
    """A pre-filled consent form asking for care and teaching."""
    return ConsentFormData(
        purposes=(PurposeRequest(Purpose.CLINICAL_CARE, ("the treating team", "Wound nurse Kim")),
                  PurposeRequest(Purpose.EDUCATION, ("students",))),
        patient=PATIENT, code="7KQ2MX9D", practice_name="Harbourside Family Practice",
        clinician="clinician", images_note="2 photographs in your record (only these)",
        prepared_on=date(2026, 3, 14))
