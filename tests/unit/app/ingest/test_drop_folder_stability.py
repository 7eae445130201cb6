from clinfile.app.ingest.drop_folder import Settled, StabilityTracker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_file_is_stable_only_after_two_unchanged_checks_an_interval_apart(tmp_path):
    clock = Clock()
    tracker = StabilityTracker(1.0, clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"part")
    tracker.note(path)
    clock.now += 0.5
    assert tracker.stable() == []
    clock.now += 0.6
    assert tracker.stable() == [Settled(path, closed=False)]
    assert tracker.tracking() == 0


def test_a_growing_file_waits_for_another_full_interval(tmp_path):
    clock = Clock()
    tracker = StabilityTracker(1.0, clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"part")
    tracker.note(path)
    clock.now += 1.1
    with path.open("ab") as handle:
        handle.write(b" more")
    assert tracker.stable() == []
    clock.now += 0.5
    assert tracker.stable() == []
    clock.now += 0.6
    assert tracker.stable() == [Settled(path, closed=False)]


def test_a_file_its_writer_closed_settles_quickly(tmp_path):
    clock = Clock()
    tracker = StabilityTracker(1.0, clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"whole")
    tracker.note(path, closed=True)
    clock.now += 0.2
    assert tracker.stable() == [Settled(path, closed=True)]


def test_a_vanished_file_is_forgotten(tmp_path):
    clock = Clock()
    tracker = StabilityTracker(1.0, clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x")
    tracker.note(path)
    path.unlink()
    clock.now += 2
    assert tracker.stable() == [] and tracker.tracking() == 0


def test_a_file_offered_once_is_offered_again_when_a_writer_closes_it(tmp_path):
    import time

    from clinfile.app.ingest.drop_folder import DropFolderWatcher

    path = tmp_path / "a.jpg"
    path.write_bytes(b"whole")
    offered = []
    watcher = DropFolderWatcher(tmp_path, offered.append, 0.2)
    watcher.start()
    try:
        deadline = time.monotonic() + 5
        while len(offered) < 1 and time.monotonic() < deadline:
            watcher.poll()
            time.sleep(0.05)
        with path.open("ab"):
            pass  # opened for writing and closed, unchanged: its writer let it go
        while len(offered) < 2 and time.monotonic() < deadline:
            watcher.poll()
            time.sleep(0.05)
    finally:
        watcher.stop()
    assert offered == [path, path]


def _renamed_in(tmp_path, data: bytes):
    """A file written elsewhere and renamed into the folder, as mail clients and syncs do."""
    import os

    from clinfile.app.ingest.safety.complete import proves_whole

    folder = tmp_path / "drop"
    folder.mkdir()
    elsewhere = tmp_path / "part.tmp"
    elsewhere.write_bytes(data)
    path = folder / "photo.jpg"
    os.rename(elsewhere, path)
    clock = Clock()
    tracker = StabilityTracker(1.0, clock, lambda p: proves_whole(folder, p, 200 * 1024 * 1024))
    tracker.note(path, renamed=True)
    return tracker, clock, path


def _corpus_jpeg() -> bytes:
    from tests.conftest import CORPUS

    return (CORPUS / "exif-samples" / "jpg" / "Canon_40D.jpg").read_bytes()


def test_a_whole_picture_renamed_in_settles_quickly(tmp_path, corpus):
    tracker, clock, path = _renamed_in(tmp_path, _corpus_jpeg())
    clock.now += 0.2
    assert tracker.stable() == [Settled(path, closed=False)]


def test_a_picture_renamed_in_cut_short_waits_the_full_interval(tmp_path, corpus):
    tracker, clock, path = _renamed_in(tmp_path, _corpus_jpeg()[:-5000])
    clock.now += 0.2
    assert tracker.stable() == []
    clock.now += 0.6
    assert tracker.stable() == []
    clock.now += 0.3
    assert tracker.stable() == [Settled(path, closed=False)]


def test_a_picture_renamed_in_with_more_after_its_end_waits_the_full_interval(tmp_path, corpus):
    tracker, clock, path = _renamed_in(tmp_path, _corpus_jpeg() + b"\xff\xd8 a second start")
    clock.now += 0.2
    assert tracker.stable() == []
    clock.now += 1.0
    assert tracker.stable() == [Settled(path, closed=False)]


def test_a_whole_picture_renamed_in_but_held_open_for_writing_waits(tmp_path, corpus):
    tracker, clock, path = _renamed_in(tmp_path, _corpus_jpeg())
    with path.open("ab"):
        clock.now += 0.2
        assert tracker.stable() == []
    clock.now += 1.0
    assert tracker.stable() == [Settled(path, closed=False)]


def test_a_file_renamed_in_that_is_no_picture_waits_the_full_interval(tmp_path):
    tracker, clock, path = _renamed_in(tmp_path, b"just some words, not a picture")
    clock.now += 0.2
    assert tracker.stable() == []
    clock.now += 1.0
    assert tracker.stable() == [Settled(path, closed=False)]
