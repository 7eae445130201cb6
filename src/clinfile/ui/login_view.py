"""Logging in, which is unlocking: a name and a password open the vault's key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.ui.look import ask_again, heading, named, note, password_box, primary, set_tone


class LoginView(QWidget):
    """The login screen.

    Signals:
        unlock_requested(str, str): user name and password to try.
        change_vault_requested: the person wants a different vault folder.
    """

    unlock_requested = Signal(str, str)
    change_vault_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QFrame()
        card.setProperty("card", True)
        card.setFixedWidth(560)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 32, 36, 32)
        inner.setSpacing(12)
        inner.addWidget(heading("Log in to Clinfile", 1.7))
        self.vault_label = note("")
        self.vault_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        vault_row = QHBoxLayout()
        vault_row.addWidget(self.vault_label, 1)
        self.change_button = QPushButton("Other vault…")
        named(self.change_button, "Open a different vault")
        self.change_button.clicked.connect(self.change_vault_requested)
        vault_row.addWidget(self.change_button)
        inner.addLayout(vault_row)

        form = QFormLayout()
        self.user_edit = QLineEdit()
        named(self.user_edit, "User name")
        self.password_edit = password_box("Password", self._submit)
        form.addRow("&User name", self.user_edit)
        form.addRow("&Password", self.password_edit)
        inner.addLayout(form)
        self.message = note("", "error")
        named(self.message, "Login message")
        inner.addWidget(self.message)
        self.unlock_button = primary(QPushButton("Log in"))
        named(self.unlock_button, "Log in")
        self.unlock_button.setToolTip("Log in (Enter)")
        inner.addWidget(self.unlock_button)

        self.unlock_button.clicked.connect(self._submit)
        self.user_edit.returnPressed.connect(self.password_edit.setFocus)

        # Centred by stretches, as the lock page is: an aligned card is given
        # its preferred height worked out at another width, and a message of
        # three lines squeezed the name and password boxes to slivers.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def show_vault(self, location: str, user: str = "") -> None:
        """Show which vault this login opens, and pre-fill who logged in last."""
        self.vault_label.setText(f"Vault: {location}")
        self.user_edit.setText(user)
        self.password_edit.clear()
        self.message.clear()
        self.set_busy(False)
        (self.password_edit if user else self.user_edit).setFocus()

    def set_busy(self, busy: bool) -> None:
        """Show that the vault is being opened; stop a second click meanwhile."""
        self.unlock_button.setEnabled(not busy)
        self.unlock_button.setText("Opening the vault…" if busy else "Log in")

    def show_refusal(self, text: str) -> None:
        """Say why the login did not work (never which part was wrong)."""
        self.set_busy(False)
        self.message.setText(text)
        set_tone(self.message, "error")
        ask_again(self.password_edit)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        self.message.clear()
        self.set_busy(True)
        self.unlock_requested.emit(self.user_edit.text().strip(), self.password_edit.text())
