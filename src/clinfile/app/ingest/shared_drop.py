"""Several workstations watching one shared drop folder, each file taken by exactly one.

A workstation takes a settled file by renaming it into its own claim
folder inside the drop folder (``.clinfile-claims/<workstation>/<claim>/``,
so on the same share): a rename is atomic, so when two workstations race
for a file one rename succeeds and the other finds it gone. The file keeps
its name, which the import reads for hints about the patient.

Each claim folder carries a heartbeat its workstation touches while it
watches. A workstation that crashed stops beating; once its heartbeat is
older than the timeout, any workstation still watching takes its claimed
files over by the same atomic rename, and its empty folder is removed.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("clinfile.ingest.shared_drop")

CLAIMS = ".clinfile-claims"
HEARTBEAT = ".alive"
DEFAULT_TIMEOUT_SECONDS = 600.0
BEAT_SECONDS = 5.0


def this_workstation() -> str:
    """A claim folder name for this process: the computer's name and the process id."""
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())
    return f"{host or 'workstation'}-{os.getpid()}"


@dataclass(frozen=True)
class SharedDrop:
    """How this workstation shares a drop folder: its claim folder's name and the timeout."""

    workstation: str
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def claims(self, drop: Path) -> ClaimFolder:
        """This workstation's claims in a drop folder."""
        return ClaimFolder(drop, self.workstation, timeout=self.timeout)


class ClaimFolder:
    """One workstation's claims in a shared drop folder."""

    def __init__(self, drop: Path, workstation: str, *,
                 timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.drop = Path(drop)
        self.claims = self.drop / CLAIMS
        self.own = self.claims / workstation
        self._timeout = timeout
        self._clock = clock
        self._last_beat = 0.0

    def open(self) -> None:
        """Make this workstation's claim folder and start its heartbeat."""
        self.own.mkdir(parents=True, exist_ok=True)
        self.beat(force=True)

    def close(self) -> None:
        """Remove this workstation's claim folder if nothing is left in it."""
        self.tidy()
        (self.own / HEARTBEAT).unlink(missing_ok=True)
        _remove_if_empty(self.own)

    def beat(self, *, force: bool = False) -> None:
        """Touch the heartbeat now and then, so others know this workstation is alive."""
        now = self._clock()
        if force or now - self._last_beat >= BEAT_SECONDS:
            (self.own / HEARTBEAT).touch()
            os.utime(self.own / HEARTBEAT, (now, now))
            self._last_beat = now

    def is_claimed(self, path: Path) -> bool:
        """Whether a path lies in some workstation's claim folder."""
        return self.claims in Path(path).parents

    def claim(self, path: Path) -> Path | None:
        """Take a file for this workstation; None when another took it first (or it is a claim).

        Raises:
            OSError: the share refused the rename for another reason (full,
                read-only); the file stays in the drop folder.
        """
        if self.is_claimed(path):
            return None
        return self._take(Path(path))

    def recover(self) -> Iterator[Path]:
        """Take over the files of workstations whose heartbeat stopped over the timeout ago."""
        if not self.claims.is_dir():
            return
        for other in sorted(self.claims.iterdir()):
            if other == self.own or not other.is_dir() or not self._stale(other):
                continue
            for claim in sorted(p for p in other.iterdir() if p.is_dir()):
                for path in sorted(p for p in claim.iterdir() if p.is_file()):
                    taken = self._take(path)
                    if taken is not None:
                        log.info("took over a file a stopped workstation had claimed")
                        yield taken
                _remove_if_empty(claim)
            (other / HEARTBEAT).unlink(missing_ok=True)
            _remove_if_empty(other)

    def tidy(self) -> None:
        """Remove this workstation's claims whose file the import has taken and deleted."""
        if self.own.is_dir():
            for claim in self.own.iterdir():
                if claim.is_dir():
                    _remove_if_empty(claim)

    def _take(self, path: Path) -> Path | None:
        claim = self.own / f"{time.time_ns():x}-{secrets.token_hex(4)}"
        claim.mkdir(parents=True)
        target = claim / path.name
        try:
            os.rename(path, target)
        except FileNotFoundError:
            claim.rmdir()
            return None
        except OSError:
            claim.rmdir()
            raise
        return target

    def _stale(self, folder: Path) -> bool:
        try:
            beat = (folder / HEARTBEAT).stat().st_mtime
        except FileNotFoundError:
            try:
                beat = folder.stat().st_mtime
            except FileNotFoundError:
                return False
        return self._clock() - beat > self._timeout


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


class SharedDropWatcher:
    """A drop-folder watcher that claims each settled file before offering it.

    Wraps :class:`app.ingest.drop_folder.DropFolderWatcher`: the inner
    watcher offers a settled file to :meth:`take`, which claims it and
    passes the claimed path on; each poll also beats the heartbeat, takes
    over stopped workstations' claims and tidies this one's.
    """

    def __init__(self, claims: ClaimFolder, offer: Callable[[Path], None],
                 make_watcher: Callable[[Callable[[Path], None]], object]) -> None:
        self._claims = claims
        self._offer = offer
        self._inner = make_watcher(self.take)

    def take(self, path: Path) -> None:
        """Claim a settled file and offer the claimed copy; leave it if another was first."""
        try:
            claimed = self._claims.claim(path)
        except OSError as exc:
            log.warning("could not claim a file in the shared drop folder: %s", exc.strerror)
            return
        if claimed is not None:
            self._offer(claimed)

    def start(self) -> None:
        """Open the claim folder, take over stopped workstations' files, and start watching."""
        self._claims.open()
        self._inner.start()
        self._recover()

    def poll(self) -> None:
        """Beat, take over what stopped workstations left, tidy, and let the watcher offer."""
        self._claims.beat()
        self._recover()
        self._claims.tidy()
        self._inner.poll()

    def stop(self) -> None:
        """Stop watching and remove this workstation's claim folder if it is empty."""
        self._inner.stop()
        self._claims.close()

    def settling(self) -> int:
        """How many files are waiting to become stable."""
        return self._inner.settling()

    def _recover(self) -> None:
        for path in self._claims.recover():
            self._offer(path)
