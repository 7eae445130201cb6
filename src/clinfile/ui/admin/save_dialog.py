"""Asking where to save a file, in a dialog the keyboard (and a test) can drive.

The dialog is Qt's own, not the desktop's, and opened window-modal rather
than run in a nested event loop, so the window keeps painting and the answer
arrives as a signal like every other. When it closes, the keyboard goes back
to the window that asked, so its Alt keys work at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from clinfile.ui.admin.forms import keys_back_to


def ask_where_to_save(parent: QWidget, title: str, suggested: Path, kinds: str,
                      chosen: Callable[[Path], None]) -> QFileDialog:
    """Open a save dialog suggesting ``suggested``; call ``chosen`` with the path picked."""
    dialog = QFileDialog(parent, title, str(suggested.parent), kinds)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(suggested.suffix.lstrip("."))
    dialog.selectFile(suggested.name)
    dialog.fileSelected.connect(lambda name: chosen(Path(name)))
    dialog.finished.connect(lambda _result: keys_back_to(parent))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def in_outbox(outbox: str, name: str) -> Path:
    """Where a file to hand on is first suggested: ``name`` in this computer's outbox.

    The summaries and exports go there, so the practice finds every output in
    one folder; the home folder only while no outbox is set.
    """
    return Path(outbox or Path.home()) / name
