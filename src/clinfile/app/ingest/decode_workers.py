"""A small pool of decode worker processes, each one replaceable.

Workers are started with ``forkserver`` (or ``spawn`` where there is none),
never ``fork``: a forked child would inherit open SQLCipher connections and
the key. Each worker limits its own address space (RLIMIT_AS), and the pool
kills a worker that overruns the time limit and starts a fresh one, so a
decoder stuck in a loop or killed by the kernel costs one file. Picture
bytes travel over pipes, never through temporary files.

Starting a worker and waiting for it to be ready came before the first file
of every import, a second or more on a busy computer. So workers are
started ahead, in the background, as soon as the limits they run under are
known (:func:`warm_up`), and a pool that ends hands its idle, healthy
workers back to wait for the next import rather than ending them.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from clinfile.app import logs
from clinfile.app.ingest import refusal
from clinfile.app.ingest.decode import Decoded, DecodeRefused
from clinfile.app.ingest.limits import IngestLimits

DecodeResult = Decoded | DecodeRefused


def _serve(conn: Connection, max_pixels: int, memory_bytes: int) -> None:
    """The worker's loop: decode each picture sent until the pipe closes.

    Workers run at the priority of the process holding the vault. Run lower,
    they lost most of their share of a busy computer to every other program:
    an import at a load of 25 took its pictures in at 0.7 times the rate of
    one plain loop doing the same work, against 1.8 times at equal priority.
    The window stays answerable all the same: its thread mostly waits, and
    the scheduler runs a thread that wakes from waiting ahead of busy ones.
    """
    logs.configure_worker()
    _limit_memory(memory_bytes)
    from clinfile.app.ingest.decode import decode, prepare

    prepare(max_pixels)
    conn.send("ready")
    while True:
        try:
            pillow_format = conn.recv()
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send(decode(data, pillow_format, max_pixels))


def _limit_memory(memory_bytes: int) -> None:
    try:
        import resource
    except ImportError:
        return  # Windows: no RLIMIT_AS; the pixel limit still bounds what a file can claim.
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def warm_up(limits: IngestLimits | None = None) -> None:
    """Start the process server that decode workers are forked from, if not yet running.

    Starting it means forking this process, and a fork holds Python's GIL for
    as long as copying a large process's page tables takes (tens of
    milliseconds for the window). Done once, early, every later worker is
    forked from the small server instead. Given the ``limits`` an import will
    run under, its workers are started too, in the background, so they are
    ready by the first file.
    """
    if _context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()
    if limits is not None:
        _STANDBY.fill(limits)


def _context() -> multiprocessing.context.BaseContext:
    """The way workers start: forked from a server that has already loaded the decoders.

    The server loads Pillow and libheif (through pillow_heif) once, so a new
    worker is ready in a fraction of the time it took when each loaded
    libheif for itself; that wait came before the first file of every
    import. A server that cannot load pillow_heif goes on without it.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["clinfile.app.ingest.decode", "pillow_heif"])
        return context
    return multiprocessing.get_context("spawn")


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    limits: tuple[int, int]
    task: Hashable | None = None
    started: float = 0.0
    ready: bool = False
    decoded: int = 0


def _start(limits: IngestLimits) -> _Worker:
    context = _context()
    ours, theirs = context.Pipe(duplex=True)
    process = context.Process(
        target=_serve, args=(theirs, limits.max_pixels, limits.worker_memory_bytes),
        name="clinfile-decode", daemon=True)
    process.start()
    theirs.close()
    return _Worker(process, ours, _key(limits))


def _key(limits: IngestLimits) -> tuple[int, int]:
    """What a worker's set-up depends on: it can serve any pool with the same."""
    return limits.max_pixels, limits.worker_memory_bytes


