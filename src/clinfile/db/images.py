"""Images in the vault's index, and the journal of imports under way."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class NewImage:
    """What an import records about one image before it has an id."""

    sha256: str
    original_blob: str
    derivative_blob: str
    thumbnail_blob: str
    size: int
    format: str
    source_kind: str
    source_path: str
    received_at: str
    received_by: str
    captured_at: str | None
    camera_make: str | None
    camera_model: str | None
    width: int
    height: int
    orientation: int
    had_gps: bool
    identifying_tags: tuple[str, ...]


@dataclass(frozen=True)
class ImageRow(NewImage):
    """One image in the vault, with its id and filing status."""

    id: int
    status: str


_FIELDS = (
    "sha256, original_blob, derivative_blob, thumbnail_blob, size, format, source_kind, "
    "source_path, received_at, received_by, captured_at, camera_make, camera_model, width, "
    "height, orientation, had_gps, identifying_tags"
)
_COLUMNS = f"{_FIELDS}, id, status"


class ImageRepository:
    """SQL for the ``images`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, image: NewImage) -> ImageRow:
        """Insert an unfiled image and return the stored row."""
        values = (
            image.sha256, image.original_blob, image.derivative_blob, image.thumbnail_blob,
            image.size, image.format, image.source_kind, image.source_path, image.received_at,
            image.received_by, image.captured_at, image.camera_make, image.camera_model,
            image.width, image.height, image.orientation, int(image.had_gps),
            json.dumps(list(image.identifying_tags)),
        )
        cur = self._conn.execute(
            f"INSERT INTO images ({_FIELDS}) VALUES ({', '.join('?' * len(values))})", values
        )
        return self.by_id(int(cur.lastrowid))

    def by_id(self, image_id: int) -> ImageRow:
        """Return an image by id."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM images WHERE id = ?", (image_id,))
        return _to_image(row.fetchone())

    def by_ids(self, image_ids: Iterable[int]) -> dict[int, ImageRow]:
        """Return these images by id, in one read however many there are."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM images WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(image_ids))),))
        return {image.id: image for image in map(_to_image, rows)}

    def by_sha256(self, sha256: str) -> ImageRow | None:
        """Return the image with these exact bytes, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM images WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return _to_image(row) if row else None

    def unfiled(self) -> list[ImageRow]:
        """Return the inbox: every image not yet filed, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM images WHERE status = 'unfiled' ORDER BY received_at, id"
        )
        return [_to_image(r) for r in rows]

    def inbox_written(self) -> tuple[int, ...]:
        """Numbers that move whenever the inbox changes, read at once.

        Images are only ever added, with ever higher ids, and leave the inbox
        by their status (filed, deleted, attached to a consent), never come
        back: so the newest id, how many are unfiled and the sum of their ids
        move with every import and every departure, at this workstation or
        another. Cheap enough to ask every few seconds.
        """
        return tuple(self._conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM images), count(*), coalesce(sum(id), 0) "
            "FROM images WHERE status = 'unfiled'").fetchone())

    def count(self) -> int:
        """Return how many images the vault holds."""
        return int(self._conn.execute("SELECT count(*) FROM images").fetchone()[0])


def _to_image(row: tuple) -> ImageRow:
    values = list(row)
    values[16] = bool(values[16])
    values[17] = tuple(json.loads(values[17]))
    return ImageRow(*values)


@dataclass(frozen=True)
class JournalOwner:
    """The process doing an import: its id, when it started, and on which computer.

    Every field is None for entries written before owners were recorded.
    """

    pid: int | None
    started: float | None
    host: str | None


@dataclass(frozen=True)
class JournalEntry:
    """An import under way: the blobs it is writing, where the file came from, and who."""

    id: int
    sha256: str
    source_kind: str
    source_path: str
    original_blob: str
    derivative_blob: str
    thumbnail_blob: str
    stage: str
    started_at: str
    owner: JournalOwner


_JOURNAL_COLUMNS = (
    "id, sha256, source_kind, source_path, original_blob, derivative_blob, thumbnail_blob, "
    "stage, started_at, owner_pid, owner_started, owner_host"
)


class ImportJournalRepository:
    """SQL for ``import_journal``: what to undo or finish after a crash."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def begin(self, sha256: str, source_kind: str, source_path: str, blob_ids: tuple[str, str, str],
              when: str, owner: JournalOwner) -> JournalEntry:
        """Record an import about to write its three blobs, and the process writing them."""
        cur = self._conn.execute(
            "INSERT INTO import_journal (sha256, source_kind, source_path, original_blob, "
            "derivative_blob, thumbnail_blob, stage, started_at, owner_pid, owner_started, "
            "owner_host) VALUES (?, ?, ?, ?, ?, ?, 'storing', ?, ?, ?, ?)",
            (sha256, source_kind, source_path, *blob_ids, when, owner.pid, owner.started,
             owner.host),
        )
        return self.by_id(int(cur.lastrowid))

    def by_id(self, entry_id: int) -> JournalEntry:
        """Return one entry."""
        row = self._conn.execute(
            f"SELECT {_JOURNAL_COLUMNS} FROM import_journal WHERE id = ?", (entry_id,)
        ).fetchone()
        return _to_entry(row)

    def all(self) -> list[JournalEntry]:
        """Return every unfinished import, oldest first."""
        rows = self._conn.execute(f"SELECT {_JOURNAL_COLUMNS} FROM import_journal ORDER BY id")
        return [_to_entry(r) for r in rows]

    def by_sha256(self, sha256: str) -> list[JournalEntry]:
        """Return the unfinished imports of these exact bytes, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_JOURNAL_COLUMNS} FROM import_journal WHERE sha256 = ? ORDER BY id",
            (sha256,))
        return [_to_entry(r) for r in rows]

    def hand_over(self, entry_id: int, owner: JournalOwner) -> None:
        """Make another process the owner of an entry whose own process has gone."""
        self._conn.execute(
            "UPDATE import_journal SET owner_pid = ?, owner_started = ?, owner_host = ? "
            "WHERE id = ?", (owner.pid, owner.started, owner.host, entry_id))

    def set_deleting_source(self, entry_id: int) -> None:
        """Note that the image is committed and only the source's deletion remains."""
        self._conn.execute(
            "UPDATE import_journal SET stage = 'deleting_source' WHERE id = ?", (entry_id,)
        )

    def finish(self, entry_id: int) -> None:
        """Forget a finished (or undone) import."""
        self._conn.execute("DELETE FROM import_journal WHERE id = ?", (entry_id,))


def _to_entry(row: tuple) -> JournalEntry:
    return JournalEntry(*row[:9], JournalOwner(*row[9:]))
