"""Retention dates, the list of what is due, and deletion that removes the bytes."""

from __future__ import annotations

from datetime import date

import pytest

from app.consent.vocabulary import ImageKind
from app.filing.body_sites import BodySite
from app.filing.model import FilingRequest
from app.filing.retention import (
    RetentionError,
    RetentionRule,
    RetentionService,
    retention_date,
)
from app.filing.service import FilingService
from app.security.roles import PolicyRefused
from db.audit import AuditRepository
from db.blobs import BlobNotFound
from db.connection import transaction
from db.settings import SettingsRepository

RULE = RetentionRule()
FAR_FUTURE = date(2060, 1, 1)


@pytest.mark.parametrize(("born", "last_entry", "expected"), [
    (date(1990, 6, 5), date(2026, 11, 22), date(2033, 11, 22)),   # adult: 7 years
    (date(2015, 3, 1), date(2026, 11, 22), date(2040, 3, 1)),     # child: until 25
    (date(2008, 12, 1), date(2026, 11, 22), date(2033, 12, 1)),   # 17 at last entry: 25 later
    (date(2008, 1, 1), date(2026, 11, 22), date(2033, 11, 22)),   # 18 at last entry: adult
    (None, date(2024, 2, 29), date(2031, 2, 28)),                 # no birth date; leap day
])
def test_retention_dates(born, last_entry, expected):
    assert retention_date(born, last_entry, RULE) == expected


def file_one(login, add_patient, add_inbox_image, **patient) -> tuple[int, int]:
    patient_id, image = add_patient(**patient), add_inbox_image()
    FilingService(login("reception")).file(FilingRequest(
        (image,), patient_id, ImageKind.PATIENT_SENT, BodySite.parse("left-knee")))
    return patient_id, image


def test_each_image_shows_its_retention_date(login, add_patient, add_inbox_image):
    _, image = file_one(login, add_patient, add_inbox_image, born="2015-03-01")
    assert RetentionService(login("clinician")).of(image).keep_until == date(2040, 3, 1)


def test_retention_years_are_a_setting(login, add_patient, add_inbox_image):
    _, image = file_one(login, add_patient, add_inbox_image, born="1970-01-01")
    admin = login("admin")
    with admin.vault.index() as conn, transaction(conn):
        SettingsRepository(conn).put("retention_adult_years", 10)
    assert RetentionService(login("clinician")).of(image).keep_until.year == date.today().year + 10


def test_admin_lists_and_deletes_what_is_due_and_the_bytes_go(login, add_patient,
                                                              add_inbox_image):
    _, image = file_one(login, add_patient, add_inbox_image)
    admin = login("admin")
    service = RetentionService(admin)
    assert service.due() == []
    with pytest.raises(RetentionError, match="not due"):
        service.delete([image], "retention period ended")
    assert [r.image_id for r in service.due(FAR_FUTURE)] == [image]
    with admin.vault.index() as conn:
        blobs = conn.execute("SELECT original_blob, derivative_blob, thumbnail_blob FROM images "
                             "WHERE id = ?", (image,)).fetchone()
    assert service.delete([image], "retention period ended", today=FAR_FUTURE) == [image]
    for blob_id in blobs:
        with pytest.raises(BlobNotFound):
            admin.vault.blobs.stat(blob_id)
    assert service.due(FAR_FUTURE) == []
    with admin.vault.index() as conn:
        assert "image.deleted" in [r.action for r in AuditRepository(conn).rows()]


def test_only_admins_delete(login, add_patient, add_inbox_image):
    _, image = file_one(login, add_patient, add_inbox_image)
    with pytest.raises(PolicyRefused):
        RetentionService(login("clinician")).delete([image], "tidy up", today=FAR_FUTURE)
