"""Watching the drop folder and offering each file once it has finished arriving.

watchdog reports a file as soon as it is created, long before an email client
or a copy has finished writing it, so a file is offered only once stable:
its size and ``mtime_ns`` unchanged across two checks ``stable_seconds``
apart. When the operating system reports that the writer closed the file
(inotify's close-after-write), the write is known to be over and a short
settle check is enough; so it is for a file renamed in whose own structure
proves it whole while no process holds it open for writing, whether it was
renamed within the folder or from elsewhere on the same file system (inotify
says so with a move into the folder that no move out of it matches, which
watchdog reports only when asked for its full events). A file some
process still holds open for writing is not offered until it is let go; one
the import found incomplete is offered again when it changes, or when a
writer closes it, even unchanged. A full
rescan at start-up picks up what arrived while nobody watched, and a slow
periodic rescan covers events the OS dropped (an inotify overflow only
logs). Where inotify cannot be used (a network path, no watches left) a
polling observer takes over; it stops for good if the folder vanishes, so it
is re-armed when the folder comes back.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.safety.complete import (
    ABANDONED_AFTER_SECONDS,
    WHOLE_SETTLE_SECONDS,
    proves_whole,
)
from clinfile.app.ingest.safety.writers import open_for_writing
from clinfile.app.ingest.sources import walk_files

log = logging.getLogger("clinfile.ingest.drop_folder")

RESCAN_SECONDS = 60.0


@dataclass
class _Sighting:
    size: int
    mtime_ns: int
    checked: float
    closed: bool = False
    renamed: bool = False


@dataclass(frozen=True, order=True)
class Settled:
    """A file that stopped changing, and whether its writer was seen closing it."""

    path: Path
    closed: bool


class StabilityTracker:
    """Decides when a file has stopped changing."""

    def __init__(self, stable_seconds: float, clock: Callable[[], float] = time.monotonic,
                 whole: Callable[[Path], bool] = lambda path: False) -> None:
        self._stable = stable_seconds
        self._clock = clock
        self._whole = whole
        self._seen: dict[Path, _Sighting] = {}
        self._lock = threading.Lock()

    def note(self, path: Path, *, closed: bool = False, renamed: bool = False) -> None:
        """Note that a file was created, changed, closed or renamed in; the clock starts again.

        A file renamed in settles as quickly as a closed one when ``whole``
        proves it complete; otherwise it waits the full interval.
        """
        with self._lock:
            st = _stat(path)
            if st is None:
                self._seen.pop(path, None)
                return
            self._seen[path] = _Sighting(st[0], st[1], self._clock(), closed, renamed)

    def forget(self, path: Path) -> None:
        """Stop tracking a file (moved away or deleted)."""
        with self._lock:
            self._seen.pop(path, None)

    def stable(self) -> list[Settled]:
        """Return the files now stable, and stop tracking them."""
        ready = []
        now = self._clock()
        with self._lock:
            for path, seen in list(self._seen.items()):
                quick = seen.closed or seen.renamed
                if now - seen.checked < (WHOLE_SETTLE_SECONDS if quick else self._stable):
                    continue
                st = _stat(path)
                if st is None:
                    del self._seen[path]
                elif st != (seen.size, seen.mtime_ns):
                    self._seen[path] = _Sighting(st[0], st[1], now)
                elif seen.renamed and not seen.closed and not self._whole(path):
                    seen.renamed = False  # not proved whole: the full interval, as for any file
                else:
                    del self._seen[path]
                    ready.append(Settled(path, seen.closed))
        return sorted(ready)

    def tracking(self) -> int:
        """How many files are still settling."""
        with self._lock:
            return len(self._seen)


class _Handler(FileSystemEventHandler):
    def __init__(self, tracker: StabilityTracker) -> None:
        self._tracker = tracker

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        kind = event.event_type
        if kind in ("created", "modified", "closed"):
            self._tracker.note(Path(os.fsdecode(event.src_path)), closed=kind == "closed")
        elif kind == "moved":
            if event.src_path:
                self._tracker.forget(Path(os.fsdecode(event.src_path)))
            if event.dest_path:
                self._tracker.note(Path(os.fsdecode(event.dest_path)), renamed=True)
        elif kind == "deleted":
            self._tracker.forget(Path(os.fsdecode(event.src_path)))


class DropFolderWatcher:
    """Calls ``offer(path)`` for each file in the folder once it is stable.

    ``polling`` chooses the polling observer from the start (for network
    folders, where inotify sees no changes made by other machines); without
    it, polling is the fallback when inotify cannot watch.

    Call :meth:`poll` regularly (every tenth of a second suits); it re-arms
    the observer when needed, rescans now and then, and offers what settled.
    A path already offered is offered again only after it changes, or once
    when it has lain unchanged past the time the import gives a cut-short
    file up for lost: offered while its rest might still come, it was left
    where it is, and without that one more offer it would lie there unseen
    for good; offered again, the import refuses it to the quarantine, where
    the receptionist reads that it arrived cut short and is to be sent again.
    The file stays in place, and a complete copy saved over it is taken.
    """

    def __init__(self, folder: Path, offer: Callable[[Path], None], stable_seconds: float, *,
                 polling: bool = False, clock: Callable[[], float] = time.monotonic,
                 max_bytes: int = IngestLimits.max_bytes) -> None:
        self.folder = Path(folder)
        self._offer = offer
        self._clock = clock
        self._tracker = StabilityTracker(
            stable_seconds, clock, lambda path: proves_whole(self.folder, path, max_bytes))
        self._polling = polling
        self._observer: BaseObserver | None = None
        self._last_rescan = 0.0
        self._offered: dict[Path, tuple[int, int]] = {}
        self._offered_at: dict[Path, float] = {}

    @property
    def uses_polling(self) -> bool:
        """Whether the folder is watched by polling rather than by OS events."""
        return isinstance(self._observer, PollingObserver)

    def start(self) -> None:
        """Start watching and take in what is already there."""
        self._arm()
        self.rescan()

    def stop(self) -> None:
        """Stop watching; nothing is in progress here to leave half-done."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def poll(self) -> None:
        """Re-arm if needed, rescan when due, and offer files that have settled."""
        if self._observer is None or not self._observer.is_alive():
            if self.folder.is_dir():
                self._arm()
                self.rescan()
        elif self._clock() - self._last_rescan >= RESCAN_SECONDS:
            self.rescan()
        for settled in self._tracker.stable():
            path, state = settled.path, _stat(settled.path)
            if state is None or (self._offered.get(path) == state and not settled.closed
                                 and not self._lost_since_offered(path, state)):
                continue
            if _held_for_writing(path):
                self._tracker.note(path)
                continue
            self._offered[path] = state
            self._offered_at[path] = time.time()
            self._offer(path)

    def rescan(self) -> None:
        """Note every file in the folder, as if each had just arrived."""
        self._last_rescan = self._clock()
        if not self.folder.is_dir():
            return
        for path in walk_files(self.folder):
            state = _stat(path)
            if self._offered.get(path) != state or (
                    state is not None and self._lost_since_offered(path, state)):
                self._tracker.note(path)
        self._offered = {p: s for p, s in self._offered.items() if _stat(p) == s}
        self._offered_at = {p: t for p, t in self._offered_at.items() if p in self._offered}

    def _lost_since_offered(self, path: Path, state: tuple[int, int]) -> bool:
        """Whether a file offered before it could be given up for lost has lain unchanged since."""
        lost_at = state[1] / 1e9 + ABANDONED_AFTER_SECONDS
        return self._offered_at.get(path, lost_at) < lost_at <= time.time()

    def settling(self) -> int:
        """How many files are waiting to become stable."""
        return self._tracker.tracking()

    def _arm(self) -> None:
        self.stop()
        if not self.folder.is_dir():
            return
        handler = _Handler(self._tracker)
        if not self._polling:
            try:
                observer = _native_observer()
                observer.schedule(handler, str(self.folder), recursive=True)
                observer.start()
                self._observer = observer
                return
            except OSError as exc:
                log.warning("watching %s by polling: %s", self.folder, exc)
        observer = PollingObserver(timeout=1)
        observer.schedule(handler, str(self.folder), recursive=True)
        observer.start()
        self._observer = observer


def _native_observer() -> BaseObserver:
    """The operating system's own observer; on Linux, one that reports moves in from elsewhere.

    watchdog's plain inotify observer reports a file moved in from outside
    the folder as created, as if written here, so it would wait the whole
    stability interval; asked for its full events it reports the move, with
    no source, and the file is treated as renamed in.
    """
    if sys.platform.startswith("linux"):
        from watchdog.observers.inotify import InotifyObserver

        return InotifyObserver(generate_full_events=True)
    return Observer()


def _held_for_writing(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return bool(open_for_writing(path, st.st_dev, st.st_ino))


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
