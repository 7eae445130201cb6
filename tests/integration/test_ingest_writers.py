"""Several imports writing one vault at once: the window's watch, a manual import, the command.

Nothing may be lost, stored twice or deleted from its source unverified, and
no import may say something untrue about a picture another import took.
"""

import hashlib
import os
import random
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.custody import Custodian
from clinfile.app.ingest.owners import this_process
from clinfile.app.ingest.pipeline import NOT_STORED
from clinfile.app.ingest.service import ImportService
from clinfile.app.security.session import Session
from clinfile.db.blobs import BlobNotFound
from clinfile.db.images import ImportJournalRepository, JournalEntry
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.integration.importing import (
    check_custody,
    command,
    copy_pictures,
    corpus_pictures,
    false_messages,
    finish,
    kill_group,
    start_import,
)
from tests.unit.app.ingest.hostile_files import jpeg_bytes, write
from tests.unit.app.ingest.other_processes import elsewhere, ended_process, running_process

ROUNDS = 4


@pytest.mark.slow
def test_three_imports_at_once_over_shared_and_own_folders_with_kills(vault_path, corpus,
                                                                      tmp_path):
    """Three ``clinfile import`` processes per round, one of them killed in every other round.

    Per round: the first two share a folder, the first also has one of its
    own, and the third has its own folder holding some of the shared folder's
    pictures under other names (the same picture reaching two imports), plus
    pictures from the round before (already in the vault).
    """
    seed = os.environ.get("CLINFILE_CRASH_SEED", str(time.time_ns()))
    chance = random.Random(seed)
    pictures = corpus_pictures(corpus)
    offered: dict[Path, str] = {}
    kills = 0
    for turn in range(ROUNDS):
        batch = pictures[turn::ROUNDS]
        shared, own, other = (tmp_path / f"round-{turn}" / name
                              for name in ("shared", "own", "other"))
        offered |= copy_pictures(batch[0::2], shared)
        offered |= copy_pictures(batch[1::4], own)
        offered |= copy_pictures(batch[3::4] + batch[0:6:2] + pictures[turn - 1::ROUNDS][:2],
                                 other)
        imports = [start_import(vault_path, [shared, own]), start_import(vault_path, [shared]),
                   start_import(vault_path, [other])]
        outputs = []
        if turn % 2:
            victim = imports.pop(chance.randrange(3))
            victim.stdout.readline()
            time.sleep(chance.uniform(0.0, 0.8))
            outputs.append(kill_group(victim))
            kills += 1
        outputs += [finish(process) for process in imports]
        rows = check_custody(vault_path, offered)
        assert false_messages(outputs, offered, rows) == [], f"CLINFILE_CRASH_SEED={seed}"

    last = finish(start_import(vault_path, sorted({p.parent for p in offered})))
    rows = check_custody(vault_path, offered)
    assert false_messages([last], offered, rows) == []
    still_there = [path for path in offered if path.exists()]
    assert all(f"Refused {path}:" in last for path in still_there)
    assert len(rows) == len(set(offered.values())) - len(still_there)
    with Session.login(vault_path, ADMIN, ADMIN_PASSWORD).vault.index() as conn:
        assert ImportJournalRepository(conn).all() == []
    verify = subprocess.run([*command(), "verify", str(vault_path), "--user", ADMIN,
                             "--password-stdin"], input=f"{ADMIN_PASSWORD}\n".encode(),
                            capture_output=True, timeout=120)
    assert verify.returncode == 0, verify.stdout.decode() + verify.stderr.decode()
    assert kills == ROUNDS // 2


def _leftover(vault, owner, name: str, year: int = 2026) -> tuple[JournalEntry, list[str]]:
    """A journal row and its three stored blobs, as an import cut short between steps 2 and 4."""
    when = datetime(year, 6, 1, tzinfo=UTC)
    blob_ids = [vault.blobs.new_id(when) for _ in range(3)]
    vault.blobs.put_many([(blob_id, [name.encode()]) for blob_id in blob_ids], when=when)
    with vault.index() as conn:
        entry = ImportJournalRepository(conn).begin(
            hashlib.sha256(name.encode()).hexdigest(), "manual", f"/elsewhere/{name}.jpg",
            tuple(blob_ids), "t", owner)
    return entry, blob_ids


def _journal(vault) -> list[JournalEntry]:
    with vault.index() as conn:
        return ImportJournalRepository(conn).all()


def _all_stored(vault, blob_ids: list[str]) -> bool:
    try:
        for blob_id in blob_ids:
            vault.blobs.verify(blob_id)
    except BlobNotFound:
        return False
    return True


