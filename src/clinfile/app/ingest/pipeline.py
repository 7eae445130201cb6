"""The import pipeline: files in, events out, cancellable between files.

Three threads share the work so that none waits on another's slow step:

- the caller's thread runs :meth:`ImportPipeline.events`, a generator that
  yields what happened and a :class:`Progress` heartbeat whenever nothing
  else has been said for ``heartbeat_seconds``;
- a dispatcher stages each file (safe open, read into memory while hashing,
  sniff, prove it complete), skips duplicates early, claims each new picture
  for this import (a file another running import has claimed is tried again
  later, by when it is usually in the vault), and keeps the decode worker
  processes busy;
- a writer commits, verifies, releases sources and records quarantine, one
  file at a time, so the dispatcher and the decoders never wait on the
  disk. The dispatcher's claims are writes too: the index lets one writer
  in at a time (:func:`clinfile.db.connection.transaction`), whichever
  thread or process it is.

Nothing is done twice: the bytes read while hashing are the bytes decoded
and the bytes stored.
"""

from __future__ import annotations

import collections
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from clinfile.app import clock
from clinfile.app.ingest import events as ev
from clinfile.app.ingest import refusal
from clinfile.app.ingest.custody import Candidate, Custodian, Release
from clinfile.app.ingest.decode import DecodeRefused
from clinfile.app.ingest.decode_workers import DecodeResult, DecoderPool
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.receipt import WENT_AWAY, WENT_AWAY_BEFORE_DELETING, disk_full
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.complete import Incomplete, prove_complete
from clinfile.app.ingest.safety.open import SourceChanged, SourceState, StagedFile
from clinfile.app.ingest.sniff import sniff
from clinfile.app.vault.errors import VaultLocked
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import is_disk_full
from clinfile.db.images import ImageRow, JournalEntry

log = logging.getLogger("clinfile.ingest.pipeline")

NOT_STORED = ("The vault could not store this picture safely; it was left where it is. "
              "Check the vault (clinfile verify) and try again.")
NOT_READ = "Clinfile could not read this file; it was left where it is."


STORED_ELSEWHERE = ("Another import was taking in the same picture and had not finished after "
                    "a minute; this import left the file to it.")

# A file another running import has claimed is tried again this often, for
# this long (a large original takes seconds on a busy computer).
RETRY_SECONDS = 0.2
PATIENCE_SECONDS = 60.0
CHANGED_WHILE_READING = "The file changed while it was being read; it will be tried again."
MOVED = ("The file was moved, renamed or deleted before it could be read, so it is not in "
         "the vault; import it again from where it is now.")
MOVED_AFTER = ("The picture is safe in the vault, but the file had been moved, renamed or "
               "deleted before Clinfile could delete it; delete it by hand wherever it is now.")
# Another import may take a picture, then delete its source a while later; a file
# found gone is checked against what imports took from this long before this one began.
TAKING_SECONDS = 60.0

_END = object()
_LATER = object()


@dataclass(frozen=True)
class _Refuse:
    candidate: Candidate
    reason: str
    state: SourceState
    known: bool = False


@dataclass(frozen=True)
class _Claimed:
    candidate: Candidate
    staged: StagedFile
    claim: JournalEntry


@dataclass(frozen=True)
class _Decoded:
    """A file ready for the writer: decoded under this import's claim, or already in the vault."""

    candidate: Candidate
    staged: StagedFile
    result: DecodeResult | None
    claim: JournalEntry | None


class _Waiting:
    """Files another running import has claimed, each tried again in turn until patience ends."""

    def __init__(self) -> None:
        self._deadlines: dict[Candidate, float] = {}
        self._queue: collections.deque[tuple[float, Candidate]] = collections.deque()

    def __bool__(self) -> bool:
        return bool(self._queue)

    def add(self, candidate: Candidate) -> bool:
        """Queue a file to be tried again shortly; False once it has waited too long."""
        now = time.monotonic()
        if now > self._deadlines.setdefault(candidate, now + PATIENCE_SECONDS):
            self.settled(candidate)
            return False
        self._queue.append((now + RETRY_SECONDS, candidate))
        return True

    def due(self) -> Candidate | None:
        """Return the file whose turn to be tried again has come, if any."""
        if self._queue and self._queue[0][0] <= time.monotonic():
            return self._queue.popleft()[1]
        return None

    def settled(self, candidate: Candidate) -> None:
        """Forget a file that no longer waits."""
        self._deadlines.pop(candidate, None)


