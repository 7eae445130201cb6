"""Starting the window: the application object, the house style, the controller."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

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


def run_window() -> int:
    """Open the window and run until it is closed; return the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    prepare(app)
    shell = Shell()
    shell.start()
    return app.exec()
