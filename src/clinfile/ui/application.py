"""Starting the window: the application object, the house style, the controller."""

from __future__ import annotations

import sys
from functools import cache

from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from clinfile.resources import FALLBACK_FONT
from clinfile.ui.look import RESOURCES, stylesheet_text
from clinfile.ui.shell import Shell

# The reverse-DNS name the desktop entry, the AppStream metainfo and the icons carry.
APP_ID = "au.clinfile.Clinfile"


def prepare(app: QApplication) -> None:
    """Name the application and give it the house style (sizes follow the system font).

    The desktop file name lets a Wayland desktop match the window to its
    menu entry and icon.
    """
    app.setApplicationName("Clinfile")
    app.setApplicationDisplayName("Clinfile")
    app.setOrganizationName("Clinfile")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(RESOURCES / "clinfile-icon.svg")))
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet_text())
    _add_fallback_font()


@cache
def _add_fallback_font() -> None:
    """Let the window draw Korean, Chinese and Japanese names where the computer has no font.

    Qt looks for a missing letter in the fonts it knows, so the font the PDFs
    embed is made known to it; without it a patient named 김민준 shows as boxes.
    Once a process is enough: each addition would load the 3 MB font again.
    """
    QFontDatabase.addApplicationFont(str(RESOURCES / "fonts" / FALLBACK_FONT))


def run_window() -> int:
    """Open the window and run until it is closed; return the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    prepare(app)
    shell = Shell()
    shell.start()
    return app.exec()
