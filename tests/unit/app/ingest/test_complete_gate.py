"""The gate a staged file passes before it is taken: settled, ended, not held open."""

import os
import time

import pytest

from clinfile.app.ingest import refusal
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.complete import (
    CUT_OFF_FOR_GOOD,
    CUT_SHORT,
    HELD_OPEN,
    STILL_CHANGING,
    WHOLE_SETTLE_SECONDS,
    Incomplete,
    prove_complete,
)
from clinfile.app.ingest.safety.open import stage
from clinfile.app.ingest.safety.writers import _seen_in_proc, open_for_writing
from tests.unit.app.ingest.hostile_files import (
    claiming_10000_square,
    jpeg_bytes,
    with_zip_appended,
    write,
)
from tests.unit.app.ingest.slow_writers import SlowWriter

AN_HOUR_AGO = time.time_ns() - 3600 * 10**9


def staged_at_rest(path, data: bytes, since_ns: int = AN_HOUR_AGO):
    write(path, data)
    os.utime(path, ns=(since_ns, since_ns))
    return stage(path.parent, path, 10**8)


def test_a_file_at_rest_passes_at_once(tmp_path):
    staged = staged_at_rest(tmp_path / "a.jpg", jpeg_bytes())
    started = time.monotonic()
    prove_complete(staged, "JPEG", settle_seconds=1.0)
    assert time.monotonic() - started < 0.5


def test_a_fresh_file_whose_end_is_not_proved_is_looked_at_again_once_it_has_settled(tmp_path):
    path = write(tmp_path / "a.jpg", with_zip_appended(jpeg_bytes()))
    staged = stage(path.parent, path, 10**8)
    started = time.monotonic()
    with pytest.raises(Refused):
        prove_complete(staged, "JPEG", settle_seconds=0.6)
    assert time.monotonic() - started > 0.4


def test_a_fresh_file_that_proves_itself_whole_settles_only_briefly(tmp_path):
    path = write(tmp_path / "a.jpg", jpeg_bytes())
    staged = stage(path.parent, path, 10**8)
    prove_complete(staged, "JPEG", settle_seconds=5.0)
    settled_for = (time.time_ns() - staged.mtime_ns) / 1e9
    assert WHOLE_SETTLE_SECONDS <= settled_for < 4.0


def test_a_fresh_whole_file_held_open_for_writing_waits_its_full_settle(tmp_path):
    path = tmp_path / "a.jpg"
    with path.open("wb") as handle:
        handle.write(jpeg_bytes())
        handle.flush()
        staged = stage(path.parent, path, 10**8)
        started = time.monotonic()
        with pytest.raises(Incomplete) as incomplete:
            prove_complete(staged, "JPEG", settle_seconds=0.6)
        assert time.monotonic() - started > 0.4
    assert incomplete.value.reason == HELD_OPEN


@pytest.mark.parametrize("whole", [True, False], ids=["proved whole", "end not proved"])
def test_a_fresh_file_changing_while_it_settles_is_still_being_written(tmp_path, whole):
    data = jpeg_bytes() if whole else with_zip_appended(jpeg_bytes())
    path = write(tmp_path / "a.jpg", data)
    staged = stage(path.parent, path, 10**8)
    with path.open("ab") as more:
        more.write(b"\x00" * 10)
    with pytest.raises(Incomplete) as incomplete:
        prove_complete(staged, "JPEG", settle_seconds=0.8)
    assert incomplete.value.reason == STILL_CHANGING


def test_a_cut_file_is_incomplete_not_refused(tmp_path):
    data = jpeg_bytes()
    staged = staged_at_rest(tmp_path / "a.jpg", data[: len(data) - 40],
                            since_ns=time.time_ns() - 2 * 10**9)
    with pytest.raises(Incomplete) as incomplete:
        prove_complete(staged, "JPEG", settle_seconds=1.0)
    assert incomplete.value.reason == CUT_SHORT


def test_a_cut_file_nobody_has_touched_for_an_hour_is_refused_as_cut_off_for_good(tmp_path):
    data = jpeg_bytes()
    staged = staged_at_rest(tmp_path / "a.jpg", data[: len(data) - 40])
    with pytest.raises(Refused) as refused:
        prove_complete(staged, "JPEG", settle_seconds=1.0)
    assert refused.value.reason == CUT_OFF_FOR_GOOD


def test_a_cut_file_untouched_for_an_hour_but_held_open_is_still_awaited(tmp_path):
    data = jpeg_bytes()
    path = tmp_path / "a.jpg"
    with path.open("wb") as handle:
        handle.write(data[: len(data) - 40])
        handle.flush()
        os.utime(path, ns=(AN_HOUR_AGO, AN_HOUR_AGO))
        staged = stage(path.parent, path, 10**8)
        with pytest.raises(Incomplete) as incomplete:
            prove_complete(staged, "JPEG", settle_seconds=1.0)
    assert incomplete.value.reason == CUT_SHORT


def test_a_whole_file_held_open_for_writing_is_incomplete(tmp_path):
    path = tmp_path / "a.jpg"
    with path.open("wb") as handle:
        handle.write(jpeg_bytes())
        handle.flush()
        os.utime(path, ns=(AN_HOUR_AGO, AN_HOUR_AGO))
        staged = stage(path.parent, path, 10**8)
        with pytest.raises(Incomplete) as incomplete:
            prove_complete(staged, "JPEG", settle_seconds=1.0)
    assert incomplete.value.reason == HELD_OPEN
    prove_complete(staged, "JPEG", settle_seconds=0.0)


@pytest.mark.parametrize("ask", [open_for_writing, _seen_in_proc],
                         ids=["kernel lease", "proc scan"])
def test_a_writer_in_another_process_is_seen_and_readers_are_not(corpus, tmp_path, ask):
    source = corpus / "exif-samples" / "jpg" / "Canon_40D.jpg"
    target = tmp_path / "in" / "copy.jpg"
    with SlowWriter(source, target, keep_open=True) as writer:
        st = target.stat()
        assert ask(target, st.st_dev, st.st_ino) is True
        writer.finish()
    with target.open("rb"):
        st = target.stat()
        assert ask(target, st.st_dev, st.st_ino) is False


def test_damage_and_a_zip_after_the_end_are_refused_only_once_the_file_is_whole(tmp_path):
    staged = staged_at_rest(tmp_path / "huge.png", claiming_10000_square("PNG"))
    with pytest.raises(Refused) as refused:
        prove_complete(staged, "PNG", settle_seconds=1.0)
    assert refused.value.reason == refusal.too_little_data(10_000, 10_000)

    path = tmp_path / "bundle.jpg"
    with path.open("wb") as handle:
        handle.write(with_zip_appended(jpeg_bytes()))
        handle.flush()
        os.utime(path, ns=(AN_HOUR_AGO, AN_HOUR_AGO))
        staged = stage(path.parent, path, 10**8)
        with pytest.raises(Incomplete):
            prove_complete(staged, "JPEG", settle_seconds=1.0)
    with pytest.raises(Refused) as refused:
        prove_complete(staged, "JPEG", settle_seconds=1.0)
    assert refused.value.reason == refusal.hidden_after_end("a ZIP archive")
