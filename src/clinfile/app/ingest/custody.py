"""Committing a staged picture to the vault, and only then letting go of its source.

The order is what makes a crash at any instant harmless:

1. a journal row claims the picture's bytes for this import, naming the
   process and the three blobs it will write (this is done before the file
   is decoded);
2. the original (exactly as received), the derivative and the thumbnail are
   stored together in one committed transaction of their shard;
3. the original is read back through a fresh connection and its SHA-256
   compared;
4. one index transaction adds the inbox item and its audit row and moves the
   journal row to ``deleting_source`` (or removes it when the source stays);
5. the source is deleted, the folder fsynced, and the receipt audited in the
   transaction that removes the journal row.

Several processes and threads may run imports into one vault at once. The
claim of step 1 is written only if the vault neither holds those bytes nor
has another import claiming them, so two imports of one folder never both
decode or store a picture: the second tries the file again later and finds
it in the vault.

After a crash, :meth:`Custodian.resume` takes over the journal rows whose
process has gone, and only those: a row of a process still running is its
work in progress. It undoes step 1–3 leftovers (deleting the named blobs; the
source was never touched) and finishes step 5 for items already committed. A
source whose bytes are already in the vault is a duplicate: nothing new is
stored, and the source is released under the same rule as a fresh import,
which is also how a re-run after a crash between 4 and 5 ends up with the file
in the vault exactly once and gone from its source.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditedWork, AuditEntry
from clinfile.app.escaping import recorded
from clinfile.app.ingest.decode import Decoded
from clinfile.app.ingest.derivatives import cut
from clinfile.app.ingest.device_sources import DeviceSource
from clinfile.app.ingest.events import SourceKind
from clinfile.app.ingest.owners import has_gone, this_process
from clinfile.app.ingest.safety.open import (
    SourceChanged,
    SourceState,
    StagedFile,
    remove_beneath,
    source_state,
    stage,
)
from clinfile.app.vault.errors import VaultLocked
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository
from clinfile.db.blobs import BlobNotFound, DerivedBlob
from clinfile.db.connection import Connection, transaction
from clinfile.db.images import (
    ImageRepository,
    ImageRow,
    ImportJournalRepository,
    JournalEntry,
    NewImage,
)
from clinfile.db.quarantine import QuarantineRepository, QuarantineRow

ALREADY_GONE = "The file had already gone from its source."
DEVICE_REFUSED = ("The device did not allow the picture to be deleted; it is safely in the "
                  "vault, so delete it on the device by hand.")
NOT_THE_ONE = "The file at the source is not the one imported; it was kept."
NOT_IN_VAULT = "The vault does not hold this photo, so it was kept on the phone."
NOT_READ_AGAIN = "Clinfile could not read the photo again to check it, so it was kept."


@dataclass(frozen=True)
class Candidate:
    """A file offered for import.

    Attributes:
        path: the file.
        root: the folder it must stay beneath (a drop folder, a device's DCIM
            folder, or the folder given by hand).
        kind: what kind of source this is.
        delete_source: whether to delete the source once the vault copy is verified.
        device: the phone or camera it is on, which reads and deletes it
            (None: a file on this computer's disks).
    """

    path: Path
    root: Path
    kind: SourceKind
    delete_source: bool
    device: DeviceSource | None = None

    def stage(self, max_bytes: int) -> StagedFile:
        """Read the file into memory while hashing it, from its device or beneath its root."""
        if self.device is not None:
            return self.device.stage(self.path, max_bytes)
        return stage(self.root, self.path, max_bytes)

    def state(self) -> SourceState:
        """The file's size and modification time now."""
        return self.device.state(self.path) if self.device else source_state(self.path)

    def remove(self, staged: StagedFile) -> None:
        """Delete the file that was read, only if it is still that very file."""
        if self.device is not None:
            self.device.remove(staged)
        else:
            remove_beneath(self.root, staged)


@dataclass(frozen=True)
class Committed:
    """An inbox item just added, and the journal row still open for its source."""

    image: ImageRow
    journal_id: int | None


@dataclass(frozen=True)
class Release:
    """What became of a source after its picture was safe in the vault.

    Attributes:
        deleted: this import deleted it.
        reason: why it was kept, when it was (empty when the import was asked
            to keep it).
        gone: it had already gone (another import took it, or someone moved it).
    """

    deleted: bool
    reason: str = ""
    gone: bool = False


class Custodian:
    """The one writer of an import: vault blobs, inbox rows, quarantine, receipts.

    Used as a context manager, it keeps one index connection for the thread
    that entered it (opening one per step costs more than the step); used
    bare, each step opens its own.
    """

    def __init__(self, vault: Vault, actor: str) -> None:
        self._vault = vault
        self._actor = actor
        self._owner = this_process()
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

    @contextlib.contextmanager
    def _audited(self) -> Iterator[AuditedWork]:
        """One audited unit of work on this import's connection.

        The act and its audit rows commit together. A head file that cannot
        be written after the commit (a full disk) is logged, not raised, so
        that a picture safe in the vault is never reported as not stored; the
        next write moves the head on.
        """
        with self._index() as conn, self._vault.audited(conn, head_failure_logged=True) as work:
            yield work

    # --- before decoding ---------------------------------------------------------

    def existing(self, sha256: str) -> ImageRow | None:
        """Return the inbox or filed item with exactly these bytes, if any."""
        with self._index() as conn:
            return ImageRepository(conn).by_sha256(sha256)

    def quarantined_unchanged(self, path: Path, state: SourceState) -> QuarantineRow | None:
        """Return the quarantine record of a file refused before and not changed since."""
        with self._index() as conn:
            row = QuarantineRepository(conn).by_path(recorded(path))
        if row is not None and (row.size, row.mtime_ns) == (state.size, state.mtime_ns):
            return row
        return None

    def taken_by_another(self, path: Path, since: str) -> bool:
        """Whether another import took in the file at ``path`` at or after ``since``.

        Imports of one folder at once list the same files; the one that takes
        a file deletes it and the others find it gone. The taking is audited
        before the deletion, so a file found gone that no import took was
        moved, renamed or deleted by someone else.
        """
        source = recorded(path)
        with self._index() as conn:
            rows = AuditRepository(conn).of_actions_since(
                since, ("image.imported", "image.duplicate"))
            return any(json.loads(row.detail).get("source") == source for row in rows)

    def deleted_by_another(self, path: Path, since: str) -> bool:
        """Whether another import deleted the file at ``path`` at or after ``since``.

        An import marks its journal row before it deletes a source and audits
        the receipt after, so between the two one of them is always there.
        """
        source = recorded(path)
        with self._index() as conn:
            deleting = [entry for entry in ImportJournalRepository(conn).all()
                        if entry.source_path == source and entry.stage == "deleting_source"]
            receipts = AuditRepository(conn).of_actions_since(since, ("source.deleted",))
            return bool(deleting) or any(row.subject == source for row in receipts)

    # --- outcomes -----------------------------------------------------------------

    def quarantine(self, path: Path, reason: str, state: SourceState) -> QuarantineRow:
        """Record a refused file and audit it; the file itself is not touched."""
        with self._audited() as work:
            row = QuarantineRepository(work.conn).put(recorded(path), reason, state.size,
                                                      state.mtime_ns, clock.stamp())
            work.record(AuditEntry(
                self._actor, "image.quarantined", recorded(path),
                {"reason": reason, "size": state.size}))
        return row

    def claim(self, candidate: Candidate, sha256: str) -> JournalEntry | ImageRow | None:
        """Claim a picture's bytes for this import before any work is spent on them.

        Two imports of one picture (the same folder taken twice at once, or
        the same photo in two folders) must not both store it, nor both
        decode it. Returns the journal row that is this import's claim (step
        1); the vault's item when it already holds these bytes; or None while
        another running import holds the claim, to be asked again later. A
        claim whose process has gone is recovered first.
        """
        when = clock.now()
        blob_ids = tuple(self._vault.blobs.new_ids(3, when))
        for _attempt in range(2):
            with self._index() as conn:
                with transaction(conn):
                    existing = ImageRepository(conn).by_sha256(sha256)
                    journal = ImportJournalRepository(conn)
                    others = [] if existing else journal.by_sha256(sha256)
                    if existing is None and not others:
                        return journal.begin(sha256, str(candidate.kind), recorded(candidate.path),
                                             blob_ids, clock.stamp(), self._owner)
            if existing is not None:
                return existing
            if not any(has_gone(entry.owner) for entry in others):
                return None
            self.resume()
        return None

    def commit(self, candidate: Candidate, staged: StagedFile, decoded: Decoded,
               claim: JournalEntry) -> Committed:
        """Store the original and its derivatives under this import's claim, verify, add the item.

        Raises:
            BlobCorrupted: the read-back did not match (nothing of this import
                is left in the vault, its claim included).
        """
        try:
            row = self._store(candidate, staged, decoded, claim)
        except BaseException:
            self._undo(claim, "the vault could not store it")
            raise
        return Committed(row, claim.id if candidate.delete_source else None)

    def let_go(self, claim_ids: Iterable[int]) -> None:
        """Forget claims on which nothing was stored: the file was refused, or the import stopped.

        A claim given to :meth:`commit` is never let go: the commit either
        stores the picture or undoes its own blobs.
        """
        with self._index() as conn:
            with transaction(conn):
                journal = ImportJournalRepository(conn)
                for claim_id in claim_ids:
                    journal.finish(claim_id)

    def _store(self, candidate: Candidate, staged: StagedFile, decoded: Decoded,
               entry: JournalEntry) -> ImageRow:
        """Steps 2–4: the blobs, their read-back, then the inbox item in one transaction."""
        store = self._vault.blobs
        blob_ids = (entry.original_blob, entry.derivative_blob, entry.thumbnail_blob)
        stored, derived = _stored_and_derived(entry, staged, decoded)
        store.put_many(stored, derived=derived)
        store.verify(entry.original_blob, staged.sha256)
        image = self._new_image(candidate, staged, decoded, blob_ids)
        with self._audited() as work:
            row = ImageRepository(work.conn).add(image)
            QuarantineRepository(work.conn).remove(recorded(candidate.path))
            journal = ImportJournalRepository(work.conn)
            if candidate.delete_source:
                journal.set_deleting_source(entry.id)
            else:
                journal.finish(entry.id)
            work.record(AuditEntry(
                self._actor, "image.imported", f"image {row.id}",
                {"sha256": row.sha256, "source": row.source_path,
                 "source_kind": row.source_kind, "format": row.format, "size": row.size}))
        return row

    def release(self, candidate: Candidate, staged: StagedFile, image: ImageRow,
                journal_id: int | None = None) -> Release:
        """Delete the source of a committed (or duplicate) picture, with a receipt.

        Deleting is safe only because the vault's copy of these exact bytes
        was read back and matched; for a duplicate, :meth:`duplicate` verified
        the existing copy again first.
        """
        if not candidate.delete_source:
            return Release(False)
        try:
            candidate.remove(staged)
        except FileNotFoundError:
            outcome = Release(False, gone=True)
        except SourceChanged:
            outcome = Release(False, "The file was changed after it was read; it was kept.")
        except OSError:
            outcome = Release(False, DEVICE_REFUSED)
        else:
            outcome = Release(True)
        self._receipt(recorded(candidate.path), image, outcome, journal_id, str(candidate.kind))
        return outcome

    def duplicate(self, candidate: Candidate, image: ImageRow) -> None:
        """Verify and audit the vault's copy of a picture offered again.

        Its source is then released by the same rule as a fresh import's.
        """
        self._vault.blobs.verify(image.original_blob, image.sha256)
        with self._audited() as work:
            QuarantineRepository(work.conn).remove(recorded(candidate.path))
            work.record(AuditEntry(
                self._actor, "image.duplicate", f"image {image.id}",
                {"sha256": image.sha256, "source": recorded(candidate.path),
                 "source_kind": str(candidate.kind)}))

    def release_if_in_vault(self, candidate: Candidate) -> Release:
        """Delete a file only if the vault holds its exact bytes, read back and matched now.

        For photos left on a phone by an import that was stopped or cut
        short: the person asks for the ones already safe to go.
        """
        path = candidate.path
        try:
            staged = candidate.stage(2 ** 62)
        except FileNotFoundError:
            return Release(False, gone=True)
        except Exception:  # noqa: BLE001 - anything odd about the file: leave it be
            return Release(False, NOT_READ_AGAIN)
        with self._index() as conn:
            image = ImageRepository(conn).by_sha256(staged.sha256)
        if image is None:
            return Release(False, NOT_IN_VAULT)
        self._vault.blobs.verify(image.original_blob, image.sha256)
        try:
            candidate.remove(staged)
        except FileNotFoundError:
            outcome = Release(False, gone=True)
        except SourceChanged:
            outcome = Release(False, "The file was changed after it was read; it was kept.")
        except OSError:
            outcome = Release(False, DEVICE_REFUSED)
        else:
            outcome = Release(True)
        self._receipt(recorded(path), image, outcome, None, str(candidate.kind))
        return outcome

    # --- after a crash --------------------------------------------------------------

    def resume(self) -> list[tuple[Path, str]]:
        """Undo or finish every import whose process has gone; return what was done.

        The rows are handed over to this process in one transaction first, so
        that two imports starting at once never both recover the same row,
        and a row whose recovery is itself cut short is taken over again by
        the next start. Rows of running processes, this one's included, are
        their imports in progress and are left alone.
        """
        with self._index() as conn:
            with transaction(conn):
                journal = ImportJournalRepository(conn)
                orphans = [entry for entry in journal.all() if has_gone(entry.owner)]
                for entry in orphans:
                    journal.hand_over(entry.id, self._owner)
        return [(Path(entry.source_path), self._resume_one(entry)) for entry in orphans]

    def _resume_one(self, entry: JournalEntry) -> str:
        if entry.stage == "storing":
            self._undo(entry, "interrupted before it was committed")
            return "undone; the file stays at its source"
        with self._index() as conn:
            image = ImageRepository(conn).by_sha256(entry.sha256)
        outcome = self._delete_if_same(Path(entry.source_path), entry.sha256)
        self._receipt(entry.source_path, image, outcome, entry.id, entry.source_kind)
        if outcome.deleted:
            return "source deleted"
        if outcome.gone:
            return "the source had already gone"
        return f"source kept: {outcome.reason}"

    def _undo(self, entry: JournalEntry, why: str) -> None:
        """Delete the blobs of an import that never reached the inbox, and forget it.

        No image row names these blobs (step 4 had not happened), and the
        source was never touched.
        """
        for blob_id in (entry.original_blob, entry.derivative_blob, entry.thumbnail_blob):
            try:
                self._vault.blobs.delete(blob_id)
            except BlobNotFound:
                pass
        with self._audited() as work:
            ImportJournalRepository(work.conn).finish(entry.id)
            work.record(AuditEntry(
                self._actor, "import.undone", entry.source_path,
                {"sha256": entry.sha256, "why": why}))

    def _delete_if_same(self, path: Path, sha256: str) -> Release:
        try:
            staged = stage(path.parent, path, max_bytes=2 ** 62)
        except FileNotFoundError:
            return Release(False, gone=True)
        except Exception:  # noqa: BLE001 - anything odd about the file: leave it be
            return Release(False, NOT_THE_ONE)
        if staged.sha256 != sha256:
            return Release(False, NOT_THE_ONE)
        try:
            remove_beneath(path.parent, staged)
        except FileNotFoundError:
            return Release(False, gone=True)
        except OSError:
            return Release(False, DEVICE_REFUSED)
        return Release(True)

    # --- helpers --------------------------------------------------------------------

    def _receipt(self, source: str, image: ImageRow | None, outcome: Release,
                 entry_id: int | None, kind: str) -> None:
        if outcome.gone:
            action, note = "source.gone", ALREADY_GONE
        else:
            action = "source.deleted" if outcome.deleted else "source.kept"
            note = outcome.reason
        detail = {"source": source, "source_kind": kind,
                  "sha256": image.sha256 if image else None,
                  "image": image.id if image else None}
        if note:
            detail["note"] = note
        with self._audited() as work:
            if entry_id is not None:
                ImportJournalRepository(work.conn).finish(entry_id)
            work.record(AuditEntry(self._actor, action, source, detail))

    def _new_image(self, candidate: Candidate, staged: StagedFile, decoded: Decoded,
                   blob_ids: tuple[str, str, str]) -> NewImage:
        facts, derived = decoded.facts, decoded.derivatives
        return NewImage(
            sha256=staged.sha256, original_blob=blob_ids[0], derivative_blob=blob_ids[1],
            thumbnail_blob=blob_ids[2], size=staged.size, format=decoded.format,
            source_kind=str(candidate.kind), source_path=recorded(candidate.path),
            received_at=clock.stamp(), received_by=self._actor, captured_at=facts.captured_at,
            camera_make=facts.camera_make, camera_model=facts.camera_model,
            width=derived.width, height=derived.height, orientation=facts.orientation,
            had_gps=facts.had_gps, identifying_tags=facts.identifying_tags,
        )


def _stored_and_derived(entry: JournalEntry, staged: StagedFile, decoded: Decoded
                        ) -> tuple[list[tuple[str, list[bytes]]], list[DerivedBlob]]:
    """The blobs of one picture as the store takes them: a clean copy cut from the original.

    A JPEG's clean copy that is the original with its metadata cut out is
    not stored again; the store keeps where it lies in the original. That
    holds only when cutting the very bytes stored gives the very copy made.
    """
    made = decoded.derivatives
    ranges = made.display_ranges
    stored = [(entry.original_blob, [staged.data]), (entry.thumbnail_blob, [made.thumbnail])]
    if ranges is None or cut(staged.data, ranges) != made.display:
        return [*stored, (entry.derivative_blob, [made.display])], []
    return stored, [DerivedBlob(entry.derivative_blob, entry.original_blob, ranges,
                                hashlib.sha256(made.display).hexdigest(), len(made.display))]
