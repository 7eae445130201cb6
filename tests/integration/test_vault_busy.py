"""A login waiting on another process's long write says the vault is busy, not damaged."""

import subprocess
import sys

import pytest

from tests.conftest import PASSWORDS
from tests.unit.app.cli.calling import call

HOLD_THE_WRITE_LOCK = """
import sys, time
from clinfile.app.security.session import Session
session = Session.login(sys.argv[1], "admin", sys.argv[2])
with session.vault.index() as conn:
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_a_login_during_another_process_long_write_says_busy_and_fails(vault_path):
    writer = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(vault_path),
                               PASSWORDS["admin"]], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        code, _, err = call(["inbox", str(vault_path), "--user", "reception",
                             "--password-stdin"], PASSWORDS["reception"])
    finally:
        writer.kill()
        writer.wait()
    assert code != 0
    assert "another Clinfile is using the vault; try again when it finishes" in err
    assert "damaged" not in err and "backup" not in err
