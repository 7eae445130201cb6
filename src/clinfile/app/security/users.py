"""Adding, listing, disabling users, their roles and passwords, with role checks and audit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.roles import Permission, Role, parse_roles
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError, VaultLocked
from clinfile.app.vault.rotation import change_master_key
from clinfile.db.users import UserRepository, UserRow

log = logging.getLogger("clinfile.security.users")

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


def check_full_name(full_name: str) -> None:
    """Refuse a full name that would print badly on a consent form, saying which way it would.

    A character that turns the direction of text round, or an invisible
    control character, would make the printed name read as another; that is
    said as such, not as a name too long.
    """
    if not full_name.isprintable():
        raise UserError("A full name may not contain characters that change the direction of "
                        "text or other invisible control characters; type the name again "
                        "with letters, spaces and punctuation only.")
    if len(full_name) > 120:
        raise UserError("A full name needs at most 120 characters.")


def _same_full_name(one: str, other: str) -> bool:
    """Whether two full names would read as one person: letter case and spacing aside."""
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def _refuse_full_name_in_use(users: UserRepository, full_name: str, name: str) -> None:
    """Refuse a full name another user is printed as: exports, summaries and Today print only it.

    A user without a full name is printed by their login name, so that is
    the name compared for them.
    """
    holder = next((user for user in users.all() if user.name.casefold() != name.casefold()
                   and _same_full_name(user.full_name or user.name, full_name)), None)
    if holder is not None:
        raise UserError(
            f"{full_name} is already how the user {holder.name} is printed, and "
            "forms, summaries and Today print only the full name. Give a full name that tells "
            "the two apart, for example with a middle initial.")


def roles_from(roles: str | Iterable[str]) -> frozenset[Role]:
    """Read roles given as one word, a comma list or several words; refuse unknown ones."""
    try:
        return parse_roles([roles] if isinstance(roles, str) else roles)
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def new_user_problem(name: str, full_name: str, roles: Iterable[str], password: str,
                     again: str) -> str:
    """Return what stops these answers from making a user, in words, or '' when nothing does."""
    try:
        check_name(name.strip())
        if not full_name.strip():
            raise UserError("Give the person's full name, as it should be printed on forms.")
        check_full_name(full_name.strip())
        roles_from(roles)
    except UserError as exc:
        return str(exc)
    return new_password_problem(password, again)


def new_password_problem(password: str, again: str) -> str:
    """Return what stops a new password typed twice from being set, or '' when nothing does."""
    try:
        check_password(password)
    except UserError as exc:
        return str(exc)
    return "" if password == again else "The two passwords are not the same."


def refuse_a_password_while_disabled(user: UserRow) -> None:
    """Refuse to give a disabled user a password, by any way of giving one.

    A practice manager disables someone who has left or whose access must stop;
    a new password, typed or set with the recovery key, must never quietly undo
    that. Letting them back in is its own act: :meth:`UserService.enable`.
    """
    if user.disabled:
        raise UserError(f"{user.name} is disabled, so no password of theirs is set. "
                        f"Enable {user.name} first: that gives them a new password "
                        "and lets them log in again.")


class UserService:
    """User administration for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, name: str, roles: str | Iterable[str], password: str,
            full_name: str = "") -> UserRow:
        """Create a user holding ``roles`` (one or several), with their own key slot."""
        self._session.require(Permission.MANAGE_USERS, subject=name)
        check_name(name)
        full_name = full_name.strip()
        check_full_name(full_name)
        held = roles_from(roles)
        check_password(password)
        vault = self._session.vault
        with vault.audited() as work:
            users = UserRepository(work.conn)
            if users.by_name(name) is not None:
                raise UserError(f"There is already a user called {name}.")
            _refuse_full_name_in_use(users, full_name, name)
            user = users.add(name, [str(r) for r in held], clock.stamp(), full_name)
            vault.set_user_slot(work.conn, name, password, admin=Role.ADMIN in held)
            work.record(AuditEntry(
                self._session.actor.name, "user.added", name,
                {"roles": list(user.roles), "full_name": full_name}))
        return user

    def set_roles(self, name: str, roles: str | Iterable[str]) -> UserRow:
        """Give a user exactly these roles; the last admin keeps theirs.

        The key slot is untouched: roles decide what the core lets a person
        do, not whether their password opens the vault.
        """
        self._session.require(Permission.MANAGE_USERS, subject=name)
        held = roles_from(roles)
        vault = self._session.vault
        with vault.audited() as work:
            users = UserRepository(work.conn)
            user = self._existing(users, name)
            if Role.ADMIN not in held:
                self._keep_an_admin(users, user)
            users.set_roles(user.id, [str(r) for r in held])
            vault.set_seal_key_for(work.conn, user.name, admin=Role.ADMIN in held)
            user = users.by_id(user.id)
            work.record(AuditEntry(
                self._session.actor.name, "user.roles_changed", user.name,
                {"roles": list(user.roles)}))
        return user

    def set_full_name(self, name: str, full_name: str) -> UserRow:
        """Give a user the full name printed on forms, summaries and the lock screen."""
        self._session.require(Permission.MANAGE_USERS, subject=name)
        full_name = full_name.strip()
        check_full_name(full_name)
        vault = self._session.vault
        with vault.audited() as work:
            users = UserRepository(work.conn)
            user = self._existing(users, name)
            _refuse_full_name_in_use(users, full_name, user.name)
            users.set_full_name(user.id, full_name)
            user = users.by_id(user.id)
            work.record(AuditEntry(
                self._session.actor.name, "user.renamed", user.name,
                {"full_name": full_name}))
        return user

    def list(self) -> list[UserRow]:
        """Return every user."""
        self._session.require(Permission.MANAGE_USERS)
        with self._session.vault.index() as conn:
            return UserRepository(conn).all()

    def disable(self, name: str) -> UserRow:
        """Disable a user: their slot is erased and the vault's master key changed.

        Erasing the slot stops their password; changing the key stops a copy
        of the key file they may have kept from opening anything written from
        now on, and, once the background re-key (``finish_rekey``) is done,
        anything at all. Should another admin change the keys between the
        commit and this change, theirs already shuts the user out: the user
        is disabled, and this session is locked to log in again.
        """
        self._session.require(Permission.MANAGE_USERS, subject=name)
        vault = self._session.vault
        with vault.audited() as work:
            users = UserRepository(work.conn)
            user = self._existing(users, name)
            self._keep_an_admin(users, user)
            users.set_disabled(user.id, True)
            vault.disable_user_slot(work.conn, user.name)
            work.record(AuditEntry(
                self._session.actor.name, "user.disabled", user.name))
            user = users.by_id(user.id)
        try:
            change_master_key(vault, self._session.actor.name, f"{user.name} was disabled")
        except VaultLocked:
            if not vault.keys_changed_elsewhere():
                raise
            log.warning("another admin changed the keys just after a user was disabled")
        return user

    def change_password(self, name: str, new_password: str) -> None:
        """Rewrap one user's slot under a new password; the data is not re-encrypted.

        Anyone may change their own password; only an admin may set another's.
        A disabled user's password is not set: see :meth:`enable`.

        Raises:
            UserError: the user is disabled ("Enable them first").
        """
        if name.casefold() != self._session.actor.name.casefold():
            self._session.require(Permission.MANAGE_USERS, subject=name)
        else:
            self._session.ensure_unlocked()
        check_password(new_password)
        with self._session.vault.audited() as work:
            user = self._existing(UserRepository(work.conn), name)
            refuse_a_password_while_disabled(user)
            self._give_password(work, user, new_password, "user.password_changed")

    def enable(self, name: str, new_password: str) -> UserRow:
        """Let a disabled user log in again, with a new password: a choice of its own.

        A practice manager disables someone who has left or whose access must
        stop; setting a password is routine (a forgotten one) and must never
        quietly undo that. Letting them back in is therefore its own act,
        named and audited as such. It needs a new password because disabling
        erased the old one's key.
        """
        self._session.require(Permission.MANAGE_USERS, subject=name)
        check_password(new_password)
        with self._session.vault.audited() as work:
            users = UserRepository(work.conn)
            user = self._existing(users, name)
            if not user.disabled:
                raise UserError(f"{user.name} is not disabled; set their password instead.")
            users.set_disabled(user.id, False)
            self._give_password(work, user, new_password, "user.enabled")
            return users.by_id(user.id)

    def _give_password(self, work, user: UserRow, new_password: str, action: str) -> None:
        """Give ``user`` a slot under ``new_password``, note when, and audit ``action``."""
        self._session.vault.set_user_slot(work.conn, user.name, new_password,
                                          admin=str(Role.ADMIN) in user.roles)
        UserRepository(work.conn).set_password_changed(user.id, clock.stamp())
        work.record(AuditEntry(self._session.actor.name, action, user.name))

    @staticmethod
    def _keep_an_admin(users: UserRepository, user: UserRow) -> None:
        """Refuse to take the admin role from the last enabled admin (nobody could add users)."""
        last_admin = Role.ADMIN in user.roles and users.count_active_admins() <= 1
        if last_admin and not user.disabled:
            raise UserError("This is the last admin; add another admin first.")

    @staticmethod
    def _existing(users: UserRepository, name: str) -> UserRow:
        user = users.by_name(name)
        if user is None:
            raise UserError(f"There is no user called {name}.")
        return user


