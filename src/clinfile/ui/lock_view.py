"""The locked screen: nothing of any patient is visible until the same person unlocks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.ui.look import ask_again, heading, keep_room, named, note, password_box, primary


class LockView(QWidget):
    """Covers the whole window while the vault is locked.

    Signals:
        unlock_requested(str): the password to unlock with.
        log_out_requested: someone else wants to log in instead.
    """

    unlock_requested = Signal(str)
    log_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LockView")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card = QFrame()
        card.setProperty("card", True)
        card.setFixedWidth(520)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 32, 36, 32)
        inner.setSpacing(12)
        self.title = heading("Clinfile is locked", 1.7)
        inner.addWidget(self.title)
        self.reason = note("")
        inner.addWidget(self.reason)
        self.waiting = named(note(""), "Files waiting in the drop folder")
        self.waiting.hide()
        inner.addWidget(self.waiting)
        self.password_edit = password_box("Password to unlock", self._submit)
        self.password_edit.setPlaceholderText("Password")
        inner.addWidget(self.password_edit)
        self.message = keep_room(note("", "error"), 2)
        named(self.message, "Unlock message")
        inner.addWidget(self.message)
        self.unlock_button = primary(QPushButton("Unlock"))
        named(self.unlock_button, "Unlock")
        self.unlock_button.setToolTip("Unlock (Enter)")
        inner.addWidget(self.unlock_button)
        self.log_out_button = QPushButton("Someone else: log out")
        named(self.log_out_button, "Log out",
              "Ends this session; work not yet filed stays in the inbox")
        inner.addWidget(self.log_out_button)

        self.unlock_button.clicked.connect(self._submit)
        self.log_out_button.clicked.connect(self.log_out_requested)

        # Centred by stretches, not by an alignment flag: an aligned widget is
        # given its preferred height, which for wrapped text is worked out at
        # another width, and the reason lost its last line.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def show_locked(self, user: str, why: str) -> None:
        """Show who may unlock, and why the window locked."""
        self.reason.setText(f"{why} Patient pictures and details are hidden. "
                            f"{user}, type your password to carry on where you were.")
        self.password_edit.clear()
        self.message.clear()
        self.set_busy(False)
        self.password_edit.setFocus()

    def show_waiting(self, count: int) -> None:
        """Say how many files arrived in the drop folder, to be taken in on unlocking."""
        self.waiting.setVisible(count > 0)
        if count == 1:
            words = "1 file is waiting in the drop folder; Clinfile takes it in"
        else:
            words = f"{count} files are waiting in the drop folder; Clinfile takes them in"
        self.waiting.setText(f"{words} when you unlock.")

    def set_busy(self, busy: bool) -> None:
        """Show that the password is being checked."""
        self.unlock_button.setEnabled(not busy)
        self.unlock_button.setText("Checking…" if busy else "Unlock")

    def show_refusal(self, text: str) -> None:
        """Say the password did not unlock."""
        self.set_busy(False)
        self.message.setText(text)
        ask_again(self.password_edit)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        self.message.clear()
        self.set_busy(True)
        self.unlock_requested.emit(self.password_edit.text())
