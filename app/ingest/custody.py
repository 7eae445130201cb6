"""Committing a staged picture to the vault, and only then letting go of its source.

The order is what makes a crash at any instant harmless:

1. a journal row names the three blobs about to be written;
2. the original (exactly as received), the derivative and the thumbnail are
   stored together in one committed transaction of their shard;
3. the original is read back through a fresh connection and its SHA-256
   compared;
4. one index transaction adds the inbox item and its audit row and moves the
   journal row to ``deleting_source`` (or removes it when the source stays);
5. the source is deleted, the folder fsynced, and the receipt audited in the
   transaction that removes the journal row.

After a crash, :meth:`Custodian.resume` undoes step 1–3 leftovers (deleting the
named blobs; the source was never touched) and finishes step 5 for items
already committed. A source whose bytes are already in the vault is a
duplicate: nothing new is stored, and the source is released under the same
rule as a fresh import, which is also how a re-run after a crash between 4
and 5 ends up with the file in the vault exactly once and gone from its source.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.ingest.decode import Decoded
from app.ingest.events import SourceKind
from app.ingest.safety.open import (
    SourceChanged,
    SourceState,
    StagedFile,
    remove_beneath,
    stage,
)
from app.security.audit import AuditEntry
from app.vault.errors import VaultLocked
from app.vault.vault import Vault
from db.blobs import BlobNotFound, BlobStore
from db.connection import Connection, transaction
from db.images import ImageRepository, ImageRow, ImportJournalRepository, JournalEntry, NewImage
from db.quarantine import QuarantineRepository, QuarantineRow

ALREADY_GONE = "The file had already gone from its source."
DEVICE_REFUSED = ("The device did not allow the picture to be deleted; it is safely in the "
                  "vault, so delete it on the device by hand.")


@dataclass(frozen=True)
class Candidate:
    """A file offered for import.

    Attributes:
        path: the file.
        root: the folder it must stay beneath (a drop folder, a device's DCIM
            folder, or the folder given by hand).
        kind: what kind of source this is.
        delete_source: whether to delete the source once the vault copy is verified.
    """

    path: Path
    root: Path
    kind: SourceKind
    delete_source: bool


@dataclass(frozen=True)
class Committed:
    """An inbox item just added, and the journal row still open for its source."""

    image: ImageRow
    journal_id: int | None


@dataclass(frozen=True)
class Release:
    """What became of a source after its picture was safe in the vault."""

    deleted: bool
    reason: str = ""


class Custodian:
    """The one writer of an import: vault blobs, inbox rows, quarantine, receipts.

    Used as a context manager, it keeps one index connection for the thread
    that entered it (opening one per step costs more than the step); used
    bare, each step opens its own.
    """

    def __init__(self, vault: Vault, actor: str) -> None:
        self._vault = vault
        self._actor = actor
        self._held: contextlib.ExitStack | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> Custodian:
        self._held = contextlib.ExitStack()
        self._conn = self._held.enter_context(self._vault.index())
        return self

    def __exit__(self, *exc_info: object) -> None:
        held, self._held, self._conn = self._held, None, None
        if held is not None:
            held.close()

    @contextlib.contextmanager
    def _index(self) -> Iterator[Connection]:
        if self._vault.locked:
            raise VaultLocked()
        if self._conn is not None:
            yield self._conn
            return
        with self._vault.index() as conn:
            yield conn

    # --- before decoding ---------------------------------------------------------

    def existing(self, sha256: str) -> ImageRow | None:
        """Return the inbox or filed item with exactly these bytes, if any."""
        with self._index() as conn:
            return ImageRepository(conn).by_sha256(sha256)

    def quarantined_unchanged(self, path: Path, state: SourceState) -> QuarantineRow | None:
        """Return the quarantine record of a file refused before and not changed since."""
        with self._index() as conn:
            row = QuarantineRepository(conn).by_path(str(path))
        if row is not None and (row.size, row.mtime_ns) == (state.size, state.mtime_ns):
            return row
        return None

    # --- outcomes -----------------------------------------------------------------

    def quarantine(self, path: Path, reason: str, state: SourceState) -> QuarantineRow:
        """Record a refused file and audit it; the file itself is not touched."""
        vault = self._vault
        with self._index() as conn:
            with transaction(conn):
                row = QuarantineRepository(conn).put(str(path), reason, state.size,
                                                     state.mtime_ns, _now())
                audit = vault.audit.append(conn, AuditEntry(
                    self._actor, "image.quarantined", str(path),
                    {"reason": reason, "size": state.size}))
        vault.audit.publish_head(audit)
        return row

    def commit(self, candidate: Candidate, staged: StagedFile, decoded: Decoded) -> Committed:
        """Store the original and its derivatives, verify, and add the inbox item.

        Raises:
            BlobCorrupted: the read-back did not match (nothing is committed to
                the index; the journal row lets the next start clean up).
        """
        vault, store = self._vault, self._vault.blobs
        when = datetime.now(UTC)
        blob_ids = (BlobStore.new_id(when), BlobStore.new_id(when), BlobStore.new_id(when))
        with self._index() as conn:
            with transaction(conn):
                entry = ImportJournalRepository(conn).begin(
                    staged.sha256, str(candidate.kind), str(candidate.path), blob_ids, _now())
        store.put_many(list(zip(blob_ids, ([staged.data], [decoded.derivatives.display],
                                           [decoded.derivatives.thumbnail]), strict=True)),
                       when=when)
        store.verify(blob_ids[0], staged.sha256)
        image = self._new_image(candidate, staged, decoded, blob_ids)
        with self._index() as conn:
            with transaction(conn):
                row = ImageRepository(conn).add(image)
                QuarantineRepository(conn).remove(str(candidate.path))
                journal = ImportJournalRepository(conn)
                if candidate.delete_source:
                    journal.set_deleting_source(entry.id)
                else:
                    journal.finish(entry.id)
                audit = vault.audit.append(conn, AuditEntry(
                    self._actor, "image.imported", f"image {row.id}",
                    {"sha256": row.sha256, "source": row.source_path,
                     "source_kind": row.source_kind, "format": row.format, "size": row.size}))
        vault.audit.publish_head(audit)
        return Committed(row, entry.id if candidate.delete_source else None)

    def release(self, candidate: Candidate, staged: StagedFile, image: ImageRow,
                journal_id: int | None = None) -> Release:
        """Delete the source of a committed (or duplicate) picture, with a receipt.

        Deleting is safe only because the vault's copy of these exact bytes
        was read back and matched; for a duplicate the existing copy is
        verified again first.
        """
        if not candidate.delete_source:
            return Release(False)
        try:
            remove_beneath(candidate.root, staged)
        except FileNotFoundError:
            outcome = Release(True, ALREADY_GONE)
        except SourceChanged:
            outcome = Release(False, "The file was changed after it was read; it was kept.")
        except OSError:
            outcome = Release(False, DEVICE_REFUSED)
        else:
            outcome = Release(True)
        self._receipt(str(candidate.path), image, outcome, journal_id, str(candidate.kind))
        return outcome

    def duplicate(self, candidate: Candidate, staged: StagedFile, image: ImageRow) -> Release:
        """Report a picture the vault already holds, and release its source by the same rule."""
        self._vault.blobs.verify(image.original_blob, image.sha256)
        vault = self._vault
        with self._index() as conn:
            with transaction(conn):
                QuarantineRepository(conn).remove(str(candidate.path))
                audit = vault.audit.append(conn, AuditEntry(
                    self._actor, "image.duplicate", f"image {image.id}",
                    {"sha256": image.sha256, "source": str(candidate.path),
                     "source_kind": str(candidate.kind)}))
        vault.audit.publish_head(audit)
        return self.release(candidate, staged, image)

    # --- after a crash --------------------------------------------------------------

    def resume(self) -> list[tuple[Path, str]]:
        """Undo or finish every import a crash interrupted; return what was done."""
        with self._index() as conn:
            entries = ImportJournalRepository(conn).all()
        return [(Path(e.source_path), self._resume_one(e)) for e in entries]

    def _resume_one(self, entry: JournalEntry) -> str:
        if entry.stage == "storing":
            for blob_id in (entry.original_blob, entry.derivative_blob, entry.thumbnail_blob):
                try:
                    self._vault.blobs.delete(blob_id)
                except BlobNotFound:
                    pass
            with self._index() as conn:
                with transaction(conn):
                    ImportJournalRepository(conn).finish(entry.id)
                    audit = self._vault.audit.append(conn, AuditEntry(
                        self._actor, "import.undone", entry.source_path,
                        {"sha256": entry.sha256, "why": "interrupted before it was committed"}))
            self._vault.audit.publish_head(audit)
            return "undone; the file stays at its source"
        with self._index() as conn:
            image = ImageRepository(conn).by_sha256(entry.sha256)
        path = Path(entry.source_path)
        outcome = self._delete_if_same(path, entry.sha256)
        self._receipt(entry.source_path, image, outcome, entry.id, entry.source_kind)
        return "source deleted" if outcome.deleted else f"source kept: {outcome.reason}"

    def _delete_if_same(self, path: Path, sha256: str) -> Release:
        try:
            staged = stage(path.parent, path, max_bytes=2 ** 62)
        except FileNotFoundError:
            return Release(True, ALREADY_GONE)
        except Exception:  # noqa: BLE001 - anything odd about the file: leave it be
            return Release(False, "The file at the source is not the one imported; it was kept.")
        if staged.sha256 != sha256:
            return Release(False, "The file at the source is not the one imported; it was kept.")
        try:
            remove_beneath(path.parent, staged)
        except FileNotFoundError:
            return Release(True, ALREADY_GONE)
        except OSError:
            return Release(False, DEVICE_REFUSED)
        return Release(True)

    # --- helpers --------------------------------------------------------------------

    def _receipt(self, source: str, image: ImageRow | None, outcome: Release,
                 entry_id: int | None, kind: str) -> None:
        vault = self._vault
        if outcome.reason == ALREADY_GONE:
            action = "source.gone"
        else:
            action = "source.deleted" if outcome.deleted else "source.kept"
        detail = {"source": source, "source_kind": kind,
                  "sha256": image.sha256 if image else None,
                  "image": image.id if image else None}
        if outcome.reason:
            detail["note"] = outcome.reason
        with self._index() as conn:
            with transaction(conn):
                if entry_id is not None:
                    ImportJournalRepository(conn).finish(entry_id)
                audit = vault.audit.append(conn, AuditEntry(self._actor, action, source, detail))
        vault.audit.publish_head(audit)

    def _new_image(self, candidate: Candidate, staged: StagedFile, decoded: Decoded,
                   blob_ids: tuple[str, str, str]) -> NewImage:
        facts, derived = decoded.facts, decoded.derivatives
        return NewImage(
            sha256=staged.sha256, original_blob=blob_ids[0], derivative_blob=blob_ids[1],
            thumbnail_blob=blob_ids[2], size=staged.size, format=decoded.format,
            source_kind=str(candidate.kind), source_path=str(candidate.path),
            received_at=_now(), received_by=self._actor, captured_at=facts.captured_at,
            camera_make=facts.camera_make, camera_model=facts.camera_model,
            width=derived.width, height=derived.height, orientation=facts.orientation,
            had_gps=facts.had_gps, identifying_tags=facts.identifying_tags,
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")

