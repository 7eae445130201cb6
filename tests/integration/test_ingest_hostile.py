"""Hostile and odd files through the whole pipeline, into a real vault."""

import os
from pathlib import Path

import pytest

from clinfile.app.ingest import events as ev
from clinfile.app.ingest import refusal
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.safety.complete import CUT_SHORT
from clinfile.app.ingest.service import ImportService
from clinfile.app.security.roles import PolicyRefused
from clinfile.db.audit import AuditRepository
from clinfile.db.images import ImageRepository
from tests.unit.app.ingest.hostile_files import (
    PDF,
    TEXT,
    jpeg_bytes,
    make_fifo,
    png_bomb,
    truncated_jpeg,
    write,
)


def run(service: ImportService, *paths: Path, **kwargs) -> list[ev.Event]:
    return [e for e in service.import_paths(list(paths), **kwargs)
            if not isinstance(e, ev.Progress)]


def refused(events: list[ev.Event]) -> dict[str, str]:
    return {e.source.name: e.reason for e in events if isinstance(e, ev.Quarantined)}


def audit_actions(vault) -> list[str]:
    with vault.index() as conn:
        return [row.action for row in AuditRepository(conn).rows()]


def test_hostile_files_are_quarantined_with_plain_reasons_and_left_untouched(login, tmp_path):
    drop = tmp_path / "drop"
    write(drop / "bomb.png", png_bomb())
    write(drop / "cut.jpg", truncated_jpeg())
    write(drop / "letter.jpg", TEXT)
    write(drop / "scan.jpg", PDF)
    write(drop / "empty.jpg", b"")
    make_fifo(drop / "pipe.jpg")
    outside = write(tmp_path / "elsewhere" / "photo.jpg", jpeg_bytes(colour="green"))
    (drop / "link.jpg").symlink_to(outside)
    os.link(outside, drop / "hardlink.jpg")
    good = write(drop / "good.jpg", jpeg_bytes())
    before = {p.name: p.lstat().st_mtime_ns for p in drop.iterdir() if p.name != "good.jpg"}

    service = ImportService(login("reception"))
    events = run(service, drop)

    reasons = refused(events)
    assert reasons["bomb.png"].startswith("Too large to open safely")
    assert reasons["letter.jpg"] == "This file is not a picture — it looks like text."
    assert reasons["scan.jpg"] == "This file is not a picture — it looks like a PDF."
    assert reasons["empty.jpg"] == refusal.EMPTY
    assert reasons["pipe.jpg"] == refusal.SPECIAL_FILE
    assert reasons["link.jpg"] == refusal.LINK
    assert reasons["hardlink.jpg"] == refusal.HARD_LINK_OUTSIDE
    assert [e.source for e in events if isinstance(e, ev.Imported)] == [good]
    assert {e.source.name: e.reason for e in events if isinstance(e, ev.SourceKept)} == {
        "cut.jpg": CUT_SHORT}
    assert not good.exists()
    assert {p.name: p.lstat().st_mtime_ns for p in drop.iterdir()} == before
    assert outside.exists()
    listed = {Path(r.source_path).name: r.reason for r in service.quarantine()}
    assert listed == reasons
    assert audit_actions(service._session.vault).count("image.quarantined") == len(reasons)


def test_a_quarantined_file_is_not_offered_again_until_it_changes(login, tmp_path):
    service = ImportService(login("reception"))
    path = write(tmp_path / "in" / "photo.jpg", TEXT)
    run(service, path)
    again = run(service, path)
    assert refused(again) == {"photo.jpg": "This file is not a picture — it looks like text."}
    assert audit_actions(service._session.vault).count("image.quarantined") == 1

    write(path, jpeg_bytes())
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    changed = run(service, path)
    assert [type(e) for e in changed if isinstance(e, ev.Imported)] == [ev.Imported]
    assert service.quarantine() == []


def test_a_tiff_named_jpg_is_taken_in_as_the_tiff_it_is(login, tmp_path):
    from PIL import Image

    path = tmp_path / "in" / "scan.jpg"
    path.parent.mkdir()
    Image.new("RGB", (20, 10), "blue").save(path, "TIFF")
    service = ImportService(login("reception"))
    run(service, path)
    assert [i.format for i in service.inbox()] == ["TIFF"]


def test_duplicates_are_reported_not_stored_twice_and_their_sources_released(login, tmp_path):
    data = jpeg_bytes()
    first = write(tmp_path / "a" / "one.jpg", data)
    second = write(tmp_path / "b" / "same.jpg", data)
    service = ImportService(login("reception"))
    run(service, first)
    events = run(service, second)
    duplicates = [e for e in events if isinstance(e, ev.Duplicate)]
    assert len(duplicates) == 1 and duplicates[0].source == second
    assert not second.exists()
    with service._session.vault.index() as conn:
        assert ImageRepository(conn).count() == 1


def test_keep_source_leaves_files_in_place(login, tmp_path):
    path = write(tmp_path / "in" / "a.jpg", jpeg_bytes())
    service = ImportService(login("reception"))
    events = run(service, path, keep_source=True)
    assert any(isinstance(e, ev.Imported) for e in events)
    assert not any(isinstance(e, ev.SourceDeleted) for e in events)
    assert path.exists()


@pytest.mark.slow
def test_a_decoder_that_overruns_its_time_costs_only_that_file(login, tmp_path):
    from PIL import Image

    slow = tmp_path / "in" / "a.png"
    slow.parent.mkdir()
    Image.new("RGB", (7000, 7000), "white").save(slow, "PNG", compress_level=1)
    service = ImportService(login("reception"), IngestLimits(decode_seconds=0.01, workers=1))
    events = run(service, tmp_path / "in")
    assert refused(events) == {"a.png": refusal.TOO_SLOW}
    assert slow.exists()


@pytest.mark.slow
def test_a_worker_out_of_memory_refuses_the_file_and_the_import_goes_on(login, tmp_path):
    from PIL import Image

    big = tmp_path / "in" / "a_big.png"
    big.parent.mkdir()
    Image.new("RGB", (8000, 8000), "white").save(big, "PNG")
    small = write(tmp_path / "in" / "b_small.jpg", jpeg_bytes())
    limits = IngestLimits(worker_memory_bytes=160 * 1024 * 1024, workers=1)
    events = run(ImportService(login("reception"), limits), tmp_path / "in")
    assert "a_big.png" in refused(events)
    assert [e.source for e in events if isinstance(e, ev.Imported)] == [small]


def test_the_role_must_allow_importing(login, tmp_path):
    with pytest.raises(PolicyRefused):
        ImportService(login("admin")).import_paths([tmp_path])


def test_the_practice_size_limit_applies(login, tmp_path):
    from clinfile.app.settings import SettingsService

    SettingsService(login("admin")).change(max_import_megabytes=1)
    path = write(tmp_path / "in" / "big.jpg", jpeg_bytes() + b"\x00" * 1_200_000)
    events = run(ImportService(login("reception")), path)
    assert refused(events) == {"big.jpg": "Too large to open safely (over 1 MB)."}
