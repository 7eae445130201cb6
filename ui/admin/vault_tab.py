"""Care of the vault: verify it and back it up."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.desk.maintenance import back_up, verify
from app.desk.opening import OpenedDesk
from ui.errors import in_plain_words
from ui.look import named
from ui.tasks import Tasks


class VaultTab(QWidget):
    """Verify the vault and back it up."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._desk: OpenedDesk | None = None
        self.verify_button = named(QPushButton("Verify the vault"), "Verify the vault",
                                   "Checks every page, picture, audit entry and key")
        self.backup_button = named(QPushButton("Back up to a folder…"), "Back up the vault")
        self.report = named(QPlainTextEdit(), "Vault check results")
        self.report.setReadOnly(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.backup_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.report)
        self.verify_button.clicked.connect(self.verify)
        self.backup_button.clicked.connect(self._ask_backup)

    def show_for(self, desk: OpenedDesk) -> None:
        """Work on this session's vault."""
        self._desk = desk

    def verify(self) -> None:
        """Check the whole vault in a worker and show what was found."""
        self.report.setPlainText("Checking the vault…")
        self.verify_button.setEnabled(False)
        self._tasks.run(verify, self._desk.session).success(self._verified).failure(self._failed)

    def back_up_to(self, folder: Path) -> None:
        """Write an encrypted copy of the vault into ``folder``."""
        self.report.setPlainText(f"Backing up to {folder}…")
        self._tasks.run(back_up, self._desk.session, folder).success(
            lambda root: self.report.setPlainText(f"An encrypted copy was written to {root}."))\
            .failure(self._failed)

    def _ask_backup(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose an empty folder for the backup")
        if chosen:
            self.back_up_to(Path(chosen))

    def _verified(self, report) -> None:
        self.verify_button.setEnabled(True)
        if report.ok:
            self.report.setPlainText(f"All checks passed ({len(report.checked)} parts checked).")
        else:
            self.report.setPlainText("Problems found:\n" + "\n".join(
                f"• {problem}" for problem in report.problems))

    def _failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.report.setPlainText(in_plain_words(error))
