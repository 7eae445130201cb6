from app.ingest.drop_folder import StabilityTracker


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
    assert tracker.stable() == [path]
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
    assert tracker.stable() == [path]


def test_a_file_its_writer_closed_settles_quickly(tmp_path):
    clock = Clock()
    tracker = StabilityTracker(1.0, clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"whole")
    tracker.note(path, closed=True)
    clock.now += 0.2
    assert tracker.stable() == [path]


def test_a_vanished_file_is_forgotten(tmp_path):
    clock = Clock()
    tracker = StabilityTracker(1.0, clock)
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x")
    tracker.note(path)
    path.unlink()
    clock.now += 2
    assert tracker.stable() == [] and tracker.tracking() == 0
