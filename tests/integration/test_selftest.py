"""``clinfile selftest``: a throwaway vault, the bundled sample picture, and nothing left behind."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from clinfile.app import selftest
from clinfile.app.custody import held_folders
from clinfile.app.ingest.decode_workers import warm_up
from tests.unit.app.cli.calling import call


@pytest.fixture
def own_temp(tmp_path, monkeypatch):
    """A temporary folder of this test's own, so what the self-test leaves in it can be seen.

    The decoders' process server is started first, in the usual temporary
    folder: its socket's path must stay short, and this folder's is long.
    """
    warm_up()
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def left_in(folder):
    """What the self-test left: any file, or a folder of its own (the decoders' socket may stay)."""
    return [p for p in folder.rglob("*") if p.is_file() or p.name.startswith("clinfile")]


@pytest.mark.slow
def test_selftest_takes_the_sample_through_every_step_and_leaves_nothing(own_temp):
    code, out, err = call(["selftest"])
    assert code == 0, out + err
    lines = out.splitlines()
    assert [line.split("  ")[0] for line in lines[1:-1]] == ["OK"] * (len(selftest.STEPS) + 1)
    assert "File the picture to the patient (episode 1)" in out
    assert "Make the summary PDF for the record" in out
    assert "Check the vault (" in out and "no problems" in out
    assert lines[-1] == "Everything worked."
    assert left_in(own_temp) == []


@pytest.mark.slow
def test_a_failed_step_is_named_in_words_and_the_folder_still_goes(own_temp, monkeypatch):
    def no_printer(bench):
        raise selftest.StepFailed("the printer caught fire")

    steps = tuple(selftest.Step(s.words, no_printer) if "summary" in s.words else s
                  for s in selftest.STEPS)
    monkeypatch.setattr(selftest, "STEPS", steps)
    code, out, err = call(["selftest"])
    assert code == 1
    assert "OK      File the picture to the patient" in out
    assert "Problem Make the summary PDF for the record: the printer caught fire" in err
    assert "Check the vault" not in out + err
    assert "OK      Removed the temporary folder and everything in it" in out
    assert left_in(own_temp) == []


def test_a_vault_that_cannot_be_made_stops_at_the_first_step(own_temp, monkeypatch):
    synced = own_temp / "Dropbox"
    synced.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(synced))
    code, out, err = call(["selftest"])
    assert code == 1
    assert "Problem Make a vault in a temporary folder: " in err
    assert "inside a Dropbox folder" in err
    assert left_in(synced) == []


def test_a_temporary_folder_that_cannot_be_made_is_said_plainly(own_temp, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(own_temp / "not there"))
    code, out, err = call(["selftest"])
    assert code == 1
    assert "Problem Make a vault in a temporary folder: " in err
    assert "Removed" not in out


@pytest.mark.slow
def test_a_folder_left_by_a_selftest_killed_outright_goes_at_the_next_run(own_temp):
    env = {**os.environ, "TMPDIR": str(own_temp)}
    stopped = subprocess.Popen([str(Path(sys.executable).with_name("clinfile")), "selftest"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(own_temp.glob(f"{selftest.FOLDER_PREFIX}*/{selftest.MARK}")):
        assert stopped.poll() is None and time.monotonic() < deadline, "no self-test folder"
        time.sleep(0.05)
    stopped.kill()
    stopped.wait()
    [left] = own_temp.glob(f"{selftest.FOLDER_PREFIX}*")
    unmarked = own_temp / f"{selftest.FOLDER_PREFIX}someone-elses"
    unmarked.mkdir()
    (unmarked / "notes.txt").write_text("not ours")
    linked = own_temp / f"{selftest.FOLDER_PREFIX}link"
    linked.symlink_to(unmarked, target_is_directory=True)
    running = own_temp / f"{selftest.FOLDER_PREFIX}running"
    running.mkdir()
    held = held_folders.hold(running, selftest.MARK)
    try:
        code, out, err = call(["selftest"])
    finally:
        held_folders.release(held)
    assert code == 0, out + err
    assert f"Removed a self-test folder an earlier run stopped dead left behind: {left}" in out
    assert not left.exists()
    assert (unmarked / "notes.txt").read_text() == "not ours" and linked.is_symlink()
    assert (running / selftest.MARK).exists()
