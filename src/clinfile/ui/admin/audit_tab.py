"""The audit trail for the practice manager and privacy officer: filter, judge, export.

Searching, judging and exporting are the audit service's (role-checked and
audited there); every one of them runs in a worker, since a practice's trail
grows by thousands of rows a week.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app import clock
from clinfile.app.audit.actions import act_name
from clinfile.app.audit.lines import HEADINGS
from clinfile.app.audit.service import AuditChoices, AuditFilter, AuditFindings, AuditService
from clinfile.app.audit.verdict import ChainVerdict
from clinfile.ui.admin.save_dialog import ask_where_to_save
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import cell, keep_room, named, note, primary, set_tone, table
from clinfile.ui.tasks import Tasks

_ANY_DAY = QDate(2000, 1, 1)


def _day_field(name: str) -> QDateEdit:
    """A date box whose first value reads "any day", meaning no limit."""
    field = named(QDateEdit(), name)
    field.setCalendarPopup(True)
    field.setDisplayFormat("dd/MM/yyyy")
    field.setMinimumDate(_ANY_DAY)
    field.setSpecialValueText("any day")
    field.setDate(_ANY_DAY)
    return field


def _day(field: QDateEdit) -> date | None:
    return None if field.date() == _ANY_DAY else field.date().toPython()


class AuditTab(QWidget):
    """Filters above, the trail's verdict, the matching rows, and the export buttons.

    Signals:
        shown(object): the rows a search found (:class:`AuditFindings`).
        judged(object): the trail's verdict (:class:`ChainVerdict`).
        exported(object): the path of a finished export.
    """

    shown = Signal(object)
    judged = Signal(object)
    exported = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._service: AuditService | None = None
        self._asked = AuditFilter()
        self._searches = 0
        self._judgements = 0
        self.first_day = _day_field("From this day")
        self.last_day = _day_field("To this day")
        self.user_box = named(QComboBox(), "Who acted")
        self.action_box = named(QComboBox(), "What was done")
        self.patient_edit = named(QLineEdit(), "Patient id or record number")
        self.patient_edit.setPlaceholderText("id or record number")
        self.show_button = named(primary(QPushButton("Show &entries")), "Show the matching entries")
        self.verdict = named(keep_room(note("Checking the audit trail…"), 3), "Audit verdict")
        self.verdict.setWordWrap(True)
        self.check_button = named(QPushButton("Chec&k again"), "Check the audit trail again")
        self.table = table(len(HEADINGS), "Audit entries")
        self.table.setHorizontalHeaderLabels(list(HEADINGS))
        # Entry, When and Who take their width; What, About and Details share what is
        # left and wrap their words, so no column runs past the right edge.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in range(HEADINGS.index("What"), len(HEADINGS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.count = named(note(""), "How many entries")
        self.csv_button = named(QPushButton("E&xport CSV…"), "Export these entries as CSV")
        self.pdf_button = named(QPushButton("Export P&DF…"), "Export these entries as PDF")
        self.message = named(note(""), "Audit message")
        self._lay_out()
        self.show_button.clicked.connect(self.show_entries)
        self.patient_edit.returnPressed.connect(self.show_entries)
        self.check_button.clicked.connect(self.judge)
        self.csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.pdf_button.clicked.connect(lambda: self._ask_export("pdf"))

    def _lay_out(self) -> None:
        filters = QGridLayout()
        for column, (text, field) in enumerate((("Fro&m", self.first_day), ("T&o", self.last_day),
                                                ("&Who", self.user_box),
                                                ("Wha&t", self.action_box),
                                                ("Patie&nt", self.patient_edit))):
            label = QLabel(text)
            label.setBuddy(field)
            filters.addWidget(label, 0, column)
            filters.addWidget(field, 1, column)
        filters.addWidget(self.show_button, 1, 5)
        filters.setColumnStretch(4, 1)
        for box in (self.user_box, self.action_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        judged = QHBoxLayout()
        judged.addWidget(self.verdict, 1)
        judged.addWidget(self.check_button)
        exports = QHBoxLayout()
        exports.addWidget(self.count, 1)
        exports.addWidget(self.csv_button)
        exports.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(judged)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(exports)
        layout.addWidget(self.message)

    def show_for(self, service: AuditService) -> None:
        """Read the trail for this session, now if the tab is in view, else once it is."""
        self._service = service
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """Each time the tab comes into view, read the trail as it stands now.

        Other tabs and workstations add entries all day; a verdict, a list of
        acts or rows left from an earlier look would not show them.
        """
        super().showEvent(event)
        if self._service is not None:
            self.refresh()

    def refresh(self) -> None:
        """Judge the trail, fill the filter lists, and show the newest entries they pick."""
        self._tasks.run(self._service.choices, owner=self).success(self._fill_choices).failure(
            self._failed)
        self.show_entries()

    def show_entries(self) -> None:
        """Judge the trail again as the entries are shown, so the two speak of the same trail.

        Entries are added while the tab is open; a verdict on fewer entries
        than the list shows would leave the newest unchecked.
        """
        self.judge()
        self.search()

    def judge(self) -> None:
        """Check the whole chain in a worker and say what was found."""
        self.verdict.setText("Checking the audit trail…")
        set_tone(self.verdict, "quiet")
        self._judgements += 1
        asked_as = self._judgements
        self._tasks.run(self._service.verdict, owner=self).success(
            lambda verdict: self._judged(verdict) if asked_as == self._judgements else None
        ).failure(self._failed)

    def search(self) -> None:
        """Show the newest entries the filters pick."""
        self._asked = AuditFilter(_day(self.first_day), _day(self.last_day),
                                  self.user_box.currentData() or "",
                                  self.patient_edit.text().strip(),
                                  self.action_box.currentData() or "")
        self.message.setText("Searching…")
        set_tone(self.message, "quiet")
        self._searches += 1
        asked_as = self._searches
        self._tasks.run(self._service.search, self._asked, owner=self).success(
            lambda found: self._show(found) if asked_as == self._searches else None).failure(
            self._failed)

    def export_to(self, path: Path, file_format: str) -> None:
        """Write every entry the last search picked to ``path``, in a worker."""
        self.message.setText(f"Writing {path.name}…")
        set_tone(self.message, "quiet")
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)
        self._tasks.run(self._service.export, self._asked, path, file_format,
            owner=self).success(self._exported).failure(self._failed)

    def _fill_choices(self, choices: AuditChoices) -> None:
        for box, everyone, values in (
                (self.user_box, "Everyone", choices.users),
                (self.action_box, "Every act", {a: act_name(a) for a in choices.actions})):
            kept = box.currentData() or ""
            box.clear()
            box.addItem(everyone, "")
            for value, words in values.items():
                box.addItem(words, value)
            box.setCurrentIndex(max(0, box.findData(kept)))

    def _judged(self, verdict: ChainVerdict) -> None:
        problems = "".join(f"\n• {p}" for p in verdict.problems[:5])
        more = len(verdict.problems) - 5
        self.verdict.setText(verdict.words + problems + (f"\n… and {more} more" if more > 0
                                                         else ""))
        set_tone(self.verdict, "ok" if verdict.whole else "error")
        self.judged.emit(verdict)

    def _show(self, found: AuditFindings) -> None:
        self.table.setRowCount(len(found.lines))
        for row, line in enumerate(found.lines):
            for column, text in enumerate(line.cells):
                self.table.setItem(row, column, cell(text))
        shown = len(found.lines)
        self.count.setText(f"Showing the newest {shown:,} of {found.total:,} entries."
                           if found.total > shown else
                           f"{found.total:,} {'entry' if found.total == 1 else 'entries'}.")
        self.message.setText("" if found.total else "No entry matches these filters.")
        set_tone(self.message, "quiet")
        self.shown.emit(found)

    def _ask_export(self, file_format: str) -> None:
        suggested = Path.home() / f"audit-{clock.today():%Y-%m-%d}.{file_format}"
        kinds = "CSV files (*.csv)" if file_format == "csv" else "PDF files (*.pdf)"
        self.save_dialog = ask_where_to_save(self, f"Export the audit as {file_format.upper()}",
                                             suggested, kinds,
                                             lambda path: self.export_to(path, file_format))

    def _exported(self, path: Path) -> None:
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(True)
        self.message.setText(f"Written to {path}. Its export is recorded in the audit trail.")
        set_tone(self.message, "ok")
        self.exported.emit(path)

    def _failed(self, error: BaseException) -> None:
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(True)
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")