class ImportPipeline:
    """One run of the pipeline over files submitted to it."""

    def __init__(self, vault: Vault, actor: str, limits: IngestLimits | None = None, *,
                 cancel: ev.CancelToken | None = None,
                 keep_alive: Callable[[], None] | None = None) -> None:
        self._vault = vault
        self._actor = actor
        self._limits = limits or IngestLimits()
        self.cancel = cancel or ev.CancelToken()
        self._keep_alive = keep_alive or (lambda: None)
        self._input: queue.Queue = queue.Queue()
        self._work: queue.Queue = queue.Queue(maxsize=2)
        self._events: queue.Queue = queue.Queue()
        self._submitted = 0
        self._closed = False
        self._in_flight = 0
        self._counts = {"done": 0, "imported": 0, "duplicates": 0, "refused": 0, "left": 0}
        self._claims: set[int] = set()
        self._began = clock.stamp(clock.now() - timedelta(seconds=TAKING_SECONDS))
        self._lock = threading.Lock()
        self._writer = threading.Thread(target=self._write, name="ingest-write", daemon=True)

    # --- feeding ------------------------------------------------------------------

    def submit(self, candidate: Candidate) -> None:
        """Offer one file; safe to call from any thread while the pipeline runs."""
        with self._lock:
            self._submitted += 1
        self._input.put(candidate)

    def close(self) -> None:
        """Say that no more files will be submitted; the run ends when these are done."""
        self._closed = True
        self._input.put(_END)

    # --- running ------------------------------------------------------------------

    def events(self) -> Iterator[ev.Event]:
        """Run the pipeline, yielding events until every file is done or it is cancelled.

        The last two events are always a final :class:`Progress` (so a progress
        bar ends full) and :class:`Finished`.
        """
        threads = [threading.Thread(target=self._dispatch, name="ingest-dispatch", daemon=True),
                   self._writer]
        for thread in threads:
            thread.start()
        try:
            while True:
                try:
                    event = self._events.get(timeout=self._limits.heartbeat_seconds)
                except queue.Empty:
                    yield self._progress()
                    continue
                if event is _END:
                    break
                yield event
        finally:
            if threads[1].is_alive():
                self.cancel.cancel()
                self._input.put(_END)
            for thread in threads:
                thread.join()
            self._let_go_of_unstored_claims()
        counts = self._counts
        yield self._progress()
        yield ev.Finished(counts["imported"], counts["duplicates"], counts["refused"],
                          self.cancel.cancelled, counts["left"])

    def _let_go_of_unstored_claims(self) -> None:
        """Let go of the claims on files this run took on but did not store (it was stopped).

        Left in place, they would make other imports of those pictures wait.
        A locked vault keeps them until this process ends, when the next
        start recovers them.
        """
        if not self._claims or self._vault.locked:
            return
        try:
            Custodian(self._vault, self._actor).let_go(sorted(self._claims))
        except Exception:
            log.exception("claims on pictures not stored could not be undone")

    def _progress(self) -> ev.Progress:
        return ev.Progress(self._counts["done"], self._submitted if self._closed else None,
                           self._in_flight)

    def _emit(self, event: ev.Event) -> None:
        self._events.put(event)

    # --- dispatcher thread --------------------------------------------------------

    def _dispatch(self) -> None:
        tasks: dict[int, _Claimed] = {}
        waiting = _Waiting()
        numbers = itertools.count()
        more = True
        try:
            with DecoderPool(self._limits) as pool, Custodian(self._vault,
                                                              self._actor) as custodian:
                while not self.cancel.cancelled and (more or tasks or waiting):
                    while pool.idle() and not self.cancel.cancelled:
                        candidate = waiting.due()
                        if candidate is None and more:
                            try:
                                candidate = self._input.get(
                                    timeout=0 if tasks or waiting else 0.05)
                            except queue.Empty:
                                break
                            if candidate is _END:
                                more = False
                                break
                            with self._lock:
                                self._in_flight += 1
                        if candidate is None:
                            break
                        claimed = self._start(candidate, custodian, waiting)
                        if claimed is not None:
                            number = next(numbers)
                            tasks[number] = claimed
                            data = claimed.staged.data
                            pool.submit(number, sniff(data[:64]).pillow_format, data)
                    if not tasks and waiting:
                        self.cancel.wait(RETRY_SECONDS / 4)
                    for number, result in pool.collect(0.05 if tasks else 0):
                        claimed = tasks.pop(number)
                        self._hand_over(_Decoded(claimed.candidate, claimed.staged, result,
                                                 claimed.claim))
        except Exception:
            log.exception("the import dispatcher stopped")
            self.cancel.cancel()
        finally:
            self._tell_writer_to_end()

    def _start(self, candidate: Candidate, custodian: Custodian, waiting: _Waiting
               ) -> _Claimed | None:
        """Prepare one file; return it if it is this import's to decode, else send it on.

        A file another running import has claimed waits its turn to be tried
        again; anything else goes to the writer.
        """
        prepared = self._prepare_safely(candidate, custodian)
        if prepared is _LATER:
            if not waiting.add(candidate):
                self._finish_one(ev.SourceKept(candidate.path, STORED_ELSEWHERE), "left")
            return None
        waiting.settled(candidate)
        if isinstance(prepared, _Claimed):
            with self._lock:
                self._claims.add(prepared.claim.id)
            return prepared
        if prepared is not None:
            self._hand_over(prepared)
        return None

    def _tell_writer_to_end(self) -> None:
        """Queue the end marker, unless the writer has already stopped on its own."""
        while True:
            try:
                self._work.put(_END, timeout=0.1)
                return
            except queue.Full:
                if not self._writer.is_alive():
                    return

    def _hand_over(self, item: object) -> None:
        while not self.cancel.cancelled:
            try:
                self._work.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _prepare_safely(self, candidate: Candidate, custodian: Custodian) -> object:
        """Stage one file; anything unexpected costs that file, not the import."""
        try:
            return self._prepare(candidate, custodian)
        except VaultLocked:
            raise
        except Exception as exc:
            log.exception("a file could not be read for import")
            why = WENT_AWAY if _device_gone(candidate) else self._not_taken(exc, NOT_READ)
            self._finish_one(ev.SourceKept(candidate.path, why), "left")
            return None

    def _prepare(self, candidate: Candidate, custodian: Custodian) -> object:
        """Stage and claim one file; return it claimed, or the writer's instruction instead.

        Returns ``_LATER`` while another running import has claimed the same
        picture, and None when the file needs nothing more.
        """
        state = candidate.state()
        known = custodian.quarantined_unchanged(candidate.path, state)
        if known is not None:
            return _Refuse(candidate, known.reason, state, known=True)
        try:
            staged = candidate.stage(self._limits.max_bytes)
        except Refused as exc:
            return _Refuse(candidate, exc.reason, state)
        except SourceChanged:
            self._finish_one(ev.SourceKept(candidate.path, CHANGED_WHILE_READING), "left")
            return None
        except FileNotFoundError:
            self._gone(candidate, custodian)
            return None
        found = sniff(staged.data[:64])
        if found.pillow_format is None:
            reason = (refusal.unsupported_picture(found.unsupported_picture)
                      if found.unsupported_picture else refusal.not_a_picture(found.looks_like))
            return _Refuse(candidate, reason, state)
        # A watched drop folder offers a file only once it has settled.
        # A photo stored on a camera reached through its driver is complete.
        awaits = candidate.kind is not ev.SourceKind.DROP_FOLDER and (
            candidate.device is None or candidate.device.settles)
        settle = self._limits.stable_seconds if awaits else 0.0
        try:
            prove_complete(staged, found.pillow_format, settle_seconds=settle)
        except Incomplete as exc:
            self._finish_one(ev.SourceKept(candidate.path, exc.reason), "left")
            return None
        except Refused as exc:
            return _Refuse(candidate, exc.reason, state)
        except FileNotFoundError:
            self._gone(candidate, custodian)
            return None
        claim = custodian.claim(candidate, staged.sha256)
        if claim is None:
            return _LATER
        if isinstance(claim, ImageRow):
            return _Decoded(candidate, staged, None, None)
        return _Claimed(candidate, staged, claim)

    def _gone(self, candidate: Candidate, custodian: Custodian) -> None:
        """Say that a file vanished before it was read, unless another import took it in.

        The import that took it says so itself; anything else moved it away,
        or unplugged the device it was on.
        """
        if _device_gone(candidate):
            self._finish_one(ev.SourceKept(candidate.path, WENT_AWAY), "left")
        elif custodian.taken_by_another(candidate.path, self._began):
            self._finish_one(None)
        else:
            self._finish_one(ev.SourceKept(candidate.path, MOVED), "left")

    def _finish_one(self, event: ev.Event | None, count: str | None = None) -> None:
        with self._lock:
            self._counts["done"] += 1
            self._in_flight -= 1
            if count:
                self._counts[count] += 1
        if event is not None:
            self._emit(event)

    # --- writer thread --------------------------------------------------------------

    def _write(self) -> None:
        try:
            with Custodian(self._vault, self._actor) as custodian:
                for path, outcome in custodian.resume():
                    self._emit(ev.Resumed(path, outcome))
                while (item := self._work.get()) is not _END:
                    if not self.cancel.cancelled:
                        self._keep_alive()
                        self._write_one(custodian, item)
        except VaultLocked:
            self.cancel.cancel()
        except Exception:
            log.exception("the import writer stopped")
            self.cancel.cancel()
        finally:
            self._emit(_END)

    def _write_one(self, custodian: Custodian, item: object) -> None:
        if isinstance(item, _Refuse):
            if not item.known:
                custodian.quarantine(item.candidate.path, item.reason, item.state)
            self._finish_one(ev.Quarantined(item.candidate.path, item.reason), "refused")
            return
        assert isinstance(item, _Decoded)
        candidate, staged, result = item.candidate, item.staged, item.result
        if isinstance(result, DecodeRefused):
            state = SourceState(staged.size, staged.mtime_ns)
            custodian.quarantine(candidate.path, result.reason, state)
            custodian.let_go([item.claim.id])
            self._settled(item.claim)
            self._finish_one(ev.Quarantined(candidate.path, result.reason), "refused")
            return
        existing = None if item.claim else custodian.existing(staged.sha256)
        if item.claim is None and existing is None:
            self._finish_one(ev.SourceKept(candidate.path, NOT_STORED), "left")
            return
        try:
            image, journal_id, counted = self._take_in(custodian, item, existing)
        except VaultLocked:
            raise
        except Exception as exc:
            log.exception("a picture could not be stored")
            self._finish_one(ev.SourceKept(candidate.path, self._not_taken(exc, NOT_STORED)),
                             "left")
            return
        try:
            release = custodian.release(candidate, staged, image, journal_id)
        except VaultLocked:
            raise
        except Exception:
            # The picture is in the vault and was reported so; its journal row
            # stays, and the next start after this process ends finishes the job.
            log.exception("the source of a stored picture could not be released")
            release = Release(False)
        if not release.deleted and candidate.delete_source and _device_gone(candidate):
            release = Release(False, WENT_AWAY_BEFORE_DELETING)
        elif release.gone and not custodian.deleted_by_another(candidate.path, self._began):
            release = Release(False, MOVED_AFTER)
        self._finish_one(_release_event(candidate.path, release), counted)

    def _take_in(self, custodian: Custodian, item: _Decoded, existing: ImageRow | None
                 ) -> tuple[ImageRow, int | None, str]:
        """Commit a picture under this import's claim, or match it to the vault's copy.

        Returns the vault's item, the journal row left open for its source,
        and what to count it as.
        """
        candidate = item.candidate
        if item.claim is not None:
            try:
                committed = custodian.commit(candidate, item.staged, item.result, item.claim)
            finally:
                self._settled(item.claim)
            self._emit(ev.Imported(committed.image.id, committed.image.sha256, candidate.path))
            return committed.image, committed.journal_id, "imported"
        custodian.duplicate(candidate, existing)
        self._emit(ev.Duplicate(existing.id, existing.sha256, candidate.path))
        return existing, None, "duplicates"

    def _not_taken(self, error: Exception, otherwise: str) -> str:
        """Why a file was left where it is: a full disk said as such, else ``otherwise``."""
        return disk_full(self._vault.layout.root) if is_disk_full(error) else otherwise

    def _settled(self, claim: JournalEntry) -> None:
        """Forget a claim that was committed, or undone where it stood."""
        with self._lock:
            self._claims.discard(claim.id)


def _device_gone(candidate: Candidate) -> bool:
    """Whether the phone or camera a file was on has gone (unplugged, or stopped answering)."""
    if candidate.kind is not ev.SourceKind.DEVICE:
        return False
    if candidate.device is not None:
        return not candidate.device.present()
    try:
        return not candidate.root.is_dir()
    except OSError:
        return True


def _release_event(path: Path, release: Release) -> ev.Event | None:
    """What to tell the person about a source; nothing when another import took it first."""
    if release.deleted:
        return ev.SourceDeleted(path)
    if release.reason:
        return ev.SourceKept(path, release.reason)
    return None