class _Standby:
    """Workers started ahead of an import, or left idle by one, waiting for the next pool.

    At most one import's worth is kept, for one set of limits; workers for
    other limits are ended. Starting happens on a thread of its own, since
    the first start waits for the process server to load the decoders.
    """

    def __init__(self) -> None:
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()

    def fill(self, limits: IngestLimits) -> None:
        """Start, in the background, the workers an import under ``limits`` would want."""
        threading.Thread(target=self._fill, args=(limits,), name="decode-standby",
                         daemon=True).start()

    def take(self, limits: IngestLimits) -> list[_Worker]:
        """Hand over up to ``limits.workers`` live workers that suit these limits."""
        with self._lock:
            suited = [w for w in self._workers
                      if w.limits == _key(limits) and w.process.is_alive()]
            taken, self._workers = suited[:limits.workers], [
                w for w in self._workers if w not in suited[:limits.workers]]
        return taken

    def keep(self, worker: _Worker, limits: IngestLimits) -> bool:
        """Keep an idle worker for the next pool; False when it is not wanted."""
        with self._lock:
            unsuited = [w for w in self._workers if w.limits != _key(limits)]
            self._workers = [w for w in self._workers if w.limits == _key(limits)]
            kept = (worker.task is None and worker.process.is_alive()
                    and len(self._workers) < limits.workers)
            if kept:
                self._workers.append(worker)
        for other in unsuited:
            DecoderPool._stop(other)
        return kept

    def _fill(self, limits: IngestLimits) -> None:
        with self._lock:
            wanted = limits.workers - sum(1 for w in self._workers if w.limits == _key(limits))
        for _ in range(wanted):
            try:
                worker = _start(limits)
            except OSError:
                return
            if not self.keep(worker, limits):
                DecoderPool._stop(worker)


_STANDBY = _Standby()


class DecoderPool:
    """Decode worker processes; submit work to idle ones and collect what they finish."""

    def __init__(self, limits: IngestLimits) -> None:
        self._limits = limits
        self._workers = _STANDBY.take(limits)
        self._workers += [_start(limits) for _ in range(limits.workers - len(self._workers))]

    def idle(self) -> int:
        """How many workers could take a file now."""
        return sum(1 for w in self._workers if w.task is None)

    def busy(self) -> int:
        """How many files are being decoded."""
        return sum(1 for w in self._workers if w.task is not None)

    def submit(self, task: Hashable, pillow_format: str, data: bytes) -> None:
        """Hand one file's bytes to an idle worker.

        Raises:
            RuntimeError: no worker is idle.
        """
        worker = next((w for w in self._workers if w.task is None), None)
        if worker is None:
            raise RuntimeError("no idle decode worker")
        if not worker.ready:
            self._await_ready(worker)
        if not worker.ready:
            worker = self._replace(worker)
            self._await_ready(worker)
        worker.task, worker.started = task, time.monotonic()
        try:
            worker.conn.send(pillow_format)
            worker.conn.send_bytes(data)
        except (OSError, EOFError):
            worker.started = -1.0

    def collect(self, timeout: float) -> list[tuple[Hashable, DecodeResult]]:
        """Wait up to ``timeout`` seconds and return the results that arrived.

        A worker that died or overran the time limit is replaced, and its file
        comes back refused; one that has decoded its share of pictures
        (``limits.worker_files``) is replaced once its result is in.
        """
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return []
        ready = wait([w.conn for w in busy], timeout)
        results = []
        now = time.monotonic()
        for worker in busy:
            if worker.conn in ready:
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    result = DecodeRefused(refusal.DECODER_FAILED)
                    results.append((worker.task, result))
                    self._replace(worker)
                    continue
                results.append((worker.task, result))
                worker.task = None
                worker.decoded += 1
                if worker.decoded >= self._limits.worker_files:
                    self._replace(worker)
            elif worker.started < 0 or not worker.process.is_alive():
                results.append((worker.task, DecodeRefused(refusal.DECODER_FAILED)))
                self._replace(worker)
            elif now - worker.started > self._limits.decode_seconds:
                results.append((worker.task, DecodeRefused(refusal.TOO_SLOW)))
                self._replace(worker)
        return results

    def close(self) -> None:
        """End the pool: idle workers wait for the next one, the rest are stopped.

        Work in flight is abandoned.
        """
        for worker in self._workers:
            if not _STANDBY.keep(worker, self._limits):
                self._stop(worker)
        self._workers = []

    def __enter__(self) -> DecoderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _await_ready(self, worker: _Worker) -> None:
        try:
            worker.ready = worker.conn.recv() == "ready"
        except (EOFError, OSError):
            worker.ready = False

    def _replace(self, worker: _Worker) -> _Worker:
        self._stop(worker)
        fresh = _start(self._limits)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