def test_start_up_recovers_only_the_imports_of_processes_that_have_gone(login, tmp_path):
    session = login("reception")
    vault = session.vault
    with running_process() as running:
        live, live_blobs = _leftover(vault, running, "live")
        killed, killed_blobs = _leftover(vault, ended_process(), "killed")
        away, away_blobs = _leftover(vault, elsewhere(), "away")
        picture = write(tmp_path / "in" / "a.jpg", jpeg_bytes())

        events = list(ImportService(session).import_paths([picture.parent]))

        resumed = [e for e in events if isinstance(e, ev.Resumed)]
        assert resumed == [ev.Resumed(Path(killed.source_path),
                                      "undone; the file stays at its source")]
        assert [e.id for e in _journal(vault)] == [live.id, away.id]
        assert _all_stored(vault, live_blobs) and _all_stored(vault, away_blobs)
        assert not any(_all_stored(vault, [blob_id]) for blob_id in killed_blobs)
        assert not picture.exists()
    assert [path for path, _ in Custodian(vault, "reception").resume()] == [
        Path(live.source_path)]
    assert [e.id for e in _journal(vault)] == [away.id]


def test_a_picture_the_vault_cannot_store_leaves_other_imports_alone(login, tmp_path):
    session = login("reception")
    vault = session.vault
    with running_process() as running:
        live, live_blobs = _leftover(vault, running, "live", year=2025)
        open_shard = vault.layout.blobs / f"{vault.blobs.new_id().rpartition('-')[0]}.db"
        open_shard.write_bytes(os.urandom(65536))
        picture = write(tmp_path / "in" / "a.jpg", jpeg_bytes())

        events = list(ImportService(session).import_paths([picture.parent]))

        assert [e for e in events if isinstance(e, ev.SourceKept)] == [
            ev.SourceKept(picture, NOT_STORED)]
        assert picture.exists()
        # Its own row stays too: no blob can be deleted from a shard that cannot be opened.
        assert {e.id: e.owner for e in _journal(vault)}.get(live.id) == running
        assert {e.owner for e in _journal(vault) if e.id != live.id} <= {this_process()}
        assert _all_stored(vault, live_blobs)


@pytest.mark.slow
def test_two_imports_in_one_process_take_each_picture_once(login, corpus, tmp_path):
    session = login("reception")
    offered = copy_pictures(corpus_pictures(corpus)[::3], tmp_path / "drop")
    said: list[list[ev.Event]] = [[], []]

    def run(events: list[ev.Event]) -> None:
        events.extend(ImportService(session).import_paths([tmp_path / "drop"]))

    threads = [threading.Thread(target=run, args=(events,)) for events in said]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rows = check_custody(session.vault.layout.root, offered)
    imported = Counter(e.source for events in said for e in events
                       if isinstance(e, ev.Imported))
    deleted = Counter(e.source for events in said for e in events
                      if isinstance(e, ev.SourceDeleted))
    assert len(imported) == len(rows) and set(imported.values()) == {1}
    assert set(deleted.values()) == {1} and not any(path.exists() for path in deleted)
    assert [e for events in said for e in events if isinstance(e, ev.SourceKept)] == []


def test_a_picture_another_import_has_claimed_waits_for_it(login, tmp_path):
    session = login("reception")
    vault = session.vault
    picture = write(tmp_path / "in" / "a.jpg", jpeg_bytes())
    with running_process() as running:
        with vault.index() as conn:
            ImportJournalRepository(conn).begin(
                hashlib.sha256(picture.read_bytes()).hexdigest(), "manual", str(picture),
                ("2026-" + "a" * 32, "2026-" + "b" * 32, "2026-" + "c" * 32), "t", running)
        events = ImportService(session).import_paths([picture])
        started = time.monotonic()
        while time.monotonic() - started < 2:
            assert isinstance(next(events), ev.Progress)
        assert picture.exists()
    said = [e for e in events if not isinstance(e, ev.Progress)]
    assert [type(e) for e in said] == [ev.Imported, ev.SourceDeleted, ev.Finished]
    assert _journal(vault) == []


def test_a_stopped_import_leaves_no_claim_behind(login, tmp_path):
    session = login("reception")
    for n in range(12):
        write(tmp_path / "drop" / f"{n}.jpg", jpeg_bytes((64 + n, 48)))
    cancel = ev.CancelToken()
    for event in ImportService(session).import_paths([tmp_path / "drop"], cancel=cancel):
        if isinstance(event, ev.Imported):
            cancel.cancel()
    assert _journal(session.vault) == []
