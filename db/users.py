"""Users of the vault as rows of the index."""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Connection


@dataclass(frozen=True)
class UserRow:
    """One person who may unlock the vault."""

    id: int
    name: str
    role: str
    disabled: bool
    created_at: str
    password_changed_at: str


_COLUMNS = "id, name, role, disabled, created_at, password_changed_at"


class UserRepository:
    """SQL for the ``users`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, name: str, role: str, when: str) -> UserRow:
        """Insert a user and return the stored row."""
        cur = self._conn.execute(
            "INSERT INTO users (name, role, created_at, password_changed_at) VALUES (?, ?, ?, ?)",
            (name, role, when, when),
        )
        return self.by_id(int(cur.lastrowid))

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

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        """Mark a user disabled or enabled."""
        self._conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))

    def set_password_changed(self, user_id: int, when: str) -> None:
        """Record when the user's key slot was last rewrapped."""
        self._conn.execute(
            "UPDATE users SET password_changed_at = ? WHERE id = ?", (when, user_id)
        )

    def count_active_admins(self) -> int:
        """Return how many enabled admins remain."""
        return int(
            self._conn.execute(
                "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"
            ).fetchone()[0]
        )


def _to_user(row: tuple) -> UserRow:
    return UserRow(row[0], row[1], row[2], bool(row[3]), row[4], row[5])
