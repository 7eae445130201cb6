"""Patients and inbox images in the test vault, for the consent and filing tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

import pytest

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from tests.unit.app.consent import vault_rows

TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
STUDENTS = Recipient(group=RecipientClass.STUDENTS)
PHOTO = "exif-samples/jpg/gps/DSCN0010.jpg"


@pytest.fixture
def add_patient(login) -> Callable[..., int]:
    """Add a patient to the test vault and return their id."""
    vault = login("admin").vault
    return lambda *args, **kwargs: vault_rows.add_patient(vault, *args, **kwargs)


@pytest.fixture
def add_inbox_image(login) -> Callable[..., int]:
    """Take a small made-up image into the test vault's inbox and return its id."""
    vault = login("admin").vault
    return lambda *args, **kwargs: vault_rows.add_inbox_image(vault, *args, **kwargs)


@pytest.fixture
def record(login, add_patient, corpus):
    """File ``count`` real photos to a new patient on consent for care and teaching."""
    jpeg = (corpus / PHOTO).read_bytes()
    clinician = login("clinician")
    numbers = itertools.count()

    def _record(count: int) -> tuple[int, list[int], str]:
        patient = add_patient(record_number=f"R-{count}")
        images = [vault_rows.add_photo(clinician.vault, jpeg, next(numbers)) for _ in range(count)]
        consent = ConsentService(clinician).record(ConsentRequest(
            patient, Method.VERBAL, frozenset({Purpose.CLINICAL_CARE, Purpose.EDUCATION}),
            (TEAM, STUDENTS), "clinician", date.today(),
            disclosure=Disclosure(True, True, True)))
        FilingService(clinician).file(FilingRequest(
            tuple(images), patient, ImageKind.CLINICAL_PHOTO, BodySite.parse("left-lower-leg"),
            description="venous ulcer", consent=consent.id))
        return patient, images, consent.code

    return _record
