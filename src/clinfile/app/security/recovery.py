"""Using and renewing the printed recovery key."""

from __future__ import annotations

from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.roles import Permission, Role
from clinfile.app.security.session import Session
from clinfile.app.security.users import (
    UserError,
    check_password,
    refuse_a_password_while_disabled,
)
from clinfile.app.vault.errors import AuthenticationFailed
from clinfile.app.vault.recovery import new_recovery_key
from clinfile.app.vault.rotation import change_master_key
from clinfile.app.vault.vault import RECOVERY_ACTOR, Vault
from clinfile.db.users import UserRepository


def recover_admin(root: Path, recovery_key: str, admin_name: str, new_password: str) -> None:
    """Open the vault with the recovery key and give an admin a new password.

    This is the way back in when every admin has forgotten their password or
    left: the admin's slot is rewrapped and, if it was disabled, enabled again.
    """
    check_password(new_password)
    vault = Vault.unlock_with_recovery(root, recovery_key)
    try:
        _give_password(vault, RECOVERY_ACTOR, admin_name, new_password, admins_only=True,
                       action="user.password_recovered")
    finally:
        vault.lock()


def reset_with_recovery_key(session: Session, recovery_key: str, name: str,
                            new_password: str) -> None:
    """Give a user a new password, as an admin holding the printed recovery key.

    The key is proved by opening the vault with it, so a reset made this way
    also shows the sheet in the safe still works. A disabled user is refused, as
    when a password is typed: letting them back in is the act of enabling them.

    Raises:
        PolicyRefused: the person is not an admin (audited).
        RecoveryKeyMistyped: a typing mistake in the key.
        UserError: the key is not this vault's current one, no such user, or too
            short a password.
    """
    session.require(Permission.MANAGE_USERS, subject=name)
    check_password(new_password)
    try:
        vault = Vault.unlock_with_recovery(session.vault.layout.root, recovery_key)
    except AuthenticationFailed:
        raise UserError("That recovery key does not open this vault. Check it against the "
                        "printed sheet; a key that was replaced no longer works.") from None
    try:
        _give_password(vault, session.actor.name, name, new_password, admins_only=False,
                       action="user.password_reset_with_recovery_key")
    finally:
        vault.lock()


def _give_password(vault: Vault, actor: str, name: str, new_password: str, *,
                   admins_only: bool, action: str) -> None:
    """Rewrap one user's slot under a new password and audit it.

    An admin recovered with the printed key is enabled too: with no admin able to log
    in, nobody else could let them back in.
    """
    with vault.audited() as work:
        users = UserRepository(work.conn)
        user = users.by_name(name)
        if user is None or (admins_only and Role.ADMIN not in user.roles):
            raise UserError(f"There is no {'admin' if admins_only else 'user'} "
                            f"called {name}.")
        if not admins_only:
            refuse_a_password_while_disabled(user)
        vault.set_user_slot(work.conn, user.name, new_password,
                            admin=str(Role.ADMIN) in user.roles)
        users.set_disabled(user.id, False)
        users.set_password_changed(user.id, clock.stamp())
        work.record(AuditEntry(actor, action, user.name))


def renew_recovery_key(session: Session) -> str:
    """Replace the recovery slot with a new key and return it, to be shown once.

    The old printed sheet stops working at once, and the master key is
    changed, so the old sheet with a copy of the old key file opens nothing
    written from now on; use this when a sheet is lost or may have been seen.
    """
    session.require(Permission.MANAGE_USERS)
    vault = session.vault
    key = new_recovery_key()
    with vault.audited() as work:
        vault.set_recovery_slot(work.conn, key)
        work.record(AuditEntry(session.actor.name, "recovery_key.renewed"))
    change_master_key(vault, session.actor.name, "the recovery key was renewed")
    return key
