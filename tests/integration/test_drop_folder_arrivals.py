"""How the watched drop folder treats files that arrive whole and files still being written.

A picture renamed in from elsewhere on the same file system arrives whole in
one step and is offered after a short settle once its structure proves it
whole. Anything still being written, paused, cut short, or carrying a
valid-looking end part way through, waits until it is truly finished.
The stability interval here is far longer than any of these tests runs, so a
file offered at all was offered by the short settle.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from clinfile.app.ingest.drop_folder import RESCAN_SECONDS, DropFolderWatcher
from clinfile.app.ingest.safety.complete import ABANDONED_AFTER_SECONDS
from tests.conftest import CORPUS

LONG_INTERVAL = 60.0


def _jpeg() -> bytes:
    return (CORPUS / "exif-samples" / "jpg" / "Canon_40D.jpg").read_bytes()


class _Watch:
    """A watcher over ``folder`` whose offers record the file's size at the moment offered."""

    def __init__(self, folder: Path, stable_seconds: float = LONG_INTERVAL) -> None:
        self.offered: list[tuple[Path, int]] = []
        self.watcher = DropFolderWatcher(folder, self._offer, stable_seconds)

    def _offer(self, path: Path) -> None:
        self.offered.append((path, path.stat().st_size))

    def poll_for(self, seconds: float, *, until_offered: int | None = None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.watcher.poll()
            if until_offered is not None and len(self.offered) >= until_offered:
                return
            time.sleep(0.05)


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    drop, elsewhere = tmp_path / "drop", tmp_path / "elsewhere"
    drop.mkdir()
    elsewhere.mkdir()
    return drop, elsewhere


def test_a_whole_picture_renamed_in_from_elsewhere_is_offered_after_a_short_settle(
        tmp_path, corpus):
    drop, elsewhere = _folders(tmp_path)
    watch = _Watch(drop)
    watch.watcher.start()
    try:
        (elsewhere / "photo.jpg").write_bytes(_jpeg())
        os.rename(elsewhere / "photo.jpg", drop / "photo.jpg")
        watch.poll_for(20, until_offered=1)
    finally:
        watch.watcher.stop()
    assert watch.offered == [(drop / "photo.jpg", len(_jpeg()))]


def test_a_picture_renamed_in_cut_short_waits_the_full_interval(tmp_path, corpus):
    drop, elsewhere = _folders(tmp_path)
    watch = _Watch(drop, stable_seconds=2.0)
    watch.watcher.start()
    try:
        (elsewhere / "photo.jpg").write_bytes(_jpeg()[:-4000])
        renamed = time.monotonic()
        os.rename(elsewhere / "photo.jpg", drop / "photo.jpg")
        watch.poll_for(20, until_offered=1)
        waited = time.monotonic() - renamed
    finally:
        watch.watcher.stop()
    assert [path for path, _ in watch.offered] == [drop / "photo.jpg"]
    assert waited >= 2.0


def test_a_picture_renamed_in_while_its_writer_still_appends_is_offered_only_once_whole(
        tmp_path, corpus):
    """A writer renames its file in with a valid-looking end part way, pauses, then appends."""
    drop, elsewhere = _folders(tmp_path)
    first, rest = _jpeg(), b"\x00" * 2000 + _jpeg()
    watch = _Watch(drop)
    watch.watcher.start()
    try:
        with open(elsewhere / "photo.jpg", "wb") as handle:
            handle.write(first)
            handle.flush()
            os.rename(elsewhere / "photo.jpg", drop / "photo.jpg")
            watch.poll_for(1.5)
            assert watch.offered == []
            handle.write(rest)
        watch.poll_for(20, until_offered=1)
    finally:
        watch.watcher.stop()
    assert watch.offered == [(drop / "photo.jpg", len(first) + len(rest))]


def test_a_slow_writer_in_the_folder_that_pauses_past_the_short_settle_is_not_offered_early(
        tmp_path, corpus):
    """Written in place, a whole picture first and more after a pause, the handle held open."""
    drop, _ = _folders(tmp_path)
    data = _jpeg()
    watch = _Watch(drop)
    watch.watcher.start()
    try:
        with open(drop / "photo.jpg", "wb") as handle:
            handle.write(data)
            handle.flush()
            watch.poll_for(1.5)
            assert watch.offered == []
            handle.write(data)
        watch.poll_for(20, until_offered=1)
    finally:
        watch.watcher.stop()
    assert watch.offered == [(drop / "photo.jpg", 2 * len(data))]


def test_a_file_moved_out_of_the_folder_before_it_settles_is_forgotten(tmp_path, corpus):
    drop, elsewhere = _folders(tmp_path)
    watch = _Watch(drop, stable_seconds=0.5)
    watch.watcher.start()
    try:
        with open(drop / "photo.jpg", "wb") as handle:
            handle.write(_jpeg()[:-4000])
            handle.flush()
            watch.poll_for(0.2)
            os.rename(drop / "photo.jpg", elsewhere / "photo.jpg")
            watch.poll_for(2.5)
        settling = watch.watcher.settling()
    finally:
        watch.watcher.stop()
    assert watch.offered == [] and settling == 0


def test_pictures_renamed_in_from_several_writers_at_once_are_each_offered_once_whole(
        tmp_path, corpus):
    drop, elsewhere = _folders(tmp_path)
    data = _jpeg()
    watch = _Watch(drop)

    def deliver(n: int) -> None:
        (elsewhere / f"{n}.jpg").write_bytes(data)
        os.rename(elsewhere / f"{n}.jpg", drop / f"{n}.jpg")

    watch.watcher.start()
    try:
        writers = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        watch.poll_for(20, until_offered=8)
    finally:
        watch.watcher.stop()
    assert sorted(watch.offered) == [(drop / f"{n}.jpg", len(data)) for n in range(8)]


class _SteppedClock:
    """The watcher's own clock, which the test moves past its rescan interval at once."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.ahead


def test_a_cut_short_picture_left_unchanged_is_offered_once_more_when_given_up_for_lost(
        tmp_path, corpus):
    """Offered while its rest might still come, it would otherwise lie unseen in the folder."""
    drop, _elsewhere = _folders(tmp_path)
    cut = drop / "photo.jpg"
    cut.write_bytes(_jpeg()[:len(_jpeg()) // 2])
    lost_in = 3.0
    arrived = time.time() - ABANDONED_AFTER_SECONDS + lost_in
    os.utime(cut, (arrived, arrived))
    clock = _SteppedClock()
    offered: list[Path] = []
    watcher = DropFolderWatcher(drop, offered.append, 0.5, clock=clock)
    watcher.start()
    try:
        deadline = time.monotonic() + 20
        while not offered and time.monotonic() < deadline:
            watcher.poll()
            time.sleep(0.05)
        assert offered == [cut]
        while time.time() < arrived + ABANDONED_AFTER_SECONDS:
            time.sleep(0.1)
        for _ in range(2):
            clock.ahead += RESCAN_SECONDS
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                watcher.poll()
                time.sleep(0.05)
    finally:
        watcher.stop()
    assert offered == [cut, cut]
    assert cut.stat().st_size == len(_jpeg()) // 2
