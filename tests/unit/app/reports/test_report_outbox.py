"""The outbox: never a cloud-sync folder, never half a file, never an overwrite."""

from __future__ import annotations

import pytest

from app.reports.outbox import check_outbox, write_file
from app.security.locations import CloudFolderRefused


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
