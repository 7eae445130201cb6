"""The quarantine tab: each refused file with its reason, and what can be done with it.

Choosing a file shows why it was refused, when, and how big it was: the look
a person takes before deciding. Release moves it to a folder they choose,
Delete removes it, Open folder shows where it is in the file manager.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.desk.quarantine import RefusedFile, refused_words
from clinfile.ui.look import named, note

FILE_ROLE = Qt.ItemDataRole.UserRole


class QuarantineView(QWidget):
    """Refused files, the chosen one's details, and the three things to do with it.

    Signals:
        release_requested(object): move the chosen :class:`RefusedFile` elsewhere.
        delete_requested(object): delete the chosen file for good.
        open_folder_requested(object): show the chosen file's folder.
    """

    release_requested = Signal(object)
    delete_requested = Signal(object)
    open_folder_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        named(self.list, "Quarantine", "Files that were not taken in, with the reason")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.details = named(note("Files that could not be taken in appear here, each with "
                                  "the reason."), "About the chosen file")
        self.release_button = named(QPushButton("&Release…"), "Release",
                                    "Move the file out of the drop folder to a folder you choose")
        self.delete_button = named(QPushButton("Dele&te…"), "Delete the refused file")
        self.folder_button = named(QPushButton("&Open folder"), "Open the file's folder")
        # Two rows: the inbox column is narrow, and a cut button label says nothing.
        buttons = QGridLayout()
        buttons.addWidget(self.release_button, 0, 0)
        buttons.addWidget(self.delete_button, 0, 1)
        buttons.addWidget(self.folder_button, 1, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(lambda *_: self._chosen_changed())
        self.release_button.clicked.connect(lambda: self._request(self.release_requested))
        self.delete_button.clicked.connect(lambda: self._request(self.delete_requested))
        self.folder_button.clicked.connect(lambda: self._request(self.open_folder_requested))
        self._chosen_changed()

    def show_files(self, files: list[RefusedFile]) -> None:
        """List refused files, keeping the chosen one chosen if it is still there."""
        before = self.chosen.path if self.chosen else None
        self.list.clear()
        for refused in files:
            item = QListWidgetItem(f"{refused.name}\n{refused.reason}")
            item.setData(FILE_ROLE, refused)
            self.list.addItem(item)
            if refused.path == before:
                self.list.setCurrentItem(item)
        self._chosen_changed()

    @property
    def chosen(self) -> RefusedFile | None:
        """The file the person chose, if any."""
        item = self.list.currentItem()
        return item.data(FILE_ROLE) if item else None

    def refused_paths(self) -> frozenset[Path]:
        """Where the listed refused files were found (they stay there until someone acts)."""
        return frozenset(self.list.item(row).data(FILE_ROLE).path
                         for row in range(self.list.count()))

    def _chosen_changed(self) -> None:
        refused = self.chosen
        for button in (self.release_button, self.delete_button):
            button.setEnabled(refused is not None and refused.present)
        self.folder_button.setEnabled(refused is not None)
        if refused is not None:
            self.details.setText(f"{refused.name}: {refused.because} {refused_words(refused)}, "
                                 f"in {refused.path.parent}.")

    def _request(self, signal: Signal) -> None:
        if self.chosen is not None:
            signal.emit(self.chosen)
