"""Numbered schema migrations, each applied in one transaction.

The schema version lives in ``PRAGMA user_version``. Before an existing index
is migrated, the caller is asked to take an encrypted copy of it, so a failed
or regretted upgrade can always be undone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from clinfile.db.connection import Connection

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class NewerVaultError(Exception):
    """The vault was written by a newer Clinfile than this one."""


class MigrationFailed(Exception):
    """A migration failed; the index was left at the version it had before."""


@dataclass(frozen=True)
class Migration:
    """One numbered step of the schema."""

    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """Return the migrations shipped in ``clinfile/db/migrations``, in order."""
    found = []
    for entry in resources.files("clinfile.db.migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {expected:04d} is missing")
    return found


def current_version(conn: Connection) -> int:
    """Return the schema version recorded in the database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def latest_version(migrations: Sequence[Migration] | None = None) -> int:
    """Return the version a fully migrated index has."""
    migrations = bundled_migrations() if migrations is None else migrations
    return migrations[-1].version if migrations else 0


def migrate(
    conn: Connection,
    *,
    migrations: Sequence[Migration] | None = None,
    before_upgrade: Callable[[int], None] | None = None,
) -> int:
    """Bring the index up to the latest schema and return its version.

    Args:
        conn: an open connection in autocommit mode.
        migrations: the steps to apply; the bundled ones when omitted.
        before_upgrade: called with the current version before the first step
            when an existing (non-empty) index is about to change, so the
            caller can take its encrypted copy.

    Raises:
        NewerVaultError: the index is newer than every known migration.
        MigrationFailed: a step failed; nothing of that step remains.
    """
    migrations = bundled_migrations() if migrations is None else migrations
    version = current_version(conn)
    newest = latest_version(migrations)
    if version > newest:
        raise NewerVaultError(
            f"This vault was made by a newer version of Clinfile (schema {version}; "
            f"this version knows up to {newest}). Update Clinfile to open it."
        )
    pending = [m for m in migrations if m.version > version]
    if pending and version > 0 and before_upgrade is not None:
        before_upgrade(version)
    for migration in pending:
        _apply(conn, migration)
    return current_version(conn)


def _apply(conn: Connection, migration: Migration) -> None:
    """Apply one step in one transaction.

    Two processes opening a vault at once may both see the step pending; the
    one that comes second fails on what the first made and, finding the
    version already reached, has nothing left to do.
    """
    script = (
        "BEGIN IMMEDIATE;\n"
        f"{migration.sql}\n"
        f";PRAGMA user_version = {migration.version};\n"
        "COMMIT;"
    )
    try:
        conn.executescript(script)
    except Exception as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if current_version(conn) >= migration.version:
            return
        raise MigrationFailed(
            f"schema step {migration.version:04d} ({migration.name}) failed: {exc}"
        ) from exc
