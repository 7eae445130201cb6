"""Pictures past their retention date: check them, then delete them for good, audited.

Listing and deleting are the retention service's (admins only, each deletion
audited with its reason); this tab asks for the reason and a confirmation
that names how many pictures of how many patients go.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.filing.deletion_list import DueImage, due_for_deletion
from clinfile.app.filing.retention import Deletion, RetentionService
from clinfile.app.security.session import Session
from clinfile.ui.admin.forms import open_form
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import cell, elide_names, elided_list, named, note, set_tone, table
from clinfile.ui.tasks import Tasks

# The longest word of a patient's name shown whole, so their record number still shows.
NAME_LETTERS = 24
HEADINGS = ["Picture", "Patient", "Born", "What it shows", "Last entry", "Kept until"]


class DeleteDialog(QDialog):
    """Says which pictures will go, for good, and asks why."""

    def __init__(self, chosen: list[DueImage], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete for good")
        self.reason_edit = named(QLineEdit("Retention period ended"), "Why they are deleted")
        self.pictures = named(elided_list([c.named for c in chosen], NAME_LETTERS),
                              "The pictures to delete")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.delete_button.setText("&Delete for good")
        # Return alone must never delete: only a deliberate press of this button does.
        self.delete_button.setAutoDefault(False)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(True)
        cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        pictures, patients = len(chosen), len({c.patient for c in chosen})
        form = QFormLayout(self)
        form.addRow(note(f"{pictures} {'picture' if pictures == 1 else 'pictures'} of "
                         f"{patients} {'patient' if patients == 1 else 'patients'} will be "
                         "deleted from the vault and cannot be brought back. The audit trail "
                         "keeps a note of each, with the reason.", "warning"))
        form.addRow(self.pictures)
        form.addRow("&Reason", self.reason_edit)
        form.addRow(buttons)
        self.reason_edit.setFocus()
        self.reason_edit.textChanged.connect(
            lambda text: self.delete_button.setEnabled(bool(text.strip())))
        self.resize(min(self.sizeHint().width() * 2, 720), self.sizeHint().height())


class RetentionTab(QWidget):
    """The list of what is due, and Delete.

    Signals:
        listed(object): the pictures due, as shown.
        deleted(object): the ids of the pictures just deleted.
    """

    listed = Signal(object)
    deleted = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._session: Session | None = None
        self._due: list[DueImage] = []
        self.table = elide_names(table(len(HEADINGS), "Pictures due for deletion"))
        self.table.setHorizontalHeaderLabels(HEADINGS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.refresh_button = named(QPushButton("Loo&k again"), "Look again for what is due")
        self.delete_button = named(QPushButton("&Delete the chosen pictures…"),
                                   "Delete the chosen pictures for good")
        self.count = named(note(""), "How many are due")
        self.message = named(note(""), "Retention message")
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note("Pictures whose patient's record has been kept as long as the law "
                              "and the practice's settings ask. Choose the ones to delete "
                              "(Shift or Ctrl with the arrows or the mouse to choose several)."))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.refresh_button.clicked.connect(self.refresh)
        self.delete_button.clicked.connect(self._ask_delete)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def show_for(self, session: Session) -> None:
        """Work on this session's vault and read what is due."""
        self._session = session
        self.refresh()

    def refresh(self) -> None:
        """Read again which pictures are due, in a worker."""
        self.count.setText("Looking for pictures past their retention date…")
        self._tasks.run(due_for_deletion, self._session, owner=self).success(
            self._show).failure(self._failed)

    def _show(self, due: list[DueImage]) -> None:
        chosen = {c.image_id for c in self._chosen()}
        self._due = due
        self.table.setRowCount(len(due))
        for row, image in enumerate(due):
            cells = (str(image.image_id), image.patient, image.born, image.description,
                     image.last_entry.strftime("%d/%m/%Y"), image.keep_until.strftime("%d/%m/%Y"))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, cell(text, NAME_LETTERS))
        self._choose_again(chosen)
        self.count.setText(f"{len(due)} {'picture is' if len(due) == 1 else 'pictures are'} "
                           "past their retention date." if due else
                           "No picture is past its retention date.")
        if not due:
            self._tasks.run(RetentionService(self._session).next_due, owner=self).success(
                self._say_next).failure(self._failed)
        self.listed.emit(due)

    def _say_next(self, next_due: date | None) -> None:
        if self._due:
            return
        self.count.setText("No picture is past its retention date. " + (
            f"The next falls due on {next_due:%d/%m/%Y}." if next_due else
            "No picture is kept in any record yet."))

    def _chosen(self) -> list[DueImage]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._due[row] for row in rows if row < len(self._due)]

    def _choose_again(self, image_ids: set[int]) -> None:
        """Keep chosen the pictures that were chosen and are still listed, and no others.

        The rows are written afresh; left alone, the choice would stay on the
        same row numbers and slide onto pictures nobody chose once those above
        were deleted, ready for a second Delete.
        """
        self.table.clearSelection()
        rows = QItemSelection()
        for row, image in enumerate(self._due):
            if image.image_id in image_ids:
                rows.select(self.table.model().index(row, 0),
                            self.table.model().index(row, self.table.columnCount() - 1))
        self.table.selectionModel().select(rows, QItemSelectionModel.SelectionFlag.Select)

    def _selection_changed(self) -> None:
        self.delete_button.setEnabled(bool(self._chosen()))

    def _ask_delete(self) -> None:
        chosen = self._chosen()
        if not chosen:
            return
        dialog = DeleteDialog(chosen, self)
        ids = [c.image_id for c in chosen]
        self.delete_dialog = open_form(
            dialog, self.table, lambda: self._delete(ids, dialog.reason_edit.text()))

    def _delete(self, ids: list[int], reason: str) -> None:
        self.message.setText("Deleting…")
        set_tone(self.message, "quiet")
        self._tasks.write(RetentionService(self._session).delete, ids, reason,
            owner=self).success(self._deleted).failure(self._failed)

    def _deleted(self, deletion: Deletion) -> None:
        self.message.setText(deletion.words())
        set_tone(self.message, "ok" if deletion.deleted else "warning")
        self.deleted.emit(list(deletion.deleted))
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")
