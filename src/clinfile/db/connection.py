"""Opening SQLCipher databases with one set of cipher settings per kind of file.

Every connection to a given file must use identical cipher settings or SQLCipher
reports "file is not a database"; so the settings live here, once, and every
database in a vault is opened through :func:`open_encrypted`.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

KEY_BYTES = 32
PRIVATE_FILE = 0o600
SQLITE_READONLY = 8
SQLITE_FULL = 13
SQLITE_FULL_WORDS = "database or disk is full"

DatabaseError = sqlcipher3.DatabaseError
Connection = sqlcipher3.Connection


class NotEncryptedWithThisKey(Exception):
    """The file is not a database this key opens (wrong key, damaged, or not ours)."""


class UnsafeDatabaseFile(Exception):
    """The database file is linked from elsewhere, so writes could escape the vault."""


@dataclass(frozen=True)
class CipherProfile:
    """Page size and journal mode for one kind of database file.

    The index holds many small rows, so it keeps SQLCipher's 4 KiB page. Blob
    shards hold image bytes in large chunks, where 64 KiB pages write about a
    third faster and a rollback journal beat WAL for big blobs.

    Pages are authenticated with HMAC-SHA256 rather than SQLCipher's default
    SHA-512: practice PCs have SHA instructions for SHA-256 only, and it wrote
    4 MB blobs a quarter faster here with the same tamper detection.
    """

    page_size: int
    journal_mode: str = "DELETE"


INDEX_PROFILE = CipherProfile(page_size=4096)
BLOB_PROFILE = CipherProfile(page_size=65536)


def open_encrypted(path: Path, key: bytes, profile: CipherProfile, *, create: bool = False
                   ) -> Connection:
    """Open (or create) an SQLCipher database keyed with a raw 256-bit key.

    A raw key skips SQLCipher's passphrase derivation, which would otherwise
    cost about 290 ms on every open. The connection is in autocommit mode;
    callers group writes with :func:`transaction`.

    Raises:
        NotEncryptedWithThisKey: the key does not open the file.
        UnsafeDatabaseFile: the file has more than one hard link.
        FileNotFoundError: the file is missing and ``create`` is false.
    """
    if len(key) != KEY_BYTES:
        raise ValueError("an SQLCipher raw key must be 32 bytes")
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(path)
        with contextlib.suppress(FileExistsError):  # another writer made it an instant ago
            create_private_file(path)
    refuse_linked_file(path)
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute(f"PRAGMA cipher_page_size = {profile.page_size}")
        conn.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA256")
        conn.execute("PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA256")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise NotEncryptedWithThisKey(str(path)) from exc
    conn.execute(f"PRAGMA journal_mode = {profile.journal_mode}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def is_busy(error: BaseException) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    return isinstance(error, sqlcipher3.OperationalError) and "locked" in str(error)


def is_read_only(error: BaseException) -> bool:
    """Whether SQLite refused a write because the database cannot be written.

    A vault on read-only media, or a restored copy kept read-only while it is
    looked through, opens and reads as usual and refuses only at a write.
    """
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlcipher3.OperationalError) and code is not None \
        and code & 0xFF == SQLITE_READONLY


def is_disk_full(error: BaseException | None) -> bool:
    """Whether an error, or any error that led to it, means the disk is full.

    The same full disk reaches Clinfile as an ``OSError`` from a plain write
    or as SQLite's ``SQLITE_FULL``; either way it is not damage. An export
    (``sqlcipher_export``) passes its target's SQLITE_FULL on as a plain
    error carrying only SQLite's words for it.
    """
    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        if isinstance(error, sqlcipher3.DatabaseError) and str(error) == SQLITE_FULL_WORDS:
            return True
        error = error.__cause__ or error.__context__
    return False


def create_private_file(path: Path) -> None:
    """Make a new, empty file only its owner can read, whatever the folder or umask allows.

    SQLite would create a database with the process's umask (often readable
    by everyone); made first, the file keeps its 0600, and SQLite gives its
    journal the same.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE))


