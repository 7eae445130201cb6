"""A full disk is said to be a full disk, never damage; an empty index is not a wrong password.

The full disk is real: a small tmpfs is mounted for the test and filled up.
Mounting needs root; elsewhere these tests are skipped and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import DiskFull, IndexEmpty
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.integration.importing import check_custody, copy_pictures
from tests.unit.app.cli.calling import as_user, call


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB file system of its own, unmounted afterwards."""
    yield from _mounted(tmp_path / "small-disk", "8m")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system: room for a vault and a few pictures, not for a day's photos."""
    yield from _mounted(tmp_path / "tiny-disk", "3m")


def _mounted(mount_point: Path, size: str) -> Iterator[Path]:
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                              str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root): "
                    + mounted.stderr.decode(errors="replace").strip())
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(disk: Path) -> Path:
    """Write a file until the disk has no room left; return it, to free the room later."""
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


@pytest.fixture
def vault_on_small_disk(vault_path: Path, small_disk: Path) -> Path:
    root = small_disk / "vault"
    shutil.copytree(vault_path, root)
    return root


def test_an_import_that_fills_the_disk_says_so_and_loses_nothing(vault_path, tiny_disk,
                                                                 tmp_path, corpus):
    vault = tiny_disk / "vault"
    shutil.copytree(vault_path, vault)
    pictures = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in (".jpg", ".heic"))
    offered = copy_pictures(pictures[:14], tmp_path / "from the camera")

    code, out, err = as_user(vault, "reception", "import", str(tmp_path / "from the camera"))

    rows = check_custody(vault, offered)
    said = out + err
    left = [line for line in said.splitlines() if line.startswith("Kept ")]
    assert rows and left, said
    assert all(f"The disk holding {vault} is full" in line and "left where it is" in line
               for line in left), said
    assert "could not store this picture safely" not in said
    assert f"{len(left)} left where they are" in said and "0 refused" in said, said
    assert code == 1


def test_logging_in_on_a_full_disk_says_the_disk_is_full(vault_on_small_disk, small_disk):
    filler = _fill(small_disk)

    with pytest.raises(DiskFull, match="The disk is full"):
        Session.login(vault_on_small_disk, ADMIN, ADMIN_PASSWORD)

    filler.unlink()
    code, out, err = call(["verify", str(vault_on_small_disk), "--user", ADMIN,
                           "--password-stdin"], ADMIN_PASSWORD)
    assert code == 0, out + err


def test_the_command_line_says_the_disk_is_full_not_damaged(vault_on_small_disk, small_disk):
    _fill(small_disk)

    code, _, err = call(["audit", str(vault_on_small_disk), "--user", ADMIN,
                         "--password-stdin"], ADMIN_PASSWORD)

    assert code == 1
    assert "The disk is full" in err
    assert "restore" not in err.lower()


def test_the_window_says_a_full_disk_in_plain_words(small_disk):
    from clinfile.ui.errors import in_plain_words, is_fault

    _fill(small_disk)
    with pytest.raises(OSError) as full:
        (small_disk / "one more").write_bytes(os.urandom(1 << 20))

    assert in_plain_words(full.value).startswith("The disk is full")
    assert not is_fault(full.value)


def test_a_head_the_full_disk_refuses_is_raised_or_logged_as_the_unit_asks(
        vault_on_small_disk, small_disk, caplog):
    vault, _ = Vault.unlock(vault_on_small_disk, ADMIN, ADMIN_PASSWORD)
    fillers: list[Path] = []
    vault.audit_watchers.append(lambda: fillers.append(_fill(small_disk)))
    try:
        with pytest.raises(OSError), vault.audited() as work:
            work.record(AuditEntry(ADMIN, "test.unit"))
        fillers.pop().unlink()
        with vault.audited(head_failure_logged=True) as work:
            row = work.record(AuditEntry(ADMIN, "test.unit"))
        fillers.pop().unlink()
        with vault.index() as conn:
            assert AuditRepository(conn).last().seq == row.seq
        assert "the audit head could not be written" in caplog.text
    finally:
        vault.lock()


def test_an_empty_index_is_not_a_wrong_password(vault_path):
    (vault_path / "index.db").write_bytes(b"")

    with pytest.raises(IndexEmpty, match="This is not a wrong password"):
        Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    assert (vault_path / "index.db").stat().st_size == 0
