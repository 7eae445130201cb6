"""Atomically replaced files: whole, private, and safe with several writers at once."""

from __future__ import annotations

import multiprocessing
import stat
import threading
from pathlib import Path

import pytest

from clinfile.db.connection import unfinished_writes, write_atomically


def test_the_file_is_replaced_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "head.json"
    target.write_text("old")
    target.chmod(0o644)

    write_atomically(target, b"new")

    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["head.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "head.json"
    target.write_text("old")

    with pytest.raises(TypeError):
        write_atomically(target, "text where bytes belong")  # type: ignore[arg-type]

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["head.json"]


def _write_many(target: str, marker: int, rounds: int) -> None:
    for _ in range(rounds):
        write_atomically(Path(target), bytes([marker]) * 4096)


def test_many_threads_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "keyslots.json"
    errors: list[BaseException] = []

    def run(marker: int) -> None:
        try:
            _write_many(str(target), marker, 100)
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    body = target.read_bytes()
    assert len(body) == 4096 and len(set(body)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]


def test_several_processes_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "audit-head.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(target), m, 150))
               for m in (1, 2, 3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert [w.exitcode for w in workers] == [0, 0, 0]
    body = target.read_bytes()
    assert len(body) == 4096 and len(set(body)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["audit-head.json"]


def test_a_write_killed_before_its_rename_leaves_only_a_named_leftover(tmp_path):
    target = tmp_path / "audit-head.json"
    write_atomically(target, b"whole")
    left = tmp_path / ".audit-head.json.k3x9.partial"
    left.write_bytes(b"half")
    (tmp_path / ".other.json.k3x9.partial").write_bytes(b"half")
    assert unfinished_writes(target) == {left}
