"""Vault open time, encrypted blob throughput and re-key time, against plain fsynced files.

Target: encrypted 4 MB blob writes at least half as fast as writing and
fsyncing plain files to the same disk; opening (Argon2id unwrap and first
query) within one second. Because a loaded machine slows Argon2id as much
as anything, opening is also reported against one Argon2id derivation in
the same run (the least any login must cost), and an admin login's sealing
of the audit trail, and the seal of each later act, are timed on their own.
Re-keying after a change of keys is reported as seconds per GB and against
a plain read and fsynced write of the same bytes in the same run (the least
any re-encryption must cost).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.custody.crypto import SALT_BYTES, Argon2Params, stretch_password
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.rotation import change_master_key, rekey_remaining
from clinfile.app.vault.vault import Vault
from clinfile.db.users import UserRepository

BLOB_BYTES = 4 * 1024 * 1024
BLOBS = 24
OPENS = 5


def run() -> list[str]:
    """Measure and return the report lines."""
    payloads = [os.urandom(BLOB_BYTES) for _ in range(BLOBS)]
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        created = Vault.create(root / "vault", "bench", "benchmark password").vault
        _add_a_receptionist(root / "vault")
        created.lock()
        derive_s = _derive_times()
        open_s = _open_times(root / "vault")
        vault, _ = Vault.unlock(root / "vault", "bench", "benchmark password")
        login_seal_s, act_seal_s = _seal_times(vault, root / "vault")
        plain_write, plain_read = _plain_files(root / "plain", payloads)
        blob_write, blob_read = _blobs(vault, payloads)
        stored = sum(p.stat().st_size for p in vault.blobs.shard_paths())
        plain_copy = _plain_copy(root / "plain", root / "copy")
        change_s, rekey_s = _rekey(vault)
    mb = BLOB_BYTES * BLOBS / 1e6
    gb = stored / 1e9
    median_ms = statistics.median(open_s) * 1000
    derive_ms = statistics.median(derive_s) * 1000
    login_seal_ms = statistics.median(login_seal_s) * 1000
    act_seal_ms = statistics.median(act_seal_s) * 1000
    return [
        f"vault open (Argon2id unwrap + first query): median {median_ms:.0f} ms,"
        f" worst {max(open_s)*1000:.0f} ms over {OPENS} opens (target <= 1000 ms)",
        f"one Argon2id derivation alone: median {derive_ms:.0f} ms; vault open is"
        f" {median_ms/derive_ms:.2f}x that (the rest: {median_ms - derive_ms:.0f} ms)",
        f"admin login's seal (check every seal, sign, remember): median {login_seal_ms:.0f} ms"
        f" ({login_seal_ms/derive_ms:.2f}x one derivation); seal of each later act:"
        f" {act_seal_ms:.0f} ms ({act_seal_ms/derive_ms:.2f}x)",
        f"plain file write+fsync: {mb/plain_write:.0f} MB/s; read: {mb/plain_read:.0f} MB/s",
        f"encrypted blob write:   {mb/blob_write:.0f} MB/s; read+SHA-256: {mb/blob_read:.0f} MB/s",
        f"ratio encrypted/plain:  write {plain_write/blob_write:.2f}x (target >= 0.5x),"
        f" read {plain_read/blob_read:.2f}x",
        f"change of keys (index rekey, key file): {change_s*1000:.0f} ms",
        f"background re-key: {rekey_s/gb:.1f} s per GB ({stored/1e6:.0f} MB of shards);"
        f" plain read+write+fsync of the same bytes: {plain_copy/gb:.1f} s per GB;"
        f" ratio {rekey_s/plain_copy:.2f}x",
    ]


def _open_times(root: Path) -> list[float]:
    times = []
    for _ in range(OPENS):
        started = time.perf_counter()
        vault, _ = Vault.unlock(root, "bench", "benchmark password")
        with vault.index() as conn:
            UserRepository(conn).all()
        times.append(time.perf_counter() - started)
        vault.lock()
    return times


def _derive_times() -> list[float]:
    times = []
    for _ in range(OPENS):
        started = time.perf_counter()
        stretch_password("benchmark password", os.urandom(SALT_BYTES), Argon2Params())
        times.append(time.perf_counter() - started)
    return times


def _add_a_receptionist(root: Path) -> None:
    session = Session.login(root, "bench", "benchmark password")
    UserService(session).add("desk", "reception", "front desk password")
    session.lock()


def _seal_times(vault: Vault, root: Path) -> tuple[list[float], list[float]]:
    """Time sealing a receptionist's new row as at an admin's login and after an act.

    At login every seal is checked; after an act only the newest.
    """
    desk, _ = Vault.unlock(root, "desk", "front desk password")
    times: dict[bool, list[float]] = {False: [], True: []}
    for latest_only in [False, True] * OPENS:
        with desk.audited() as work:
            work.record(AuditEntry("desk", "bench.row"))
        started = time.perf_counter()
        vault.seal_audit("bench", latest_only=latest_only)
        times[latest_only].append(time.perf_counter() - started)
    desk.lock()
    return times[False], times[True]


def _plain_files(folder: Path, payloads: list[bytes]) -> tuple[float, float]:
    folder.mkdir()
    started = time.perf_counter()
    for i, data in enumerate(payloads):
        with open(folder / f"{i}.bin", "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    dir_fd = os.open(folder, os.O_RDONLY)
    os.fsync(dir_fd)
    os.close(dir_fd)
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(len(payloads)):
        hashlib.sha256((folder / f"{i}.bin").read_bytes()).hexdigest()
    return wrote, time.perf_counter() - started


def _blobs(vault: Vault, payloads: list[bytes]) -> tuple[float, float]:
    started = time.perf_counter()
    ids = [vault.blobs.put_bytes(data).id for data in payloads]
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    for blob_id in ids:
        vault.blobs.verify(blob_id)
    return wrote, time.perf_counter() - started


def _plain_copy(source: Path, dest: Path) -> float:
    """Read every plain file and write it again, fsynced: the floor for any re-key."""
    dest.mkdir()
    started = time.perf_counter()
    for path in sorted(source.iterdir()):
        with open(dest / path.name, "wb") as handle:
            handle.write(path.read_bytes())
            handle.flush()
            os.fsync(handle.fileno())
    return time.perf_counter() - started


def _rekey(vault: Vault) -> tuple[float, float]:
    started = time.perf_counter()
    change_master_key(vault, "bench", "benchmark")
    changed = time.perf_counter() - started
    started = time.perf_counter()
    rekey_remaining(vault)
    return changed, time.perf_counter() - started


if __name__ == "__main__":
    print("\n".join(run()))
