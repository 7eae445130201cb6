"""A correction of several pictures on a disk that fills up is made whole or not at all.

The full disk is real: a small tmpfs is mounted for the test and filled up,
as in the vault's own full-disk tests. Mounting needs root; elsewhere the
test is skipped and says why.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinfile.app.filing.service import FilingService
from clinfile.app.record.corrections import Correction, correct_pictures
from clinfile.app.security.session import Session
from clinfile.app.vault.verify import verify_vault
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import integrity_problems
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.unit.app.consent.test_filing_service import request
from tests.unit.app.vault.test_full_disk import _fill, _mounted


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB file system of its own, unmounted afterwards."""
    yield from _mounted(tmp_path / "small-disk", "8m")


def _where(session: Session, images: list[int]) -> set[int]:
    """The patients whose records the pictures are in now."""
    service = FilingService(session)
    return {service.image(image).patient_id for image in images}


def _corrections(session: Session) -> int:
    with session.vault.index() as conn:
        return sum(r.action == "filing.corrected" for r in AuditRepository(conn).rows())


def test_a_correction_of_three_pictures_as_the_disk_fills_is_made_whole_or_not_at_all(
        vault_path, login, add_patient, add_inbox_image, small_disk):
    from clinfile.ui.errors import in_plain_words

    mai, linh = add_patient(), add_patient("Tran", "Linh", record_number="900002")
    images = [add_inbox_image() for _ in range(3)]
    FilingService(login("reception")).file(request(images, mai))
    vault = small_disk / "vault"
    shutil.copytree(vault_path, vault)
    doctor = Session.login(vault, "clinician", PASSWORDS["clinician"])
    fillers: list[Path] = []
    doctor.vault.audit_watchers.append(lambda: fillers or fillers.append(_fill(small_disk)))

    # The disk fills the moment the correction is committed, before its audit head is written.
    done = correct_pictures(doctor, mai, images, Correction("wrong patient", to_patient=linh))

    assert len(fillers) == 1, "the disk was never filled"
    assert len(done) == 3 and all("moved to the record of TRAN, Linh" in d for d in done), done
    assert _where(doctor, images) == {linh}
    assert _corrections(doctor) == 3

    # With the disk full, moving them back changes nothing, and says why in words.
    with pytest.raises(Exception) as full:
        correct_pictures(doctor, linh, images, Correction("moved by mistake", to_patient=mai))
    assert in_plain_words(full.value).startswith("The disk is full"), in_plain_words(full.value)
    assert _where(doctor, images) == {linh}
    assert _corrections(doctor) == 3

    for filler in fillers:
        filler.unlink()
    doctor.lock()
    again = Session.login(vault, "clinician", PASSWORDS["clinician"])
    assert sorted(i.image_id for i in FilingService(again).images_of(linh)) == images
    with again.vault.index() as conn:
        assert integrity_problems(conn) == []
    admin = Session.login(vault, ADMIN, ADMIN_PASSWORD)
    problems = verify_vault(admin.vault).problems
    # The test's pictures are made-up bytes with no original to match; all else must hold.
    assert [p for p in problems if "its original does not match" not in p] == [], problems
