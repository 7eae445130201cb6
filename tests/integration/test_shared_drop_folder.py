"""Two workstations watching one shared drop folder: each picture taken by exactly one.

Two real ``clinfile watch --shared`` processes, each with its own vault (as
two workstations have), watch one folder while pictures arrive; every
picture ends in exactly one vault and the folder empties. A claim left by a
workstation that stopped beating is taken over once its timeout passes.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from clinfile.app.ingest.shared_drop import CLAIMS, HEARTBEAT, ClaimFolder
from clinfile.app.security.session import Session
from clinfile.db.images import ImageRepository
from tests.conftest import PASSWORDS
from tests.integration.importing import command

pytestmark = pytest.mark.slow


def pictures(count: int, seed: int = 0) -> dict[str, bytes]:
    """Distinct small real JPEGs, by file name."""
    made = {}
    for n in range(count):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), ((n * 37 + seed) % 256, (n * 91) % 256, 120)).save(
            buffer, "JPEG", quality=90)
        made[f"IMG_{seed:02d}{n:03d}.jpg"] = buffer.getvalue()
    return made


def start_watch(vault: Path, folder: Path, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [*command(), "watch", str(vault), str(folder), "--shared", "--polling", *extra,
         "--user", "reception", "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(f"{PASSWORDS['reception']}\n".encode())
    process.stdin.close()
    process.stdin = None
    return process


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return out.decode(errors="replace") + err.decode(errors="replace")


def held(vault: Path) -> set[str]:
    session = Session.login(vault, "reception", PASSWORDS["reception"])
    try:
        with session.vault.index() as conn:
            return {row.sha256 for row in ImageRepository(conn).unfiled()}
    finally:
        session.lock()


def wait_until(condition, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError("timed out")


def files_left(folder: Path) -> list[Path]:
    """Files still in the drop, walked with os.walk so that a claim folder a
    workstation removes mid-walk is passed over, as pathlib's rglob cannot."""
    return [Path(root) / name
            for root, _dirs, names in os.walk(folder)
            for name in names if name != HEARTBEAT]


@pytest.fixture
def two_vaults(template_vault, tmp_path):
    first, second = tmp_path / "reception-desk", tmp_path / "consulting-room"
    shutil.copytree(template_vault, first)
    shutil.copytree(template_vault, second)
    return first, second


def test_each_picture_is_taken_by_exactly_one_of_two_workstations(two_vaults, tmp_path):
    drop = tmp_path / "shared-drop"
    drop.mkdir()
    sent = pictures(30)
    watchers = [start_watch(vault, drop) for vault in two_vaults]
    try:
        time.sleep(1.5)
        for name, data in sent.items():  # arriving as a mail rule saves them
            partial = drop / f".{name}.part"
            partial.write_bytes(data)
            os.replace(partial, drop / name)
            time.sleep(0.1)
        wait_until(lambda: not files_left(drop))
    finally:
        outputs = [stop(w) for w in watchers]
    first, second = (held(vault) for vault in two_vaults)
    expected = {hashlib.sha256(data).hexdigest() for data in sent.values()}
    assert first | second == expected, outputs
    assert not first & second
    assert not list((drop / CLAIMS).glob("*/*")), "claim folders left behind"


def claim_all(drop: str, workstation: str, names: list[str], start, results) -> None:
    """Claim every named file as one workstation would, starting with the other."""
    claims = ClaimFolder(Path(drop), workstation)
    claims.open()
    start.wait()
    results.put((workstation, [n for n in names if claims.claim(Path(drop) / n) is not None]))


def test_two_processes_racing_for_the_same_files_each_take_different_ones(tmp_path):
    drop = tmp_path / "shared-drop"
    drop.mkdir()
    names = list(pictures(200))
    for name, data in pictures(200).items():
        (drop / name).write_bytes(data)
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    racers = [context.Process(target=claim_all, args=(str(drop), ws, names, start, results))
              for ws in ("reception-1", "consulting-2")]
    for racer in racers:
        racer.start()
    time.sleep(1)
    start.set()
    taken = dict(results.get(timeout=60) for _ in racers)
    for racer in racers:
        racer.join(timeout=30)
    assert sorted(taken["reception-1"] + taken["consulting-2"]) == sorted(names)
    assert not set(taken["reception-1"]) & set(taken["consulting-2"])
    claimed = [p.name for p in (drop / CLAIMS).rglob("IMG_*")]
    assert sorted(claimed) == sorted(names)


def test_a_stopped_workstations_claim_is_taken_over_after_the_timeout(two_vaults, tmp_path):
    drop = tmp_path / "shared-drop"
    crashed = drop / CLAIMS / "front-desk-4242"
    claim = crashed / "18c0ffee-0001"
    claim.mkdir(parents=True)
    [(name, data)] = pictures(1, seed=7).items()
    (claim / name).write_bytes(data)
    (crashed / HEARTBEAT).touch()
    long_ago = time.time() - 30
    os.utime(crashed / HEARTBEAT, (long_ago, long_ago))
    fresh = drop / CLAIMS / "consulting-room-77"
    (fresh / "18c0ffee-0002").mkdir(parents=True)
    [(other_name, other)] = pictures(1, seed=9).items()
    (fresh / "18c0ffee-0002" / other_name).write_bytes(other)
    (fresh / HEARTBEAT).touch()  # beating now: its claim is not taken

    watcher = start_watch(two_vaults[0], drop, "--claim-timeout", "20")
    try:
        wait_until(lambda: not (claim / name).exists() and hashlib.sha256(data).hexdigest()
                   in held(two_vaults[0]))
        time.sleep(1)
        assert (fresh / "18c0ffee-0002" / other_name).exists()
    finally:
        stop(watcher)
    assert not crashed.exists()
    assert hashlib.sha256(other).hexdigest() not in held(two_vaults[0])
