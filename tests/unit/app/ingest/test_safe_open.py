import hashlib
import os
import socket

import pytest

from clinfile.app.ingest import refusal
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.open import SourceChanged, remove_beneath, stage
from tests.unit.app.ingest.hostile_files import jpeg_bytes, make_fifo, write

LIMIT = 10_000_000


def test_an_ordinary_file_is_read_whole_and_hashed(tmp_path):
    data = jpeg_bytes()
    path = write(tmp_path / "a.jpg", data)
    staged = stage(tmp_path, path, LIMIT)
    assert staged.data == data
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert staged.size == len(data)


def test_a_symlink_is_refused_and_not_followed(tmp_path):
    target = write(tmp_path / "elsewhere" / "real.jpg", jpeg_bytes())
    root = tmp_path / "drop"
    root.mkdir()
    (root / "link.jpg").symlink_to(target)
    with pytest.raises(Refused) as refused:
        stage(root, root / "link.jpg", LIMIT)
    assert refused.value.reason == refusal.LINK


def test_a_linked_folder_on_the_way_is_refused(tmp_path):
    write(tmp_path / "outside" / "real.jpg", jpeg_bytes())
    root = tmp_path / "drop"
    root.mkdir()
    (root / "sub").symlink_to(tmp_path / "outside")
    with pytest.raises(Refused) as refused:
        stage(root, root / "sub" / "real.jpg", LIMIT)
    assert refused.value.reason == refusal.LINK


def test_a_fifo_named_jpg_is_refused_without_blocking(tmp_path):
    fifo = make_fifo(tmp_path / "pipe.jpg")
    with pytest.raises(Refused) as refused:
        stage(tmp_path, fifo, LIMIT)
    assert refused.value.reason == refusal.SPECIAL_FILE


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.jpg"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(Refused) as refused:
            stage(tmp_path, path, LIMIT)
    finally:
        server.close()
    assert refused.value.reason == refusal.SPECIAL_FILE


def test_a_folder_posing_as_a_picture_is_refused(tmp_path):
    (tmp_path / "holiday.jpg").mkdir()
    with pytest.raises(Refused) as refused:
        stage(tmp_path, tmp_path / "holiday.jpg", LIMIT)
    assert refused.value.reason == refusal.FOLDER


def test_a_path_escaping_the_root_is_refused(tmp_path):
    outside = write(tmp_path / "secret.jpg", jpeg_bytes())
    root = tmp_path / "drop"
    root.mkdir()
    with pytest.raises(Refused) as refused:
        stage(root, root / ".." / "secret.jpg", LIMIT)
    assert refused.value.reason == refusal.OUTSIDE_ROOT
    with pytest.raises(Refused):
        stage(root, outside, LIMIT)


def test_a_hard_link_from_outside_the_root_is_refused(tmp_path):
    outside = write(tmp_path / "outside.jpg", jpeg_bytes())
    root = tmp_path / "drop"
    root.mkdir()
    os.link(outside, root / "linked.jpg")
    with pytest.raises(Refused) as refused:
        stage(root, root / "linked.jpg", LIMIT)
    assert refused.value.reason == refusal.HARD_LINK_OUTSIDE


def test_hard_links_that_all_lie_inside_the_root_are_accepted(tmp_path):
    first = write(tmp_path / "a.jpg", jpeg_bytes())
    os.link(first, tmp_path / "b.jpg")
    assert stage(tmp_path, tmp_path / "b.jpg", LIMIT).size == first.stat().st_size


def test_empty_and_oversize_files_are_refused(tmp_path):
    empty = write(tmp_path / "empty.jpg", b"")
    big = write(tmp_path / "big.jpg", b"\xff\xd8\xff" + b"\x00" * 2000)
    with pytest.raises(Refused) as refused:
        stage(tmp_path, empty, LIMIT)
    assert refused.value.reason == refusal.EMPTY
    with pytest.raises(Refused) as refused:
        stage(tmp_path, big, 1000)
    assert refused.value.reason.startswith("Too large to open safely")


def test_a_missing_file_is_not_refused_but_reported_missing(tmp_path):
    with pytest.raises(FileNotFoundError):
        stage(tmp_path, tmp_path / "gone.jpg", LIMIT)


def test_removal_deletes_only_the_very_file_that_was_read(tmp_path):
    path = write(tmp_path / "a.jpg", jpeg_bytes())
    staged = stage(tmp_path, path, LIMIT)
    path.unlink()
    write(path, jpeg_bytes(colour="green"))
    with pytest.raises(SourceChanged):
        remove_beneath(tmp_path, staged)
    assert path.exists()
    remove_beneath(tmp_path, stage(tmp_path, path, LIMIT))
    assert not path.exists()


def test_a_link_to_a_folder_is_called_a_shortcut_to_a_folder(tmp_path):
    write(tmp_path / "outside" / "real.jpg", jpeg_bytes())
    root = tmp_path / "drop"
    root.mkdir()
    (root / "sub").symlink_to(tmp_path / "outside")
    with pytest.raises(Refused) as refused:
        stage(root, root / "sub", LIMIT)
    assert refused.value.reason == ("This is a shortcut (link) to a folder elsewhere, not a "
                                    "picture. Import the folder itself, or copy its pictures in.")
