"""A small pool of decode worker processes, each one replaceable.

Workers are started with ``forkserver`` (or ``spawn`` where there is none),
never ``fork``: a forked child would inherit open SQLCipher connections and
the key. Each worker limits its own address space (RLIMIT_AS), and the pool
kills a worker that overruns the time limit and starts a fresh one, so a
decoder stuck in a loop or killed by the kernel costs one file. Picture
bytes travel over pipes, never through temporary files.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import time
from collections.abc import Hashable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from clinfile.app import logs
from clinfile.app.ingest import refusal
from clinfile.app.ingest.decode import Decoded, DecodeRefused
from clinfile.app.ingest.limits import IngestLimits

DecodeResult = Decoded | DecodeRefused
WORKER_NICENESS = 5


def _serve(conn: Connection, max_pixels: int, memory_bytes: int) -> None:
    """The worker's loop: decode each picture sent until the pipe closes.

    Workers run at a lower priority so the process holding the vault (its
    writer, and the event stream a window shows) is never starved by them.
    """
    logs.configure_worker()
    _limit_memory(memory_bytes)
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
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


def warm_up() -> None:
    """Start the process server that decode workers are forked from, if not yet running.

    Starting it means forking this process, and a fork holds Python's GIL for
    as long as copying a large process's page tables takes (tens of
    milliseconds for the window). Done once, early, every later worker is
    forked from the small server instead.
    """
    if _context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


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
    task: Hashable | None = None
    started: float = 0.0
    ready: bool = False


class DecoderPool:
    """Decode worker processes; submit work to idle ones and collect what they finish."""

    def __init__(self, limits: IngestLimits) -> None:
        self._limits = limits
        self._context = _context()
        self._workers = [self._start() for _ in range(limits.workers)]

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
        comes back refused.
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
            elif worker.started < 0 or not worker.process.is_alive():
                results.append((worker.task, DecodeRefused(refusal.DECODER_FAILED)))
                self._replace(worker)
            elif now - worker.started > self._limits.decode_seconds:
                results.append((worker.task, DecodeRefused(refusal.TOO_SLOW)))
                self._replace(worker)
        return results

    def close(self) -> None:
        """Stop every worker; work in flight is abandoned."""
        for worker in self._workers:
            self._stop(worker)
        self._workers = []

    def __enter__(self) -> DecoderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve, args=(theirs, self._limits.max_pixels,
                                 self._limits.worker_memory_bytes),
            name="clinfile-decode", daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _await_ready(self, worker: _Worker) -> None:
        try:
            worker.ready = worker.conn.recv() == "ready"
        except (EOFError, OSError):
            worker.ready = False

    def _replace(self, worker: _Worker) -> _Worker:
        self._stop(worker)
        fresh = self._start()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
