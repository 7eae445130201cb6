"""Practice settings stored in the index as JSON values."""

from __future__ import annotations

import json
from typing import Any

from clinfile.db.connection import Connection


class SettingsRepository:
    """SQL for the ``settings`` key-value table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def all(self) -> dict[str, Any]:
        """Return every stored setting."""
        return {k: json.loads(v) for k, v in self._conn.execute("SELECT key, value FROM settings")}

    def put(self, key: str, value: Any) -> None:
        """Store one setting."""
        self._conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )


class MetaRepository:
    """SQL for ``vault_meta``: the vault's identity and bookkeeping."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, key: str) -> str | None:
        """Return one value, or None."""
        row = self._conn.execute("SELECT value FROM vault_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        """Store one value."""
        self._conn.execute(
            "INSERT INTO vault_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