def refuse_linked_file(path: Path) -> None:
    """Refuse a database file with more than one hard link.

    A second link would let writes land in a place outside the vault folder
    that no backup or verification knows about.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if os.path.islink(path) or st.st_nlink > 1:
        raise UnsafeDatabaseFile(f"{path} is linked from elsewhere; refusing to open it")


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """Run a block in one transaction, committed on success and rolled back on error.

    This is the one-writer rule, and the place that keeps it. The index has
    one writer at a time: the transaction takes the database's write lock as
    it begins (``BEGIN IMMEDIATE``) and holds it to its commit, so a block
    that reads and then writes (the audit chain's next row, a claim) cannot
    be overtaken between the two. Any other writer (another thread's
    connection, a worker pool, the command line in another process) waits
    for the lock, up to the connection's ``busy_timeout``. No thread or pool
    of the application serialises writes for safety; they only order them.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def integrity_problems(conn: Connection) -> list[str]:
    """Return what SQLCipher's page HMACs and SQLite's structure check found wrong.

    The structure is only worth checking once every page authenticates; a
    damaged page makes SQLite's own check fail outright, which is reported too.
    """
    try:
        problems = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
        if not problems:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    except sqlcipher3.DatabaseError as exc:
        problems = [f"cannot be read: {exc}"]
    return problems


def export_copy(conn: Connection, dest: Path, key: bytes, profile: CipherProfile) -> None:
    """Write an encrypted, consistent copy of an open database to ``dest``.

    ``sqlcipher_export`` reads inside one transaction, so the copy is a snapshot
    even while other connections write. ``user_version`` is not exported by
    SQLCipher and is carried over by hand.
    """
    create_private_file(dest)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute(
        f"ATTACH DATABASE ? AS export_target KEY \"x'{key.hex()}'\"", (str(dest),)
    )
    try:
        conn.execute(f"PRAGMA export_target.cipher_page_size = {profile.page_size}")
        conn.execute("PRAGMA export_target.cipher_hmac_algorithm = HMAC_SHA256")
        conn.execute("PRAGMA export_target.cipher_kdf_algorithm = PBKDF2_HMAC_SHA256")
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT sqlcipher_export('export_target')")
            conn.execute(f"PRAGMA export_target.user_version = {int(version)}")
        finally:
            conn.execute("COMMIT")
    finally:
        conn.execute("DETACH DATABASE export_target")
    fsync_path(dest)


def rekey_in_place(path: Path, old_key: bytes, new_key: bytes, profile: CipherProfile) -> None:
    """Re-encrypt a database under a new key with SQLCipher's ``PRAGMA rekey``.

    Every page is rewritten in one transaction; the rollback journal keeps
    the old pages under the old key, so a crash leaves the file under the
    old key, whole, and opening it with the old key finishes the roll-back.
    Used for the index, which is small; image shards are copied instead
    (see ``db.blobs``), so readers are not held up for minutes.
    """
    conn = open_encrypted(path, old_key, profile)
    try:
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    finally:
        conn.close()
    open_encrypted(path, new_key, profile).close()


def copy_under_new_key(path: Path, conn: Connection, new_key: bytes,
                       profile: CipherProfile) -> None:
    """Replace ``path`` with a copy of its open database ``conn`` under ``new_key``.

    The copy is written beside the file and renamed over it once flushed, so
    a crash leaves the old file or the new, whole; a copy cut short is a
    leftover the vault sweeps up.
    """
    temporary = path.with_name(f".{path.name}.{os.urandom(8).hex()}.partial")
    try:
        export_copy(conn, temporary, new_key, profile)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_dir(path.parent)


def fsync_path(path: Path) -> None:
    """Flush a file and its directory entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(Path(path).parent)


def fsync_dir(directory: Path) -> None:
    """Flush a directory so that a rename or unlink inside it survives a crash."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unfinished_writes(path: Path) -> set[Path]:
    """Temporary files :func:`write_atomically` left beside ``path`` when its writer was killed.

    They hold a new version that never took the real name; the file at
    ``path`` is whole without them, so they are harmless leftovers, not damage.
    """
    path = Path(path)
    return set(path.parent.glob(f".{glob.escape(path.name)}.*.partial"))


def write_atomically(path: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old file or the new, never half.

    The temporary file is made by :mod:`tempfile` in the same folder, so each
    writer (process or thread) has its own and two writers never write into
    one another's; it is flushed to disk before it takes the real name, and
    the folder is flushed after, so the rename survives a crash. The file is
    readable by its owner only unless ``mode`` says otherwise.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.chmod(temporary, mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_dir(path.parent)
