import os
import shutil
from pathlib import Path

import pytest

from app.vault.errors import AuthenticationFailed
from app.vault.vault import Vault
from app.vault.verify import verify_vault
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.unit.app.cli.calling import call


@pytest.fixture
def filled_vault(vault_path: Path) -> Path:
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    vault.blobs.put_bytes(os.urandom(300_000))
    vault.blobs.put_bytes(b"small blob")
    vault.lock()
    return vault_path


def _verify(vault_path: Path) -> int:
    code, _, _ = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin"],
                      ADMIN_PASSWORD)
    return code


def test_a_sound_vault_verifies(filled_vault):
    assert _verify(filled_vault) == 0


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize("where", [0.0, 0.001, 0.37, 0.5, 0.83, 0.999])
def test_a_single_flipped_byte_anywhere_is_found(filled_vault, tmp_path, where):
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(filled_vault, "reception", "a wrong password")
    names = [p.relative_to(filled_vault) for p in _files(filled_vault)]
    assert Path("login-failures.log") in names
    for name in names:
        copy = tmp_path / f"copy-{where}-{name.name}"
        shutil.copytree(filled_vault, copy)
        target = copy / name
        damaged = bytearray(target.read_bytes())
        position = min(int(len(damaged) * where), len(damaged) - 1)
        damaged[position] ^= 0x01
        target.write_bytes(bytes(damaged))
        assert _verify(copy) == 1, f"flipped byte {position} of {name} was not found"


def test_truncated_audit_trail_is_found(filled_vault):
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        conn.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    report = verify_vault(vault)
    assert any("cut short" in p for p in report.problems)


def test_edited_audit_row_is_found(filled_vault):
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
    report = verify_vault(vault)
    assert any("row 2 was changed" in p for p in report.problems)


def test_stray_files_are_reported(filled_vault):
    (filled_vault / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    assert verify_vault(vault).problems == ["unexpected file in the vault: photo.jpg"]


def test_verify_needs_an_admin(filled_vault):
    from tests.conftest import PASSWORDS

    code, _, err = call(["verify", str(filled_vault), "--user", "reception", "--password-stdin"],
                        PASSWORDS["reception"])
    assert code == 3 and "may not verify" in err
