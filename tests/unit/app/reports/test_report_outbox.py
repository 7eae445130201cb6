"""The outbox: never a cloud-sync folder, never half a file, never an overwrite."""

from __future__ import annotations

import pytest

from clinfile.app.custody import held_folders
from clinfile.app.custody.locations import CloudFolderRefused
from clinfile.app.reports.outbox import STAGING_MARK, check_outbox, write_file, write_files


def test_a_cloud_sync_folder_is_refused(tmp_path):
    with pytest.raises(CloudFolderRefused, match="Dropbox"):
        check_outbox(tmp_path / "Dropbox" / "scans")
    assert not (tmp_path / "Dropbox").exists()


def test_a_file_is_written_whole_and_never_overwrites(tmp_path):
    folder = tmp_path / "import"
    assert check_outbox(folder) == []
    first = write_file(folder, "NGUYEN_Mai.pdf", b"%PDF first")
    second = write_file(folder, "NGUYEN_Mai.pdf", b"%PDF second")
    assert first.name == "NGUYEN_Mai.pdf" and second.name == "NGUYEN_Mai_2.pdf"
    assert first.read_bytes() == b"%PDF first" and second.read_bytes() == b"%PDF second"
    assert sorted(p.name for p in folder.iterdir()) == ["NGUYEN_Mai.pdf", "NGUYEN_Mai_2.pdf"]


@pytest.mark.parametrize("name", ["../escape.pdf", "sub/dir.pdf", ".hidden.pdf"])
def test_only_plain_file_names(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"):
        write_file(tmp_path, name, b"x")


def _blocked(folder, name: str) -> set[str]:
    """Fill every name ``write_file`` would try for ``name``, so publishing it fails."""
    stem, extension = name.rsplit(".", 1)
    names = {name} | {f"{stem}_{n}.{extension}" for n in range(2, 1000)}
    for blocker in names:
        (folder / blocker).touch()
    return names


def test_a_failure_part_way_leaves_none_of_the_files(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    blockers = _blocked(folder, "NGUYEN_Mai_image-02.jpg")
    files = [(f"NGUYEN_Mai_image-{n:02d}.jpg", b"\xff\xd8 photo %d" % n) for n in (1, 2, 3)]
    with pytest.raises(FileExistsError, match="a thousand files"):
        write_files(folder, files)
    assert {p.name for p in folder.iterdir()} == blockers


def test_a_file_where_the_folder_should_be_is_an_error(tmp_path):
    in_the_way = tmp_path / "export"
    in_the_way.write_bytes(b"not a folder")
    with pytest.raises(FileExistsError):
        write_files(in_the_way, [("a.jpg", b"x")])
    with pytest.raises(NotADirectoryError):
        write_files(in_the_way / "sub", [("a.jpg", b"x")])
    assert in_the_way.read_bytes() == b"not a folder"


def test_a_file_written_by_a_function_fails_whole_and_leaves_none(tmp_path):
    folder = tmp_path / "export"

    def half_then_fail(out) -> None:
        out.write(b"%PDF half a document")
        raise OSError(28, "No space left on device")

    files = [("NGUYEN_Mai_image-01.jpg", lambda out: out.write(b"\xff\xd8 photo")),
             ("NGUYEN_Mai.pdf", half_then_fail)]
    with pytest.raises(OSError, match="No space"):
        write_files(folder, files)
    assert list(folder.iterdir()) == []
    written = write_files(folder, files[:1])
    assert [p.read_bytes() for p in written] == [b"\xff\xd8 photo"]


def test_what_a_crashed_export_left_is_removed_by_the_next_and_a_running_one_is_not(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    crashed = folder / ".clinfile-abc.partial"
    crashed.mkdir()
    held_folders.release(held_folders.hold(crashed, STAGING_MARK))
    (crashed / "0000").write_bytes(b"%PDF half of a patient's pictures")
    unmarked = folder / ".clinfile-xyz.partial"
    unmarked.mkdir()
    running = folder / ".clinfile-def.partial"
    running.mkdir()
    held = held_folders.hold(running, STAGING_MARK)
    (running / "0000").write_bytes(b"%PDF being written")
    try:
        write_files(folder, [("NGUYEN_Mai.pdf", b"%PDF whole")])
    finally:
        held_folders.release(held)
    assert sorted(p.name for p in folder.iterdir()) == [".clinfile-def.partial",
                                                        ".clinfile-xyz.partial",
                                                        "NGUYEN_Mai.pdf"]
