"""Two admins acting at the same moment: one changes the keys while the other's act commits.

An act whose rows are committed is done, and must be reported as done,
even when another admin's process changes the master key between its
commit and its seal: the other admin's own act, sealed at once, seals it.
Here the other admin is a real ``clinfile rotate-keys`` process, started
the moment the first act commits.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.verify import verify_vault
from clinfile.db.audit import AuditRepository
from tests.conftest import ADMIN, PASSWORDS
from tests.integration.importing import command

BEA = "bea"
BEA_PASSWORD = "bea's own long password"


def _bea_with_keys_changed_after_her_next_commit(vault_path: Path) -> tuple[Session, list]:
    """Log bea in; the first row she commits from now on sets off the admin's rotate-keys."""
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    UserService(admin).add(BEA, "admin", BEA_PASSWORD)
    admin.lock()
    bea = Session.login(vault_path, BEA, BEA_PASSWORD)
    outcomes: list = []

    def rotate_keys_once() -> None:
        if outcomes:
            return
        outcomes.append(subprocess.run(
            [*command(), "rotate-keys", str(vault_path), "--user", ADMIN, "--password-stdin",
             "--reason", "a password may have been seen"],
            input=f"{PASSWORDS[ADMIN]}\n", capture_output=True, text=True, timeout=300))

    bea.vault.audit_watchers.append(rotate_keys_once)
    return bea, outcomes


def _actions(vault_path: Path) -> list[tuple[str, str, str]]:
    session = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    with session.vault.index() as conn:
        rows = [(r.actor, r.action, r.subject) for r in AuditRepository(conn).rows()]
    assert verify_vault(session.vault).ok, verify_vault(session.vault).problems
    session.lock()
    return rows


@pytest.mark.slow
def test_a_promotion_committed_before_the_keys_change_is_reported_done(vault_path):
    bea, rotations = _bea_with_keys_changed_after_her_next_commit(vault_path)

    promoted = UserService(bea).set_roles("reception", ["reception", "admin"])
    bea.lock()

    assert rotations[0].returncode == 0, rotations[0].stdout + rotations[0].stderr
    assert "admin" in promoted.roles
    assert (BEA, "user.roles_changed", "reception") in _actions(vault_path)


@pytest.mark.slow
def test_a_user_disabled_before_another_admin_changes_the_keys_is_reported_done(vault_path):
    bea, rotations = _bea_with_keys_changed_after_her_next_commit(vault_path)

    disabled = UserService(bea).disable("clinician")
    bea.lock()

    assert rotations[0].returncode == 0, rotations[0].stdout + rotations[0].stderr
    assert disabled.disabled
    actions = _actions(vault_path)
    assert (BEA, "user.disabled", "clinician") in actions
    assert (ADMIN, "vault.keys_changed", "") in actions
