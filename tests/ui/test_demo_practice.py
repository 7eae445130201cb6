"""The demonstration practice behind ``make screenshots`` builds from the clone alone."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def test_the_demo_practice_needs_nothing_outside_the_clone(tmp_path, monkeypatch):
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session
    from tests.demo import practice as demo

    monkeypatch.chdir(tmp_path)  # no corpus, no shared tools: only the project itself
    practice = tmp_path / "practice"
    demo.build(practice)

    reception = Session.login(practice / "vault", demo.RECEPTION, demo.RECEPTION_PASSWORD)
    service = ImportService(reception)
    inbox = [Path(row.source_path).name for row in service.inbox()]
    refused = [Path(row.source_path).name for row in service.quarantine()]
    reception.lock()
    assert len(inbox) == len(demo.DEMO_PICTURES) - 1  # the wound photo is filed
    assert refused == ["referral letter.jpg"]
    phone = sorted((practice / "media").rglob("*.JPG"))
    assert len(phone) == len(demo.PHONE_PICTURES)
    with Image.open(phone[0]) as photo:
        assert photo.getexif()[0x010F] == "Apple"
    assert (practice / "patients.csv").read_text().startswith("Record No,Surname")
