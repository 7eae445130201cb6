"""Putting real files and patients where a person would find them in the window."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.conftest import PASSWORDS

PICTURE_SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".tiff"}


def corpus_pictures(corpus: Path) -> list[Path]:
    """Every picture file of the shared corpus, in a fixed order."""
    return sorted(p for p in corpus.rglob("*") if p.suffix.lower() in PICTURE_SUFFIXES)


def copy_into(files: list[Path], folder: Path) -> list[Path]:
    """Copy files into ``folder`` under unique names (the corpus itself is read-only)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for number, source in enumerate(files):
        target = folder / f"{number:03d}-{source.name}"
        shutil.copyfile(source, target)
        copies.append(target)
    return copies


def drop_files(widget: QWidget, files: list[Path]) -> None:
    """Drag files onto a widget and let go, as from a file manager."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    centre = QPointF(widget.rect().center())
    enter = QDragEnterEvent(centre.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


def add_patients(vault_path: Path, rows) -> list[int]:
    """Add (record, family, given, born, suburb) rows to the index, as an import would."""
    from clinfile.app.security.session import Session
    from clinfile.db.connection import transaction
    from clinfile.db.patients import PatientRepository, PatientValues

    session = Session.login(vault_path, "admin", PASSWORDS["admin"])
    with session.vault.index() as conn, transaction(conn):
        repo = PatientRepository(conn)
        ids = [repo.add(PatientValues(record, family, given, birth_date=born, suburb=suburb),
                        "2026-01-01T00:00:00+00:00").id
               for record, family, given, born, suburb in rows]
    session.lock()
    return ids


def arrive(qtbot, shell, corpus, drop, count: int) -> list:
    """Drop corpus photos into the watched folder and wait until the inbox shows them."""
    photos = sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[:count]
    sources = copy_into(photos, drop)
    inbox = shell.desk_view.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == count, timeout=30000)
    return sources


def log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path, user: str,
                              count: int):
    """Watch a fresh drop folder, log ``user`` in, and wait for ``count`` photos to arrive."""
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in(user)
    arrive(qtbot, shell, corpus, drop, count)
    return shell


def choose_patient(qtbot, shell, typed: str) -> None:
    desk = shell.desk_controller
    qtbot.keyClick(shell.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(desk.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == typed):
        qtbot.keyClicks(desk.panel.search_edit, typed)
    with qtbot.waitSignal(desk.patient_chosen, timeout=5000):
        qtbot.keyClick(desk.panel.search_edit, Qt.Key.Key_Return)


def pick(qtbot, combo, typed: str) -> None:
    """Choose in a drop-down list by typing, as a person using the keyboard does."""
    combo.setFocus()
    qtbot.keyClicks(combo, typed)


def select_first(qtbot, shell, count: int) -> None:
    inbox = shell.desk_view.inbox
    with qtbot.waitSignal(shell.desk_controller.previewed, timeout=15000):
        inbox.select_row(0)
    inbox.list.setFocus()
    for _ in range(count - 1):
        qtbot.keyClick(inbox.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(shell.desk_controller.filing.selected) == count, timeout=5000)


def describe(qtbot, classify) -> None:
    pick(qtbot, classify.kind, "Clinical")
    pick(qtbot, classify.site, "Ankle")
    pick(qtbot, classify.side, "left")
    qtbot.keyClicks(classify.detail, "outer ankle bone")
    qtbot.keyClicks(classify.description, "itchy rash")
    qtbot.keyClicks(classify.purpose, "to watch healing")
    qtbot.keyClicks(classify.episode, "rash, left ankle")


def record_verbal_consent(qtbot, shell):
    filing = shell.desk_controller.filing
    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.method_buttons[dialog.method].text().startswith("Spoken")
    for box in dialog.told:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000) as recorded:
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible() and shell.window.isActiveWindow(),
                    timeout=5000)
    return recorded.args[0]


def phone_with_photos(corpus: Path, tmp_path: Path, count: int) -> Path:
    """A phone plugged in over a cable: tmp_path/media/PHONE/DCIM/100APPLE with today's photos.

    Each copy is a second newer than the one before, so the last is the newest.
    """
    photos = sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[:count]
    dcim = tmp_path / "media" / "PHONE" / "DCIM" / "100APPLE"
    now = time.time()
    for age, copy in enumerate(reversed(copy_into(photos, dcim)), start=1):
        os.utime(copy, (now - age, now - age))
    return dcim
