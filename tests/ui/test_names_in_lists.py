"""A file name cannot forge a line in the window's inbox or quarantine lists."""

from __future__ import annotations

import io

from PIL import Image


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


def test_inbox_and_quarantine_show_names_escaped(qtbot, logged_in, workstation, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop))
    shell = logged_in("reception")
    (drop / "a\nDeleted the source b.jpg").write_bytes(_jpeg())
    (drop / "x\u202egpj.exe\tnote.jpg").write_text("Dear doctor, the photo is attached.")
    inbox = shell.desk_view.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=30000)
    qtbot.waitUntil(lambda: inbox.quarantine.list.count() == 1, timeout=30000)

    picture = inbox.model.item(0).text().split("\n")
    assert picture[0] == "a\\nDeleted the source b.jpg"
    assert not any(line.startswith("Deleted the source") for line in picture)
    refused = inbox.quarantine.list.item(0).text().split("\n")
    assert refused[0] == "x\\u202egpj.exe\\tnote.jpg" and len(refused) == 2
    inbox.quarantine.list.setCurrentRow(0)
    assert inbox.quarantine.details.text().startswith("x\\u202egpj.exe\\tnote.jpg: ")
    assert "\u202e" not in inbox.quarantine.details.text()
