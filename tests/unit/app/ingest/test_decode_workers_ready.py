"""Decode workers are started before the first file and outlive one import, when healthy."""

import multiprocessing
import time

from clinfile.app.ingest.decode import Decoded
from clinfile.app.ingest.decode_workers import DecoderPool, warm_up
from clinfile.app.ingest.limits import IngestLimits
from tests.conftest import CORPUS


def _jpeg() -> bytes:
    return (CORPUS / "exif-samples" / "jpg" / "Canon_40D.jpg").read_bytes()


def _pids(pool: DecoderPool) -> set[int]:
    return {worker.process.pid for worker in pool._workers}


def _decoded(pool: DecoderPool, task: str) -> object:
    pool.submit(task, "JPEG", _jpeg())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for done, result in pool.collect(0.1):
            assert done == task
            return result
    raise AssertionError("no result")


def test_warming_up_for_an_import_starts_its_workers_before_any_file(corpus):
    def decoders() -> set[int]:
        return {p.pid for p in multiprocessing.active_children() if p.name == "clinfile-decode"}

    before = decoders()
    warm_up(IngestLimits(max_pixels=90_000_000))
    deadline = time.monotonic() + 60
    while len(decoders() - before) < IngestLimits().workers and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(decoders() - before) == IngestLimits().workers


def test_an_import_hands_its_idle_workers_to_the_next(corpus):
    limits = IngestLimits(max_pixels=91_000_000)
    with DecoderPool(limits) as first:
        assert isinstance(_decoded(first, "a"), Decoded)
        used = _pids(first)
    with DecoderPool(limits) as second:
        assert _pids(second) == used
        assert isinstance(_decoded(second, "b"), Decoded)


def test_a_worker_busy_when_its_import_ends_is_stopped_and_other_limits_get_their_own(corpus):
    limits = IngestLimits(max_pixels=92_000_000)
    with DecoderPool(limits) as first:
        first.submit("left busy", "JPEG", _jpeg())
        busy = {w.process.pid for w in first._workers if w.task is not None}
        processes = {w.process.pid: w.process for w in first._workers}
    processes[next(iter(busy))].join(timeout=10)
    assert not processes[next(iter(busy))].is_alive()
    with DecoderPool(limits) as second:
        assert not busy & _pids(second)
        assert isinstance(_decoded(second, "after"), Decoded)
    with DecoderPool(IngestLimits(max_pixels=93_000_000)) as other:
        assert not _pids(other) & _pids(second)


def test_a_worker_is_replaced_once_it_has_decoded_its_share_of_pictures(corpus):
    limits = IngestLimits(max_pixels=93_000_000, workers=1, worker_files=3)
    with DecoderPool(limits) as pool:
        first = _pids(pool)
        for task in ("a", "b"):
            assert isinstance(_decoded(pool, task), Decoded)
        assert _pids(pool) == first
        assert isinstance(_decoded(pool, "c"), Decoded)
        assert _pids(pool).isdisjoint(first)
        assert isinstance(_decoded(pool, "d"), Decoded)
