"""One writer at a time in the index, whichever thread; a lock never hands out a wiped key."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.custody.crypto import Argon2Params
from clinfile.app.vault.errors import VaultLocked
from clinfile.app.vault.layout import VaultLayout
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository
from clinfile.db.settings import MetaRepository
from tests.conftest import ADMIN, ADMIN_PASSWORD

WRITES = 25


@pytest.fixture
def vault(vault_path: Path) -> Iterator[Vault]:
    unlocked, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    yield unlocked
    unlocked.lock()


def _write(vault: Vault, name: str, failures: list[BaseException]) -> None:
    """Read a counter and write it back one higher, audited, many times over."""
    try:
        for _ in range(WRITES):
            with vault.audited() as work:
                meta = MetaRepository(work.conn)
                meta.put("one_writer", str(int(meta.get("one_writer") or 0) + 1))
                work.record(AuditEntry(ADMIN, "test.write", name))
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        failures.append(exc)


def test_two_threads_writing_at_once_each_get_the_index_to_themselves(vault):
    with vault.index() as conn:
        before = AuditRepository(conn).last().seq
    failures: list[BaseException] = []
    writers = [threading.Thread(target=_write, args=(vault, name, failures))
               for name in ("first", "second")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    with vault.index() as conn:
        assert MetaRepository(conn).get("one_writer") == str(2 * WRITES)
        assert AuditRepository(conn).last().seq == before + 2 * WRITES
        assert vault.audit.problems(conn) == []
    assert vault.audit.head().seq == before + 2 * WRITES


def test_a_reader_in_another_thread_never_sees_a_zeroed_key_marked_usable(tmp_path):
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(300):
            master_key = os.urandom(32)
            vault = Vault(VaultLayout(tmp_path), "vault", master_key, Argon2Params())
            seen: list[bytes] = []
            reading = threading.Event()

            def read(vault: Vault = vault, seen: list[bytes] = seen,
                     reading: threading.Event = reading) -> None:
                while True:
                    try:
                        seen.append(vault.key)
                    except VaultLocked:
                        return
                    reading.set()

            reader = threading.Thread(target=read)
            reader.start()
            reading.wait()
            vault.lock()
            reader.join()
            assert set(seen) == {master_key}
    finally:
        sys.setswitchinterval(interval)
