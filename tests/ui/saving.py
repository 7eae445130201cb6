"""Answering the window's own save dialog as a person does: go to the folder, type a name, Save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit


def save_as(qtbot, dialog, path: Path) -> None:
    """Open ``path``'s folder in the dialog, type the file's name and click Save."""
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.setDirectory(str(path.parent))
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    name.clear()
    qtbot.keyClicks(name, path.name)
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.waitUntil(lambda: save.isEnabled() and save.text() == "&Save", timeout=5000)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
