import os

import pytest

from clinfile.db.connection import INDEX_PROFILE, open_encrypted
from clinfile.db.schema import (
    Migration,
    MigrationFailed,
    NewerVaultError,
    _apply,
    bundled_migrations,
    current_version,
    migrate,
)


@pytest.fixture
def conn(tmp_path):
    connection = open_encrypted(tmp_path / "index.db", os.urandom(32), INDEX_PROFILE, create=True)
    yield connection
    connection.close()


def test_bundled_migrations_are_numbered_without_gaps():
    versions = [m.version for m in bundled_migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_fresh_index_reaches_the_latest_version_without_a_copy(conn):
    copies = []
    assert migrate(conn, before_upgrade=copies.append) == len(bundled_migrations())
    assert copies == []


def test_upgrade_takes_a_copy_first_and_applies_each_step(conn):
    steps = [Migration(1, "one", "CREATE TABLE a (x);"), Migration(2, "two", "CREATE TABLE b (y);")]
    migrate(conn, migrations=steps[:1])
    copies = []
    assert migrate(conn, migrations=steps, before_upgrade=copies.append) == 2
    assert copies == [1]


def test_a_failing_step_leaves_nothing_of_itself(conn):
    steps = [Migration(1, "one", "CREATE TABLE a (x);"),
             Migration(2, "bad", "CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);")]
    with pytest.raises(MigrationFailed):
        migrate(conn, migrations=steps)
    assert current_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "b" not in tables and "a" in tables


def test_a_newer_vault_is_refused_with_a_clear_message(conn):
    conn.execute("PRAGMA user_version = 999")
    with pytest.raises(NewerVaultError, match="newer version of Clinfile"):
        migrate(conn)


def test_roles_move_to_their_own_table_and_each_user_keeps_theirs(conn):
    before_roles = [m for m in bundled_migrations() if m.version < 6]
    migrate(conn, migrations=before_roles)
    conn.execute("INSERT INTO users (name, role, created_at, password_changed_at) "
                 "VALUES ('gp', 'clinician', 't', 't'), ('mgr', 'admin', 't', 't')")
    migrate(conn)

    from clinfile.db.users import UserRepository

    users = {u.name: u for u in UserRepository(conn).all()}
    assert users["gp"].roles == ("clinician",) and users["mgr"].roles == ("admin",)
    assert users["gp"].full_name == ""



def test_a_step_another_process_applied_meanwhile_is_taken_as_done(conn):
    step = Migration(1, "one", "CREATE TABLE a (x);")
    migrate(conn, migrations=[step])
    # A second process that read version 0 an instant before the first applied
    # the step goes on to apply it too, and fails on the table already there.
    _apply(conn, step)
    assert current_version(conn) == 1
