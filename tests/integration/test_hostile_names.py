"""File names that try to forge lines: shown escaped at the command line, in the audit and PDFs.

A sender chooses a file's name. ``"a\\nDeleted the source b.jpg"`` would print
a second, false report line; ``"x\\u202egpj.exe"`` reads as ``xexe.jpg`` once
a terminal or viewer applies the right-to-left override. Every place that
shows a name must show it escaped, one name on one line.
"""

from __future__ import annotations

import io
import json
import os
import subprocess

import pytest
from PIL import Image

from clinfile.app.desk.quarantine import QuarantineError, release
from tests.unit.app.cli.calling import as_user
from tests.unit.app.consent import vault_rows
from tests.unit.app.reports.pdf_checks import require_tools

pytestmark = pytest.mark.slow

FORGING = "a\nDeleted the source b.jpg"
REVERSED = "x\u202egpj.exe"
NOT_A_PICTURE = "c\tnote\x1b[2J\r.jpg"
SHOWN = ("a\\nDeleted the source b.jpg", "x\\u202egpj.exe")
RAW = ("\n", "\t", "\r", "\x1b", "\u202e")


def _jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def hostile_folder(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / FORGING).write_bytes(_jpeg("red"))
    (folder / REVERSED).write_bytes(_jpeg("blue"))
    (folder / NOT_A_PICTURE).write_text("Dear doctor, the photo is attached.")
    return folder


def _lines(text: str) -> list[str]:
    return text.split("\n")[:-1]


def _honest(text: str) -> None:
    """No line starts with words a name smuggled in, and no raw control character remains."""
    for line in _lines(text):
        assert not line.startswith("Deleted the source b.jpg"), text
        assert not any(raw in line for raw in RAW[1:]), line


def test_names_are_escaped_in_every_command_line_output(vault_path, hostile_folder):
    code, out, err = as_user(vault_path, "reception", "import", str(hostile_folder))
    assert code == 0, err
    _honest(out + err)
    assert all(shown in out for shown in SHOWN)
    assert "c\\tnote\\x1b[2J\\r.jpg" in out
    assert len([line for line in _lines(out) if line.startswith("Imported ")]) == 2

    code, out, _ = as_user(vault_path, "reception", "inbox")
    assert code == 0 and len(_lines(out)) == 2
    assert all(shown in out for shown in SHOWN)
    _honest(out)

    code, out, _ = as_user(vault_path, "reception", "quarantine")
    assert code == 0 and len(_lines(out)) == 2 and "c\\tnote\\x1b[2J\\r.jpg" in out
    _honest(out)

    code, out, _ = as_user(vault_path, "reception", "inbox", "--json")
    assert {item["source"].rsplit("/", 1)[-1] for item in json.loads(out)} == {FORGING, REVERSED}

    code, out, _ = as_user(vault_path, "admin", "audit")
    assert code == 0
    _honest(out)
    assert all(line[:6].strip().isdigit() for line in _lines(out))
    assert "Deleted the source" in out and "a\\nDeleted the source b.jpg" in out


def test_names_that_are_not_text_are_taken_in_and_shown_escaped(vault_path, tmp_path):
    folder = tmp_path / "from a memory card"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xffutf8.jpg")).write_bytes(_jpeg("green"))
    (folder / os.fsdecode(b"ctl\x85.jpg")).write_bytes(_jpeg("yellow"))
    (folder / os.fsdecode(b"note\xfe.jpg")).write_text("Dear doctor, the photo is attached.")

    code, out, err = as_user(vault_path, "reception", "import", str(folder))

    assert code == 0, out + err
    assert "could not read" not in out + err
    for shown in ("bad\\xffutf8.jpg", "ctl\\x85.jpg"):
        assert f"Deleted the source {folder / shown}." in out
    assert f"Refused {folder}/note\\xfe.jpg: This file is not a picture" in out
    assert [os.fsencode(p.name) for p in folder.iterdir()] == [b"note\xfe.jpg"]
    code, out, _ = as_user(vault_path, "reception", "inbox")
    assert "bad\\xffutf8.jpg" in out and "ctl\\x85.jpg" in out
    code, out, _ = as_user(vault_path, "reception", "import", str(folder))
    assert code == 0 and "note\\xfe.jpg: This file is not a picture" in out
    assert as_user(vault_path, "admin", "audit")[0] == 0


def test_names_are_escaped_in_the_summary_pdf(vault_path, login, hostile_folder, tmp_path):
    require_tools()
    code, out, err = as_user(vault_path, "reception", "import", str(hostile_folder), "--json")
    assert code == 0, err
    items = sorted(str(i["item_id"]) for i in json.loads(out)["imported"])
    vault_rows.add_patient(login("admin").vault, record_number="MN1990")
    assert as_user(vault_path, "reception", "file", *items, "--patient", "MN1990",
                   "--kind", "patient-sent", "--body-site", "left-ankle")[0] == 0
    code, out, err = as_user(vault_path, "reception", "report summary", "--images",
                             ",".join(items), "--out", str(tmp_path / "outbox"))
    assert code == 0, err
    pdf = next((tmp_path / "outbox").iterdir())
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "\u202e" not in text and "\x1b" not in text
    flat = " ".join(text.split())
    assert "a\\nDeleted the source b.jpg" in flat and "x\\u202egpj.exe" in flat


def test_names_are_escaped_when_a_refused_file_cannot_be_released(login, tmp_path):
    session = login("reception")
    gone = tmp_path / "drop" / FORGING
    with pytest.raises(QuarantineError, match=r"^a\\nDeleted the source b\.jpg is no longer"):
        release(session, gone, tmp_path)
    here, there = tmp_path / "drop", tmp_path / "letters"
    here.mkdir()
    there.mkdir()
    (here / REVERSED).write_text("a letter")
    (there / REVERSED).write_text("another letter")
    with pytest.raises(QuarantineError) as refused:
        release(session, here / REVERSED, there)
    assert "called x\\u202egpj.exe;" in str(refused.value)
    assert "\u202e" not in str(refused.value)
