"""Retention dates, the list of what is due, and deletion that removes the bytes."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.retention import (
    RetentionError,
    RetentionRule,
    RetentionService,
    retention_date,
)
from clinfile.app.filing.service import FilingService
from clinfile.app.security.roles import PolicyRefused
from clinfile.db.audit import AuditRepository
from clinfile.db.blobs import BlobNotFound
from clinfile.db.connection import transaction
from clinfile.db.settings import SettingsRepository

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


def test_the_last_entry_is_dated_by_the_practice_s_own_day(login, add_patient, add_inbox_image,
                                                           app_clock, practice_time_zone):
    practice_time_zone("Australia/Melbourne")
    app_clock.hold(datetime(2026, 3, 2, 9, 0).astimezone())  # in UTC, still the evening before
    _, image = file_one(login, add_patient, add_inbox_image, born="1970-01-01")
    app_clock.hold(None)
    kept = RetentionService(login("clinician")).of(image)
    assert (kept.last_entry, kept.keep_until) == (date(2026, 3, 2), date(2033, 3, 2))


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
    with pytest.raises(RetentionError, match="only pictures past their retention date"):
        service.delete([image], "retention period ended")
    assert [r.image_id for r in service.due(FAR_FUTURE)] == [image]
    with admin.vault.index() as conn:
        blobs = conn.execute("SELECT original_blob, derivative_blob, thumbnail_blob FROM images "
                             "WHERE id = ?", (image,)).fetchone()
    assert service.delete([image], "retention period ended", today=FAR_FUTURE).deleted == (image,)
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


def test_each_record_is_kept_from_its_own_last_entry_moves_and_corrections_included(
        login, add_patient, add_inbox_image):
    """Dates written years apart: filings, a body-site correction, a move, a deletion."""
    a, b, c = (add_patient(family=name, born="1970-01-01") for name in ("Ames", "Bell", "Cole"))
    images = [add_inbox_image() for _ in range(4)]
    admin = login("admin")
    with admin.vault.index() as conn, transaction(conn):
        episode = conn.execute("INSERT INTO episodes (created_by, created_at) "
                               "VALUES ('reception', '2009-01-01T00:00:00+00:00')").lastrowid
        for image, patient, at in zip(images, (a, b, a, b),
                                      ("2010-01-01", "2011-01-01", "2010-02-01", "2015-01-01"),
                                      strict=True):
            conn.execute("INSERT INTO filed_images (image_id, patient_id, episode_id, kind, "
                         "consent_basis, filed_by, filed_at) VALUES (?, ?, ?, 'patient-sent', "
                         "'implied', 'reception', ?)", (image, patient, episode,
                                                        f"{at}T09:00:00+00:00"))
        corrections = [(images[1], "body-site", None, None, "2012-06-01"),
                       (images[2], "patient", a, c, "2013-03-03"),
                       (images[2], "body-site", None, None, "2014-04-04")]
        for image, what, source, target, at in corrections:
            conn.execute("INSERT INTO filing_corrections (image_id, what, from_patient_id, "
                         "to_patient_id, reason, corrected_by, corrected_at) "
                         "VALUES (?, ?, ?, ?, 'wrong', 'clinician', ?)",
                         (image, what, source, target, f"{at}T09:00:00+00:00"))
        conn.execute("INSERT INTO image_deletions VALUES (?, '2022-01-01', 'ended', 'admin', "
                     "'2023-01-01T00:00:00+00:00')", (images[3],))
    service = RetentionService(admin)
    kept = {image: service.of(image) for image in images[:3]}
    assert [(r.patient_id, r.last_entry, r.keep_until) for r in kept.values()] == [
        (a, date(2013, 3, 3), date(2020, 3, 3)),     # moved out of A's record then
        (b, date(2015, 1, 1), date(2022, 1, 1)),     # B's deleted image was filed then
        (c, date(2014, 4, 4), date(2021, 4, 4)),     # corrected while C held it
    ]
    with pytest.raises(RetentionError, match="not in any patient's record"):
        service.of(images[3])
    assert [r.image_id for r in service.due(date(2021, 1, 1))] == [images[0]]
    assert [r.image_id for r in service.due(date(2030, 1, 1))] == [images[0], images[2],
                                                                   images[1]]
    with pytest.raises(RetentionError, match=f"Picture {images[2]} is kept until 04/04/2021"):
        service.delete([images[0], images[2]], "retention period ended", today=date(2021, 1, 1))


def test_a_picture_deleted_a_moment_before_is_named_and_the_rest_of_the_batch_goes(
        login, add_patient, add_inbox_image):
    _, first = file_one(login, add_patient, add_inbox_image)
    _, second = file_one(login, add_patient, add_inbox_image)
    admin = login("admin")
    RetentionService(admin).delete([first], "retention period ended", today=FAR_FUTURE)

    done = RetentionService(admin).delete([first, second], "retention period ended",
                                          today=FAR_FUTURE)
    assert done.deleted == (second,)
    assert [row.image_id for row in done.earlier] == [first]
    words = done.words()
    assert words.startswith("1 picture was deleted for good")
    assert f"Picture {first} was already deleted, by admin on " in words
    assert "not due" not in words and "image" not in words.lower()
    assert RetentionService(admin).due(FAR_FUTURE) == []
