"""Putting real files and patients where a person would find them in the window."""

from __future__ import annotations

import shutil
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
    from app.security.session import Session
    from db.connection import transaction
    from db.patients import PatientRepository, PatientValues

    session = Session.login(vault_path, "admin", PASSWORDS["admin"])
    with session.vault.index() as conn, transaction(conn):
        repo = PatientRepository(conn)
        ids = [repo.add(PatientValues(record, family, given, birth_date=born, suburb=suburb),
                        "2026-01-01T00:00:00+00:00").id
               for record, family, given, born, suburb in rows]
    session.lock()
    return ids
