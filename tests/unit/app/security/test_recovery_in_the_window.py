"""An admin resets a password with the printed recovery key, or replaces the key; others may not."""

from __future__ import annotations

import pytest

from clinfile.app.security.recovery import renew_recovery_key, reset_with_recovery_key
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserError, UserService
from clinfile.app.vault.recovery import RecoveryKeyMistyped
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository


def _actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [row.action for row in AuditRepository(conn).rows()]


def test_reset_with_the_key_gives_a_new_password_and_is_audited(login, vault_path):
    admin = login()
    key = renew_recovery_key(admin)
    reset_with_recovery_key(admin, key.lower(), "reception", "a brand new long password")
    Session.login(vault_path, "reception", "a brand new long password").lock()
    assert "user.password_reset_with_recovery_key" in _actions(admin)


def test_reset_with_the_key_never_lets_a_disabled_user_back_in(login, vault_path):
    admin = login()
    UserService(admin).disable("reception")
    key = renew_recovery_key(admin)
    with pytest.raises(UserError, match="reception is disabled.*Enable reception first"):
        reset_with_recovery_key(admin, key, "reception", "a brand new long password")
    assert "user.password_reset_with_recovery_key" not in _actions(admin)
    UserService(admin).enable("reception", "a brand new long password")
    Session.login(vault_path, "reception", "a brand new long password").lock()


def test_a_replaced_key_opens_nothing(login, vault_path):
    admin = login()
    old = renew_recovery_key(admin)
    new = renew_recovery_key(admin)
    with pytest.raises(UserError, match="does not open this vault"):
        reset_with_recovery_key(admin, old, "reception", "a brand new long password")
    Vault.unlock_with_recovery(vault_path, new).lock()


def test_a_mistyped_key_is_caught_before_anything(login):
    admin = login()
    key = renew_recovery_key(admin)
    with pytest.raises(RecoveryKeyMistyped):
        reset_with_recovery_key(admin, key[:-1] + ("0" if key[-1] != "0" else "1"),
                                "reception", "a brand new long password")


@pytest.mark.parametrize("user", ["clinician", "reception"])
def test_other_roles_may_neither_reset_nor_replace(login, user):
    admin = login()
    key = renew_recovery_key(admin)
    admin.lock()
    session = login(user)
    with pytest.raises(PolicyRefused):
        reset_with_recovery_key(session, key, "admin", "taken over long password")
    with pytest.raises(PolicyRefused):
        renew_recovery_key(session)
    with pytest.raises(PolicyRefused):
        UserService(session).disable("admin")
    with pytest.raises(PolicyRefused):
        UserService(session).add("intruder", "admin", "long enough password")
    assert "policy.refused" in _actions(session)
