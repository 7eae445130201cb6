"""Many people logging in to one vault at the same moment, admins among them.

An admin's login seals the audit trail and rewrites the key file (one
generation newer, recorded in the index) while other processes are part
way through their own logins. None of them may take that for an older key
file put back: a practice's staff must never be locked out by an admin
logging in. A key file that really is an older copy is still refused.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.integration.importing import command

ROUNDS = 3
OLDER_KEY_FILE = "replaced with an older copy"
LOGINS = (
    ("audit", ADMIN), ("audit", "admin2"), ("audit", ADMIN),
    ("inbox", "reception"), ("inbox", "reception"),
    ("pacs", "clinician"), ("inbox", "clinician"),
)
ALL_PASSWORDS = {**PASSWORDS, "admin2": "second admin's long password"}


def _start(vault_path, verb: str, user: str) -> subprocess.Popen:
    words = ["pacs", "status"] if verb == "pacs" else [verb]
    process = subprocess.Popen(
        [*command(), *words, str(vault_path), "--user", user, "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(f"{ALL_PASSWORDS[user]}\n".encode())
    process.stdin.close()
    process.stdin = None
    return process


def _all_at_once(vault_path) -> list[tuple[str, int, str]]:
    processes = [(user, _start(vault_path, verb, user)) for verb, user in LOGINS]
    ended = []
    for user, process in processes:
        out, err = process.communicate(timeout=300)
        ended.append((user, process.returncode, out.decode() + err.decode()))
    return ended


@pytest.mark.slow
def test_logins_at_the_same_moment_as_admins_never_raise_a_false_alarm(vault_path):
    admin = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    UserService(admin).add("admin2", "admin", ALL_PASSWORDS["admin2"])
    admin.lock()
    older = (vault_path / "keyslots.json").read_bytes()

    for _ in range(ROUNDS):
        for user, code, printed in _all_at_once(vault_path):
            assert OLDER_KEY_FILE not in printed, f"{user}: {printed}"
            assert "damaged" not in printed, f"{user}: {printed}"
            assert code == 0, f"{user} exited {code}: {printed}"

    (vault_path / "keyslots.json").write_bytes(older)
    refused = _start(vault_path, "inbox", "reception")
    out, err = refused.communicate(timeout=120)
    assert refused.returncode != 0
    assert OLDER_KEY_FILE in out.decode() + err.decode()
