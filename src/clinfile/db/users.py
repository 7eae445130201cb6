"""Users of the vault, and the roles each holds, as rows of the index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class UserRow:
    """One person who may unlock the vault.

    Attributes:
        roles: the role words the person holds, sorted (one or several).
        full_name: the name printed on forms; empty for users added before it was asked.
    """

    id: int
    name: str
    full_name: str
    roles: tuple[str, ...]
    disabled: bool
    created_at: str
    password_changed_at: str


_COLUMNS = ("id, name, full_name, "
            "(SELECT group_concat(role) FROM user_roles WHERE user_id = users.id), "
            "disabled, created_at, password_changed_at")


class UserRepository:
    """SQL for the ``users`` and ``user_roles`` tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, name: str, roles: Iterable[str], when: str, full_name: str = "") -> UserRow:
        """Insert a user holding ``roles`` and return the stored row."""
        cur = self._conn.execute(
            "INSERT INTO users (name, full_name, created_at, password_changed_at) "
            "VALUES (?, ?, ?, ?)",
            (name, full_name, when, when),
        )
        user_id = int(cur.lastrowid)
        self.set_roles(user_id, roles)
        return self.by_id(user_id)

    def by_id(self, user_id: int) -> UserRow:
        """Return a user by id."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return _to_user(row.fetchone())

    def by_name(self, name: str) -> UserRow | None:
        """Return a user by name, ignoring case, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM users WHERE name = ? COLLATE NOCASE", (name,)
        ).fetchone()
        return _to_user(row) if row else None

    def all(self) -> list[UserRow]:
        """Return every user, by name."""
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name COLLATE NOCASE")
        return [_to_user(r) for r in rows]

    def set_roles(self, user_id: int, roles: Iterable[str]) -> None:
        """Replace the roles a user holds."""
        self._conn.execute("DELETE FROM user_roles WHERE user_id = ?", (user_id,))
        self._conn.executemany("INSERT INTO user_roles (user_id, role) VALUES (?, ?)",
                               [(user_id, role) for role in sorted(set(roles))])

    def set_full_name(self, user_id: int, full_name: str) -> None:
        """Replace the name printed for a user."""
        self._conn.execute("UPDATE users SET full_name = ? WHERE id = ?", (full_name, user_id))

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        """Mark a user disabled or enabled."""
        self._conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))

    def set_password_changed(self, user_id: int, when: str) -> None:
        """Record when the user's key slot was last rewrapped."""
        self._conn.execute(
            "UPDATE users SET password_changed_at = ? WHERE id = ?", (when, user_id)
        )

    def count_active_admins(self) -> int:
        """Return how many enabled users hold the admin role."""
        return int(
            self._conn.execute(
                "SELECT count(*) FROM users JOIN user_roles ON user_roles.user_id = users.id "
                "WHERE user_roles.role = 'admin' AND users.disabled = 0"
            ).fetchone()[0]
        )


def _to_user(row: tuple) -> UserRow:
    roles = tuple(sorted(row[3].split(","))) if row[3] else ()
    return UserRow(row[0], row[1], row[2], roles, bool(row[4]), row[5], row[6])
