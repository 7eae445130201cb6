"""Releasing and deleting refused files: the file goes where asked, the list and audit say so."""

from pathlib import Path

import pytest

from clinfile.app.desk.quarantine import QuarantineError, delete, refused_files, release
from clinfile.app.ingest.service import ImportService
from clinfile.app.security.roles import PolicyRefused


def _refuse(session, folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("Dear Doctor, this is a letter, not a photograph.")
    for _ in ImportService(session).import_paths([path], keep_source=True):
        pass
    return path


def _actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]


def test_release_moves_the_file_and_takes_it_off_the_list(login, tmp_path):
    session = login("reception")
    letter = _refuse(session, tmp_path / "drop", "referral.jpg")
    [refused] = refused_files(session)
    assert refused.present and "not a picture" in refused.reason

    (tmp_path / "letters").mkdir()
    moved = release(session, letter, tmp_path / "letters")
    assert moved.read_text().startswith("Dear Doctor") and not letter.exists()
    assert refused_files(session) == []
    assert "quarantine.released" in _actions(session)


def test_release_refuses_to_overwrite_and_delete_removes_for_good(login, tmp_path):
    session = login("reception")
    letter = _refuse(session, tmp_path / "drop", "referral.jpg")
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "referral.jpg").write_text("another letter")
    with pytest.raises(QuarantineError, match="already has a file called"):
        release(session, letter, tmp_path / "letters")
    delete(session, letter)
    assert not letter.exists() and refused_files(session) == []
    assert "quarantine.deleted" in _actions(session)


def test_an_admin_who_does_not_import_may_not_touch_the_quarantine(login, tmp_path):
    letter = _refuse(login("reception"), tmp_path / "drop", "referral.jpg")
    with pytest.raises(PolicyRefused):
        delete(login("admin"), letter)
    assert letter.exists()


def test_the_first_look_shows_readable_text_and_nothing_that_acts(tmp_path):
    from clinfile.app.desk.quarantine import first_look

    letter = tmp_path / "letter.jpg"
    letter.write_bytes(b"Dear Doctor,\r\n\tplease see\x00\xff Mai\xe2\x80\xae gpj.exe")
    assert first_look(letter) == "Dear Doctor, please see·· Mai· gpj.exe"
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert first_look(tmp_path / "empty.jpg") == ""
