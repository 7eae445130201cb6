"""The inbox: thumbnails of what is waiting to be filed, the import under way, quarantine."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.desk.quarantine import RefusedFile
from clinfile.ui.desk.quarantine_view import QuarantineView
from clinfile.ui.look import named, note

ICON_EDGE = 96
"""How large a picture is drawn in the inbox, on its longer side, in points."""


class InboxView(QWidget):
    """Unfiled pictures as they arrive, with the import's progress and the quarantine.

    Signals:
        selection_changed(list): the ids of the selected inbox items, in inbox order.
        cancel_requested: the person wants the import under way to stop.
    """

    selection_changed = Signal(list)
    cancel_requested = Signal()

    def __init__(self, model: QStandardItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.list = QListView()
        named(self.list, "Inbox", "Pictures waiting to be filed; select one or several")
        self.list.setModel(model)
        self.list.setViewMode(QListView.ViewMode.ListMode)
        self.list.setIconSize(QSize(ICON_EDGE, ICON_EDGE))
        self.list.setSpacing(3)
        self.list.setWordWrap(True)
        # Rows are laid out in one pass (the default), never in batches: a batched
        # list forgets every row's place at each arrival, filing or relabel and
        # places only its first batch before the keyboard, a scroll or a click
        # asks, so on a busy morning the rows past the first batch had no place,
        # no scrollbar and could not be reached.
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = note("Nothing waiting. Pictures saved to the drop folder appear here "
                          "by themselves; you can also drag files onto this window.")
        named(self.empty, "Inbox is empty")

        self.progress = QProgressBar()
        named(self.progress, "Import progress")
        self.progress.setFormat("Taking in %v of %m")
        self.cancel_button = QPushButton("Stop")
        named(self.cancel_button, "Stop the import",
              "Files already in the vault stay; the rest stay where they are")
        self.cancel_button.setToolTip("Stop the import (Ctrl+.)")
        self.cancel_button.clicked.connect(self.cancel_requested)
        progress_row = QHBoxLayout()
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        self.status = note("")
        named(self.status, "Inbox status")

        self.quarantine = QuarantineView()

        inbox_page = QWidget()
        inbox_layout = QVBoxLayout(inbox_page)
        inbox_layout.setContentsMargins(6, 6, 6, 6)
        inbox_layout.addWidget(self.list, 1)
        inbox_layout.addWidget(self.empty)
        self.tabs = QTabWidget()
        named(self.tabs, "Inbox and quarantine")
        self.tabs.addTab(inbox_page, "Inbox")
        self.tabs.addTab(self.quarantine, "Quarantine")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.status)
        self.model.rowsInserted.connect(self._counts_changed)
        self.model.rowsRemoved.connect(self._rows_removed)
        self._told: list[int] = []
        self._counts_changed()

    def selected_ids(self) -> list[int]:
        """The ids of the selected items, in inbox order."""
        rows = sorted(index.row() for index in self.list.selectionModel().selectedIndexes())
        return [self.model.item(row).data(Qt.ItemDataRole.UserRole) for row in rows]

    def select_row(self, row: int) -> None:
        """Select one item (the next to file) and put the keyboard focus on the inbox."""
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 0)
            self.list.setCurrentIndex(index)
            self.list.scrollTo(index)

    def show_progress(self, done: int, total: int | None) -> None:
        """Show how far the import has come."""
        self.progress_box.show()
        self.progress.setMaximum(total or 0)
        self.progress.setValue(done)

    def hide_progress(self) -> None:
        """The import is over."""
        self.progress_box.hide()

    def show_quarantine(self, files: list[RefusedFile]) -> None:
        """List the refused files, with their count on the tab."""
        self.quarantine.show_files(files)
        self.tabs.setTabText(1, f"Quarantine ({len(files)})" if files else "Quarantine")

    def _counts_changed(self) -> None:
        count = self.model.rowCount()
        self.empty.setVisible(count == 0)
        self.tabs.setTabText(0, f"Inbox ({count})" if count else "Inbox")

    def _rows_removed(self) -> None:
        """Say the selection changed when a chosen picture left the inbox; the rest stay chosen."""
        self._counts_changed()
        if self.selected_ids() != self._told:
            self._selection_changed()

    def _selection_changed(self) -> None:
        self._told = self.selected_ids()
        self.selection_changed.emit(self._told)


def dropped_files(urls) -> list[Path]:
    """The local files among dragged URLs."""
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
