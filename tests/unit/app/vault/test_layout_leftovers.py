"""Temporary files that killed writers left in the vault folder, told apart from live ones."""

import os
import time

from clinfile.app.vault.layout import ABANDONED_AFTER_SECONDS, VaultLayout, _last_changed


def test_only_leftovers_older_than_any_live_write_are_abandoned(tmp_path):
    layout = VaultLayout(tmp_path)
    old = tmp_path / ".audit-head.json.a1b2c3.partial"
    fresh = tmp_path / ".keyslots.json.d4e5f6.partial"
    for path in (old, fresh):
        path.write_bytes(b"half")
    long_ago = time.time() - ABANDONED_AFTER_SECONDS - 5
    os.utime(old, (long_ago, long_ago))
    assert layout.partial_files() == sorted([old, fresh])
    assert layout.abandoned_partial_files() == [old]


def test_a_live_write_is_no_leftover_to_a_process_whose_clock_is_years_ahead(
        tmp_path, monkeypatch):
    layout = VaultLayout(tmp_path)
    live = tmp_path / ".audit-head.json.a1b2c3.partial"
    live.write_bytes(b"being written")
    eight_years = 8 * 365 * 24 * 3600
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + eight_years)
    assert layout.abandoned_partial_files() == []


def test_a_leftover_gone_before_it_is_looked_at_is_no_leftover(tmp_path):
    assert _last_changed(tmp_path / ".index.db.x.partial", default=42.0) == 42.0


def test_a_shard_copy_cut_short_with_its_journal_is_a_leftover_too(tmp_path):
    layout = VaultLayout(tmp_path)
    layout.blobs.mkdir()
    layout.pre_migration.mkdir()
    copy = layout.blobs / ".2026k3.db.9f8e7d6c5b4a3210.partial"
    journal = layout.blobs / ".2026k3.db.9f8e7d6c5b4a3210.partial-journal"
    index_copy = layout.pre_migration / ".index-v7-20260101T000000Z.db.0011.partial"
    for path in (copy, journal, index_copy, layout.blobs / "2026k3.db"):
        path.write_bytes(b"half")
    long_ago = time.time() - ABANDONED_AFTER_SECONDS - 5
    for path in (copy, journal, index_copy):
        os.utime(path, (long_ago, long_ago))
    assert layout.abandoned_partial_files() == sorted([copy, journal, index_copy])
