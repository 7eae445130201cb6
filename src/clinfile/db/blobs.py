"""Image bytes in sharded SQLCipher blob databases, each closed at a size.

A decade of photographs should not become one giant file, and a nightly
backup should copy what changed, not the year. New blobs go to the open
shard of their year (``blobs/2026-0007.db``); once it passes
``SHARD_CLOSES_AT`` the next blob starts the next one, and a closed shard
never takes a new blob again. A size, not a month, closes them: a busy
month and a quiet one then make files of the same bounded size, so what a
nightly backup copies is the day's new bytes plus at most one open shard.
Bytes are written and read in chunks so a 200 MB file never sits whole in
memory.

Each master key has its own shards: after the key changes (epoch 2, say),
new blobs go to ``blobs/2026-0001k2.db`` under the new key, so a key that
was given up opens nothing written since. A blob's id names its shard
(``2026-0007-<hex>``), so it is read without looking through the others.
Vaults from before sizes closed shards have one shard per year and key
(``2026.db``, ``2026k2.db``) and ids naming the year only (``2026-<hex>``);
those are looked for in that year's shards, newest key first. Older shards
are re-keyed in place, one at a time, by :meth:`BlobStore.rekey`; a re-keyed
shard keeps its name and stays closed.

A blob may also be derived: recorded with its own SHA-256 and size, but
stored as byte ranges of another blob of its shard (a JPEG's clean display
copy is its original minus the metadata segments). Reading it cuts those
ranges from the other blob's chunks in memory; verifying it hashes what is
cut. Deleting a blob deletes the blobs derived from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from clinfile.db.connection import (
    BLOB_PROFILE,
    Connection,
    NotEncryptedWithThisKey,
    copy_under_new_key,
    export_copy,
    integrity_problems,
    open_encrypted,
    transaction,
)

CHUNK_SIZE = 1024 * 1024
SHARD_CLOSES_AT = 64 * 1024 * 1024
_BLOB_ID = re.compile(r"^(\d{4}(?:-\d{4}(?:k\d+)?)?)-([0-9a-f]{32})$")
_SHARD_NAME = re.compile(r"^(\d{4})(?:-(\d{4}))?(?:k(\d+))?\.db$")

_SHARD_SCHEMA = """
CREATE TABLE IF NOT EXISTS blob (
    id         TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunk (
    id      INTEGER PRIMARY KEY,
    blob_id TEXT NOT NULL REFERENCES blob(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    UNIQUE (blob_id, seq)
);
CREATE TABLE IF NOT EXISTS derived (
    blob_id   TEXT PRIMARY KEY REFERENCES blob(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL REFERENCES blob(id),
    ranges    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS derived_by_source ON derived (source_id);
"""


class BlobNotFound(KeyError):
    """No blob with that id is stored."""


class BlobCorrupted(Exception):
    """A blob's bytes no longer hash to the SHA-256 recorded when it was stored."""


@dataclass(frozen=True)
class DerivedBlob:
    """A blob to be kept as byte ranges of another blob stored with it.

    ``sha256`` and ``size`` are those of the bytes the ranges make, worked
    out by the caller from the bytes it holds; reading the blob back must
    give them, or the blob is damaged.
    """

    id: str
    source_id: str
    ranges: tuple[tuple[int, int], ...]
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredBlob:
    """What the store recorded about one blob."""

    id: str
    sha256: str
    size: int


class BlobStore:
    """Put, get, verify and delete blobs across the shards of one vault."""

    def __init__(self, folder: Path, key: bytes, *, epoch: int = 1,
                 older_keys: Sequence[bytes] = ()) -> None:
        self._folder = Path(folder)
        self._key = key
        self._epoch = epoch
        self._keys = (key, *older_keys)

    def new_id(self, when: datetime | None = None) -> str:
        """Choose the id of a blob about to be stored: its year's open shard, and a new name.

        Callers that must be able to clean up after a crash record the id
        before calling :meth:`put` with it.
        """
        return self.new_ids(1, when)[0]

    def new_ids(self, count: int, when: datetime | None = None) -> list[str]:
        """Choose the ids of blobs to be stored together, all in one shard (see :meth:`new_id`)."""
        when = when or datetime.now(UTC)
        stem = self._open_shard_stem(when.year)
        return [f"{stem}-{uuid.uuid4().hex}" for _ in range(count)]

    def _open_shard_stem(self, year: int) -> str:
        """Name the shard of this key and year that takes new blobs, opening the next when full.

        Two writers may both find a shard full and both name the next one;
        they then share it, as they would have shared the full one.
        """
        numbered = [p for p in self.shard_paths()
                    if _shard_order(p)[:2] == (year, self._epoch) and _shard_order(p)[2]]
        number = _shard_order(numbered[-1])[2] if numbered else 1
        if numbered and _size(numbered[-1]) >= SHARD_CLOSES_AT:
            number += 1
        return f"{year:04d}-{number:04d}{self._suffix}"

    @property
    def _suffix(self) -> str:
        """What a shard's name adds for a key after the first: ``k2``, ``k3``..."""
        return f"k{self._epoch}" if self._epoch > 1 else ""

    def put(self, chunks: Iterable[bytes], *, when: datetime | None = None,
            blob_id: str | None = None) -> StoredBlob:
        """Store bytes given as chunks and return the blob's id, SHA-256 and size.

        The write is one transaction with ``synchronous = FULL``: when this
        returns, the blob is committed and on disk. ``blob_id`` is one chosen
        earlier with :meth:`new_id`; a fresh one is made when omitted.
        """
        when = when or datetime.now(UTC)
        blob_id = blob_id or self.new_id(when)
        return self.put_many([(blob_id, chunks)], when=when)[0]

    def put_many(self, blobs: Sequence[tuple[str, Iterable[bytes]]], *,
                 when: datetime | None = None, derived: Sequence[DerivedBlob] = ()
                 ) -> list[StoredBlob]:
        """Store several blobs of one shard in one transaction (ids from :meth:`new_id`).

        One commit instead of several saves a connection and a round of
        fsyncs per blob; an original and its derivatives go in together.
        ``derived`` blobs are kept as ranges of blobs stored here; they are
        returned after the others.

        Raises:
            ValueError: an id is malformed, the ids name different shards,
                or a derived blob's source is not among ``blobs``.
        """
        when = when or datetime.now(UTC)
        stored_here = {blob_id for blob_id, _chunks in blobs}
        if any(d.source_id not in stored_here for d in derived):
            raise ValueError("a derived blob must be stored with its source")
        shards = set()
        for blob_id in [*stored_here, *(d.id for d in derived)]:
            match = _BLOB_ID.match(blob_id)
            if not match:
                raise ValueError(f"not a blob id: {blob_id}")
            shards.add(match[1] if _numbered(match) else f"{match[1]}{self._suffix}")
        if len(shards) != 1:
            raise ValueError("blobs stored together must share one shard")
        conn = self._open_shard(shards.pop(), create=True)
        try:
            with transaction(conn):
                stored = [_insert(conn, blob_id, chunks, when) for blob_id, chunks in blobs]
                return stored + [_insert_derived(conn, blob, when) for blob in derived]
        finally:
            conn.close()

    def put_file(self, stream: BinaryIO, *, when: datetime | None = None) -> StoredBlob:
        """Store everything readable from an open binary stream."""
        return self.put(iter(lambda: stream.read(CHUNK_SIZE), b""), when=when)

    def put_bytes(self, data: bytes, *, when: datetime | None = None,
                  blob_id: str | None = None) -> StoredBlob:
        """Store a small byte string (a thumbnail, a derivative)."""
        return self.put([data], when=when, blob_id=blob_id)

    def read(self, blob_id: str) -> Iterator[bytes]:
        """Yield a blob's bytes in chunks, in order."""
        conn = self._open_for(blob_id)
        try:
            yield from _bytes_of(conn, blob_id)
        finally:
            conn.close()

    def read_bytes(self, blob_id: str) -> bytes:
        """Return a whole blob; for small blobs such as thumbnails."""
        return b"".join(self.read(blob_id))

    def read_small_many(self, blob_ids: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
        """Yield ``(blob_id, bytes)`` for small blobs in the order asked, None for one missing.

        Opening a shard costs more than reading a thumbnail from it, so a
        run of blobs from one shard shares one connection: a patient's
        record reads its hundreds of thumbnails without opening hundreds
        of databases.
        """
        conn: Connection | None = None
        shard: Path | None = None
        try:
            for blob_id in blob_ids:
                try:
                    path = self._path_named_by(blob_id)
                except BlobNotFound:
                    yield blob_id, None
                    continue
                if path != shard:
                    if conn is not None:
                        conn.close()
                        conn = None
                    shard = path
                    try:
                        conn = self._open_path(path)
                    except (FileNotFoundError, NotEncryptedWithThisKey):
                        conn = None
                if conn is None:
                    yield blob_id, None
                    continue
                rows = conn.execute("SELECT data FROM chunk WHERE blob_id = ? ORDER BY seq",
                                    (blob_id,)).fetchall()
                if not rows and _derivation(conn, blob_id):
                    rows = [(piece,) for piece in _bytes_of(conn, blob_id)]
                yield blob_id, b"".join(r[0] for r in rows) if rows else None
        finally:
            if conn is not None:
                conn.close()

    def stat(self, blob_id: str) -> StoredBlob:
        """Return what was recorded about a blob when it was stored."""
        conn = self._open_for(blob_id)
        try:
            return _recorded(conn, blob_id)
        finally:
            conn.close()

    def verify(self, blob_id: str, expected_sha256: str | None = None) -> StoredBlob:
        """Read a blob back through a fresh connection and check its SHA-256.

        A fresh connection matters: reading on the writer's connection can be
        served from its page cache and prove nothing about what is on disk.

        Raises:
            BlobCorrupted: the bytes do not hash to what was recorded or expected.
        """
        conn = self._open_for(blob_id)
        try:
            recorded = _recorded(conn, blob_id)
            digest = hashlib.sha256()
            size = 0
            for chunk in _bytes_of(conn, blob_id):
                digest.update(chunk)
                size += len(chunk)
        finally:
            conn.close()
        expected = expected_sha256 or recorded.sha256
        if digest.hexdigest() != expected or recorded.sha256 != expected or size != recorded.size:
            raise BlobCorrupted(blob_id)
        return recorded

    def delete(self, blob_id: str) -> None:
        """Remove a blob's bytes, and the blobs derived from it, and zero the pages they occupied.

        A shard being re-keyed is replaced whole under its name; a delete
        that got its lock on the file just replaced would be lost with it,
        so it checks, under the lock, that it holds the live file.
        """
        while True:
            path, inode = self._shard_of(blob_id)
            conn = self._open_path(path)
            try:
                conn.execute("BEGIN IMMEDIATE")
                if _inode(path) != inode:
                    conn.execute("ROLLBACK")
                    continue
                for dependent in _derived_from(conn, blob_id):
                    conn.execute("DELETE FROM blob WHERE id = ?", (dependent,))
                gone = conn.execute("DELETE FROM blob WHERE id = ?", (blob_id,)).rowcount
                conn.execute("COMMIT")
                if not gone:
                    raise BlobNotFound(blob_id)
                conn.execute("PRAGMA incremental_vacuum")
                return
            finally:
                conn.close()

    def shard_paths(self) -> list[Path]:
        """Return every shard file in the vault, oldest year (and key) first."""
        if not self._folder.is_dir():
            return []
        return sorted((p for p in self._folder.glob("*.db") if _SHARD_NAME.match(p.name)),
                      key=_shard_order)

    def key_epoch(self, path: Path) -> int:
        """Which key generation a shard is under now (not the one it was made under).

        The retired keys are those of the generations just before the
        current one, newest first: a finished re-key erases them all, so
        they never skip one.

        Raises:
            NotEncryptedWithThisKey: none of the vault's keys opens it.
        """
        for age, key in enumerate(self._keys):
            try:
                open_encrypted(path, key, BLOB_PROFILE).close()
            except NotEncryptedWithThisKey:
                continue
            return self._epoch - age
        raise NotEncryptedWithThisKey(str(path))

    def export_shard(self, path: Path, dest: Path) -> int:
        """Write a consistent copy of one shard to ``dest``, under the key it is under now.

        The copy is a snapshot even while others write the shard; it is read
        back and every page authenticated before this returns. Returns the
        key generation the copy is under (see :meth:`key_epoch`).

        Raises:
            OSError: the copy did not read back whole.
        """
        epoch = self.key_epoch(path)
        key = self._keys[self._epoch - epoch]
        conn = self._open_path(path)
        try:
            export_copy(conn, dest, key, BLOB_PROFILE)
        finally:
            conn.close()
        copy = open_encrypted(dest, key, BLOB_PROFILE)
        try:
            problems = integrity_problems(copy)
        finally:
            copy.close()
        if problems:
            raise OSError(f"the copy of {path.name} did not read back whole: {problems[0]}")
        return epoch

    def shard_path_of(self, blob_id: str) -> Path:
        """The shard file holding a blob.

        Raises:
            BlobNotFound: no shard holds it.
        """
        return self._shard_of(blob_id)[0]

    def needs_rekey(self, path: Path) -> bool:
        """Whether a shard is still under an older key than the current one."""
        try:
            conn = open_encrypted(path, self._key, BLOB_PROFILE)
        except NotEncryptedWithThisKey:
            return True
        conn.close()
        return False

    def rekey(self, path: Path) -> bool:
        """Rewrite one shard under the current key; return False when it already was.

        The shard is copied under the new key beside itself, flushed, and
        renamed over the old file, so a crash leaves the old file or the new,
        whole. Writers of this shard wait meanwhile (a lock held on it);
        readers go on reading the old file until the rename.
        """
        if not self.needs_rekey(path):
            return False
        holder = self._open_path(path)
        try:
            holder.execute("BEGIN IMMEDIATE")
            reader = self._open_path(path)
            try:
                copy_under_new_key(path, reader, self._key, BLOB_PROFILE)
            finally:
                reader.close()
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return True

    def blob_ids_in(self, paths: Iterable[Path]) -> set[str]:
        """Return the id of every blob the given shards hold."""
        found: set[str] = set()
        for path in paths:
            conn = self._open_path(path)
            try:
                found.update(row[0] for row in conn.execute("SELECT id FROM blob"))
            finally:
                conn.close()
        return found

    def catalogue(self) -> dict[str, StoredBlob]:
        """Return what every shard recorded about every blob it holds, by blob id."""
        found: dict[str, StoredBlob] = {}
        for path in self.shard_paths():
            try:
                conn = self._open_path(path)
            except NotEncryptedWithThisKey:
                continue
            try:
                for row in conn.execute("SELECT id, sha256, size FROM blob"):
                    found[row[0]] = StoredBlob(*row)
            finally:
                conn.close()
        return found

    def check_shard(self, path: Path) -> list[str]:
        """Return every problem found in one shard: page HMACs, structure, blob hashes."""
        try:
            conn = self._open_path(path)
        except NotEncryptedWithThisKey:
            return [f"{path.name}: cannot be opened with this vault's key (damaged or replaced)"]
        try:
            problems = [f"{path.name}: {p}" for p in integrity_problems(conn)]
            if problems:
                return problems
            ids = [row[0] for row in conn.execute("SELECT id FROM blob ORDER BY id")]
        finally:
            conn.close()
        for blob_id in ids:
            try:
                self.verify(blob_id)
            except BlobCorrupted:
                problems.append(f"{path.name}: blob {blob_id} does not match its SHA-256")
        return problems

    def _path_named_by(self, blob_id: str) -> Path:
        """The shard a blob's id names, or for an older id the one of its year that holds it."""
        match = _BLOB_ID.match(blob_id)
        if match and _numbered(match):
            return self._folder / f"{match[1]}.db"
        return self._shard_of(blob_id)[0]

    def _open_for(self, blob_id: str) -> Connection:
        """Open the shard holding a blob: the connection that found it there."""
        return self._find(blob_id)[2]

    def _shard_of(self, blob_id: str) -> tuple[Path, int]:
        """Find the shard holding a blob; return it with the file's inode as found.

        Raises:
            BlobNotFound: no shard of the blob's year holds it.
        """
        path, inode, conn = self._find(blob_id)
        conn.close()
        return path, inode

    def _find(self, blob_id: str) -> tuple[Path, int, Connection]:
        """Find the shard holding a blob; return it, its inode as found, and it open.

        Raises:
            BlobNotFound: no shard of the blob's year holds it.
        """
        match = _BLOB_ID.match(blob_id)
        if not match:
            raise BlobNotFound(blob_id)
        year = int(match[1][:4])
        if _numbered(match):
            candidates = [self._folder / f"{match[1]}.db"]
        else:
            candidates = reversed([p for p in self.shard_paths()
                                   if _shard_order(p)[0] == year and not _shard_order(p)[2]])
        for path in candidates:
            inode = _inode(path)
            try:
                conn = self._open_path(path)
            except (FileNotFoundError, NotEncryptedWithThisKey):
                continue
            try:
                found = conn.execute("SELECT 1 FROM blob WHERE id = ?", (blob_id,)).fetchone()
            except BaseException:
                conn.close()
                raise
            if found:
                return path, inode, conn
            conn.close()
        raise BlobNotFound(blob_id)

    def _open_path(self, path: Path) -> Connection:
        """Open an existing shard with whichever of the vault's keys it is under.

        Raises:
            NotEncryptedWithThisKey: none of them opens it.
        """
        for key in self._keys:
            try:
                conn = open_encrypted(path, key, BLOB_PROFILE)
            except NotEncryptedWithThisKey:
                continue
            conn.execute("PRAGMA secure_delete = ON")
            return conn
        raise NotEncryptedWithThisKey(str(path))

    def _open_shard(self, stem: str, *, create: bool) -> Connection:
        """Open a shard under the current key; a writer makes sure its tables exist.

        Whether the file exists says nothing about its tables: another process
        may have created the file an instant ago and not yet its tables. Both
        statements do nothing once the shard is made.
        """
        path = self._folder / f"{stem}.db"
        if create:
            self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = open_encrypted(path, self._key, BLOB_PROFILE, create=create)
        if create:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.executescript(_SHARD_SCHEMA)
        conn.execute("PRAGMA secure_delete = ON")
        return conn


def _shard_order(path: Path) -> tuple[int, int, int]:
    """(year, key epoch, number) of a shard, from its name; a year's only shard is number 0."""
    match = _SHARD_NAME.match(path.name)
    return int(match[1]), int(match[3] or 1), int(match[2] or 0)


def _numbered(match: re.Match) -> bool:
    """Whether a blob id names its shard (``2026-0007-…``), not only its year (``2026-…``)."""
    return len(match[1]) > 4


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _inode(path: Path) -> int:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return -1


def _insert(conn: Connection, blob_id: str, chunks: Iterable[bytes], when: datetime
            ) -> StoredBlob:
    """Write one blob's row and chunks inside the caller's transaction."""
    digest = hashlib.sha256()
    size = 0
    conn.execute(
        "INSERT INTO blob (id, sha256, size, created_at) VALUES (?, '', 0, ?)",
        (blob_id, when.isoformat()),
    )
    for seq, chunk in enumerate(_rechunk(chunks)):
        digest.update(chunk)
        size += len(chunk)
        conn.execute(
            "INSERT INTO chunk (blob_id, seq, data) VALUES (?, ?, ?)",
            (blob_id, seq, chunk),
        )
    conn.execute(
        "UPDATE blob SET sha256 = ?, size = ? WHERE id = ?",
        (digest.hexdigest(), size, blob_id),
    )
    return StoredBlob(blob_id, digest.hexdigest(), size)


def _insert_derived(conn: Connection, blob: DerivedBlob, when: datetime) -> StoredBlob:
    """Record a derived blob inside the caller's transaction: its hash, size and ranges."""
    conn.execute("INSERT INTO blob (id, sha256, size, created_at) VALUES (?, ?, ?, ?)",
                 (blob.id, blob.sha256, blob.size, when.isoformat()))
    conn.execute("INSERT INTO derived (blob_id, source_id, ranges) VALUES (?, ?, ?)",
                 (blob.id, blob.source_id, json.dumps([list(r) for r in blob.ranges])))
    return StoredBlob(blob.id, blob.sha256, blob.size)


def _has_derived(conn: Connection) -> bool:
    """Whether the shard can hold derived blobs (shards from before them cannot)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'derived'"
                        ).fetchone() is not None


def _derivation(conn: Connection, blob_id: str) -> tuple[str, list[tuple[int, int]]] | None:
    """The blob a derived blob is cut from, and the ranges cut; None for a blob of its own."""
    if not _has_derived(conn):
        return None
    row = conn.execute("SELECT source_id, ranges FROM derived WHERE blob_id = ?",
                       (blob_id,)).fetchone()
    return None if row is None else (row[0], [tuple(r) for r in json.loads(row[1])])


def _derived_from(conn: Connection, blob_id: str) -> list[str]:
    if not _has_derived(conn):
        return []
    return [row[0] for row in conn.execute("SELECT blob_id FROM derived WHERE source_id = ?",
                                           (blob_id,))]


def _recorded(conn: Connection, blob_id: str) -> StoredBlob:
    """What was recorded about a blob when it was stored, read from its open shard."""
    row = conn.execute("SELECT id, sha256, size FROM blob WHERE id = ?", (blob_id,)).fetchone()
    if row is None:
        raise BlobNotFound(blob_id)
    return StoredBlob(*row)


def _chunks_of(conn: Connection, blob_id: str) -> Iterator[bytes]:
    seq = 0
    while True:
        row = conn.execute(
            "SELECT data FROM chunk WHERE blob_id = ? AND seq = ?", (blob_id, seq)
        ).fetchone()
        if row is None:
            return
        yield row[0]
        seq += 1


def _bytes_of(conn: Connection, blob_id: str) -> Iterator[bytes]:
    """Yield a blob's bytes in order: its chunks, or the ranges cut from its source's."""
    derivation = _derivation(conn, blob_id)
    if derivation is None:
        yield from _chunks_of(conn, blob_id)
        return
    source_id, ranges = derivation
    yield from _cut(_chunks_of(conn, source_id), ranges)


def _cut(chunks: Iterable[bytes], ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    """Yield the given ascending byte ranges of a stream given in chunks."""
    offset, at = 0, 0
    for chunk in chunks:
        end = offset + len(chunk)
        while at < len(ranges) and ranges[at][0] < end:
            start, stop = ranges[at]
            piece = chunk[max(start, offset) - offset:min(stop, end) - offset]
            if piece:
                yield piece
            if stop > end:
                break
            at += 1
        if at == len(ranges):
            return
        offset = end


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes | memoryview]:
    """Regroup arbitrary pieces into CHUNK_SIZE chunks so rows stay page-friendly.

    Whole chunks are handed on as views of the caller's bytes, not copies:
    copying every image once more cost a fifth of the write time.
    """
    pending = bytearray()
    for piece in chunks:
        view = memoryview(piece)
        if pending:
            taken = CHUNK_SIZE - len(pending)
            pending += view[:taken]
            view = view[taken:]
            if len(pending) < CHUNK_SIZE:
                continue
            yield bytes(pending)
            pending = bytearray()
        while len(view) >= CHUNK_SIZE:
            yield view[:CHUNK_SIZE]
            view = view[CHUNK_SIZE:]
        pending += view
    if pending:
        yield bytes(pending)
