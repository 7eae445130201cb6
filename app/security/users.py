"""Adding, listing, disabling users and changing passwords, with role checks and audit."""

from __future__ import annotations

from datetime import UTC, datetime

from app.security.audit import AuditEntry
from app.security.roles import Permission, Role
from app.security.session import Session
from app.vault.errors import VaultError
from db.connection import transaction
from db.users import UserRepository, UserRow

MIN_PASSWORD_LENGTH = 10


class UserError(VaultError):
    """A user change that cannot be made as asked."""


def check_password(password: str) -> None:
    """Refuse a password too short to protect patient photographs."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters; "
            "a short sentence is easy to remember and hard to guess."
        )


def check_name(name: str) -> None:
    """Refuse names that would be confusing in the audit trail."""
    if not name or name != name.strip() or len(name) > 64 or not name.isprintable():
        raise UserError("User names need 1–64 visible characters, without leading spaces.")


class UserService:
    """User administration for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, name: str, role: Role | str, password: str) -> UserRow:
        """Create a user with their own key slot."""
        self._session.require(Permission.MANAGE_USERS, subject=name)
        check_name(name)
        check_password(password)
        role = Role(role)
        vault = self._session.vault
        with vault.index() as conn:
            with transaction(conn):
                users = UserRepository(conn)
                if users.by_name(name) is not None:
                    raise UserError(f"There is already a user called {name}.")
                user = users.add(name, str(role), _now())
                vault.set_user_slot(conn, name, password)
                row = vault.audit.append(conn, AuditEntry(
                    self._session.actor.name, "user.added", name, {"role": str(role)}))
        vault.audit.publish_head(row)
        return user

    def list(self) -> list[UserRow]:
        """Return every user."""
        self._session.require(Permission.MANAGE_USERS)
        with self._session.vault.index() as conn:
            return UserRepository(conn).all()

    def disable(self, name: str) -> UserRow:
        """Disable a user: their slot is erased, so their password opens nothing."""
        self._session.require(Permission.MANAGE_USERS, subject=name)
        vault = self._session.vault
        with vault.index() as conn:
            with transaction(conn):
                users = UserRepository(conn)
                user = self._existing(users, name)
                last_admin = user.role == Role.ADMIN and users.count_active_admins() <= 1
                if last_admin and not user.disabled:
                    raise UserError("This is the last admin; add another admin first.")
                users.set_disabled(user.id, True)
                vault.disable_user_slot(conn, user.name)
                row = vault.audit.append(conn, AuditEntry(
                    self._session.actor.name, "user.disabled", user.name))
            user = users.by_id(user.id)
        vault.audit.publish_head(row)
        return user

    def change_password(self, name: str, new_password: str) -> None:
        """Rewrap one user's slot under a new password; the data is not re-encrypted.

        Anyone may change their own password; only an admin may set another's
        (which is also how a disabled user is given a way back in).
        """
        if name.casefold() != self._session.actor.name.casefold():
            self._session.require(Permission.MANAGE_USERS, subject=name)
        else:
            self._session.ensure_unlocked()
        check_password(new_password)
        vault = self._session.vault
        with vault.index() as conn:
            with transaction(conn):
                users = UserRepository(conn)
                user = self._existing(users, name)
                vault.set_user_slot(conn, user.name, new_password)
                users.set_password_changed(user.id, _now())
                if user.disabled:
                    users.set_disabled(user.id, False)
                row = vault.audit.append(conn, AuditEntry(
                    self._session.actor.name, "user.password_changed", user.name,
                    {"re-enabled": user.disabled}))
        vault.audit.publish_head(row)

    @staticmethod
    def _existing(users: UserRepository, name: str) -> UserRow:
        user = users.by_name(name)
        if user is None:
            raise UserError(f"There is no user called {name}.")
        return user


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

