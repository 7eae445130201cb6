"""Two ``clinfile retention delete`` processes for the same pictures at once.

One deletes them; the other says plainly they were already deleted, by whom
and when, and its exit code says it deleted nothing.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime

import pytest

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.db.audit import AuditRepository
from tests.conftest import PASSWORDS
from tests.integration.importing import command
from tests.unit.app.consent.vault_rows import add_inbox_image, add_patient


def _start_delete(vault_path, images: list[int]) -> subprocess.Popen:
    process = subprocess.Popen(
        [*command(), "retention", "delete", str(vault_path), *map(str, images),
         "--reason", "retention period ended", "--user", "admin", "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(f"{PASSWORDS['admin']}\n".encode())
    process.stdin.close()
    process.stdin = None
    return process


@pytest.mark.slow
def test_two_deletions_of_the_same_pictures_at_once_one_deletes_the_other_says_so(
        vault_path, login, app_clock):
    reception = login("reception")
    patient = add_patient(reception.vault, "Nguyen", "Mai", "1950-01-02", "R-1")
    images = [add_inbox_image(reception.vault) for _ in range(2)]
    app_clock.hold(datetime(2015, 1, 1, tzinfo=UTC))
    FilingService(reception).file(FilingRequest(
        tuple(images), patient, ImageKind.PATIENT_SENT, BodySite.parse("left-knee")))
    app_clock.hold(None)

    processes = [_start_delete(vault_path, images) for _ in range(2)]
    ended = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        ended.append((process.returncode, " ".join((out + err).decode().split())))

    [deleted] = [words for code, words in ended if code == 0]
    [passed_over] = [(code, words) for code, words in ended if code != 0]
    assert deleted.startswith("2 pictures were deleted for good"), ended
    code, words = passed_over
    assert code == 1, ended
    for image in images:
        assert f"Picture {image} was already deleted, by admin on " in words, ended
    assert "not due" not in words and "image" not in words.lower()
    with login("admin").vault.index() as conn:
        rows = [r for r in AuditRepository(conn).rows() if r.action == "image.deleted"]
    assert sorted(r.subject for r in rows) == [f"image {i}" for i in images]
