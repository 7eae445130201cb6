"""An export killed outright: its use is not claimed as sent, and the next export clears up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clinfile.app.consent.service import ConsentService
from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.custody import held_folders
from clinfile.app.reports import outbox
from clinfile.app.reports.service import ReportService, Selection
from tests.conftest import PASSWORDS

TEAM = Recipient(group=RecipientClass.TREATING_TEAM)

# Exports one picture and stops after its file is written whole in the private
# folder, before it is given its name, so the test can kill it there.
EXPORT_UNTIL_KILLED = """
import sys, time
from pathlib import Path
from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.reports import outbox
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.security.session import Session

written = outbox._write_whole
def write_then_wait(path, content):
    written(path, content)
    print("staged", flush=True)
    time.sleep(120)
outbox._write_whole = write_then_wait
session = Session.login(sys.argv[1], "clinician", sys.argv[2])
ReportService(session).export(Selection(image_ids=(int(sys.argv[3]),)), Purpose.CLINICAL_CARE,
                              Recipient(group=RecipientClass.TREATING_TEAM),
                              file_format="jpeg", out=Path(sys.argv[4]))
"""


@pytest.mark.slow
def test_an_export_killed_midway_is_not_listed_as_sent_and_its_folder_goes(
        login, vault_path, record, tmp_path):
    patient, [image], code = record(1)
    out = tmp_path / "outbox"
    exporter = subprocess.Popen(
        [sys.executable, "-c", EXPORT_UNTIL_KILLED, str(vault_path), PASSWORDS["clinician"],
         str(image), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert exporter.stdout.readline().strip() == "staged"
    finally:
        exporter.kill()
        exporter.wait()
    pattern = f"{outbox.STAGING_PREFIX}*{outbox.STAGING_SUFFIX}"
    [killed] = out.glob(pattern)
    lookalike = out / f"{outbox.STAGING_PREFIX}not-ours{outbox.STAGING_SUFFIX}"
    lookalike.mkdir()
    running = out / f"{outbox.STAGING_PREFIX}running{outbox.STAGING_SUFFIX}"
    running.mkdir()
    held = held_folders.hold(running, outbox.STAGING_MARK)
    try:
        written = ReportService(login("clinician")).export(
            Selection(image_ids=(image,)), Purpose.CLINICAL_CARE, TEAM, file_format="jpeg",
            out=out)
    finally:
        held_folders.release(held)
    assert not killed.exists(), "the folder a killed export left is removed by the next one"
    assert lookalike.is_dir() and (running / outbox.STAGING_MARK).exists()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        [p.name for p in written.paths]

    result = ConsentService(login("reception")).withdraw(code, reason="phoned")
    [sent] = result.uses_already_made
    [unknown] = result.uses_not_known_sent
    assert sent.image_id == unknown.image_id == image
    assert unknown.id < sent.id, "the killed export's use is the one not known to be sent"
