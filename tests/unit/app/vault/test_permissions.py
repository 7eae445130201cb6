"""A vault is its owner's alone: folders 0700, files 0600, checked again at every open."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clinfile.app.vault.backup import backup_vault
from clinfile.app.vault.vault import Vault
from tests.conftest import ADMIN, ADMIN_PASSWORD

pytestmark = pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
            for p in [root, *root.rglob("*")]}


def _all_private(root: Path) -> bool:
    return all(mode & 0o077 == 0 for mode in _modes(root).values())


def test_a_new_vault_inside_an_open_folder_is_private(tmp_path):
    root = tmp_path / "shared folder"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    old_umask = os.umask(0o022)
    try:
        created = Vault.create(root, ADMIN, ADMIN_PASSWORD)
        created.vault.blobs.put_bytes(b"a picture's bytes")
        created.vault.lock()
    finally:
        os.umask(old_umask)

    modes = _modes(root)
    assert modes["."] == 0o700
    assert modes["blobs"] == 0o700
    assert modes["index.db"] == modes["keyslots.json"] == modes["audit-head.json"] == 0o600
    assert _all_private(root), modes


def test_a_backup_into_an_open_folder_is_private(vault_path, login, tmp_path):
    dest = tmp_path / "backup"
    dest.mkdir(mode=0o755)
    dest.chmod(0o755)
    session = login()
    session.vault.blobs.put_bytes(b"a picture's bytes")
    backup_vault(session.vault, dest)
    assert _all_private(dest), _modes(dest)


def test_loose_permissions_are_taken_back_at_open_and_audited(vault_path):
    vault_path.chmod(0o755)
    (vault_path / "index.db").chmod(0o644)
    (vault_path / "keyslots.json").chmod(0o666)

    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)

    assert _all_private(vault_path), _modes(vault_path)
    with vault.index() as conn:
        detail = conn.execute("SELECT detail FROM audit WHERE action = "
                              "'vault.permissions_tightened'").fetchone()[0]
    assert all(name in detail for name in (".", "index.db", "keyslots.json"))
