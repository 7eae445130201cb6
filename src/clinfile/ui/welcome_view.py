"""The first thing a new computer shows: set up a vault, or open one that exists."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QPushButton, QVBoxLayout, QWidget

from clinfile.ui.look import heading, named, note, primary


class WelcomeView(QWidget):
    """Two choices, nothing else.

    Signals:
        setup_requested: the person wants to create a new vault.
        open_requested: the person wants to open a vault that already exists.
    """

    setup_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QFrame()
        card.setProperty("card", True)
        card.setFixedWidth(640)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 32, 36, 32)
        inner.setSpacing(14)
        inner.addWidget(heading("Welcome to Clinfile", 1.9))
        inner.addWidget(note(
            "Clinfile keeps clinical photographs in an encrypted vault on this computer and "
            "files each one to the right patient with the consent it needs."))
        self.setup_button = primary(QPushButton("Set up a new vault…"))
        named(self.setup_button, "Set up a new vault",
              "Creates the practice's encrypted vault and its first admin")
        self.setup_button.clicked.connect(self.setup_requested)
        self.open_button = QPushButton("Open an existing vault…")
        named(self.open_button, "Open an existing vault")
        self.open_button.clicked.connect(self.open_requested)
        inner.addSpacing(8)
        inner.addWidget(self.setup_button)
        inner.addWidget(self.open_button)
        inner.addWidget(note("Setting up is done once per practice, by the practice manager."))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
