"""Privacy incidents: report a picture sent to the wrong person, and print its summary.

Recording, listing and the summary are the incident service's (role-checked
and audited there); this tab shows the guidance, the reports so far, and
asks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.clock import local_time
from clinfile.app.incidents.guidance import BREACH, SOURCE
from clinfile.app.incidents.service import ExportSent, Incident, IncidentService
from clinfile.ui.admin.forms import open_form
from clinfile.ui.admin.incident_dialog import IncidentDialog
from clinfile.ui.admin.save_dialog import ask_where_to_save
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import cell, named, note, primary, set_tone, table
from clinfile.ui.printing import ask_and_print
from clinfile.ui.tasks import Tasks

HEADINGS = ["No.", "Reported", "By", "Patient", "Sent to", "Found out"]


class IncidentsTab(QWidget):
    """The guidance, "Report a wrongly sent image", and the reports with their summaries.

    Signals:
        listed(object): the incidents, as shown.
        reported(object): a report just recorded (:class:`Incident`).
        summary_written(object): the path of a summary just saved.
    """

    listed = Signal(object)
    reported = Signal(object)
    summary_written = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._service: IncidentService | None = None
        self._incidents: list[Incident] = []
        self.report_button = named(primary(QPushButton("Report a &wrongly sent image…")),
                                   "Report a wrongly sent image")
        self.table = table(len(HEADINGS), "Incidents reported")
        self.table.setHorizontalHeaderLabels(HEADINGS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.print_button = named(QPushButton("Print the summar&y…"),
                                  "Print the chosen incident's summary")
        self.save_button = named(QPushButton("Save the summary as P&DF…"),
                                 "Save the chosen incident's summary as PDF")
        self.message = named(note(""), "Incidents message")
        summary = QHBoxLayout()
        summary.addWidget(self.print_button)
        summary.addWidget(self.save_button)
        summary.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(note(f"\u201c{BREACH}\u201d ({SOURCE})", "warning"), 1)
        top.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(summary)
        layout.addWidget(self.message)
        self.report_button.clicked.connect(self.ask_report)
        self.print_button.clicked.connect(self._print)
        self.save_button.clicked.connect(self._ask_save)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def show_for(self, service: IncidentService) -> None:
        """Work with this session's incidents; list them in a worker."""
        self._service = service
        self.refresh()

    def refresh(self) -> None:
        """Read the reports again."""
        self._tasks.run(self._service.all, owner=self).success(self._show).failure(self._failed)

    def ask_report(self) -> None:
        """Read the exports in a worker, then open the report form."""
        self.message.setText("Reading the exports from the audit trail…")
        set_tone(self.message, "quiet")
        self._tasks.run(self._service.exports,
            owner=self).success(self._open_form).failure(self._failed)

    def save_summary_to(self, path: Path) -> None:
        """Write the chosen incident's summary to ``path``, in a worker."""
        chosen = self._chosen()
        if chosen is None:
            return
        self._tasks.run(self._service.write_summary, chosen.row.id, path, owner=self).success(
            self._summary_saved).failure(self._failed)

    def _open_form(self, exports: list[ExportSent]) -> None:
        self.message.setText("")
        dialog = IncidentDialog(exports, self)
        self.dialog = open_form(dialog, self.table, lambda: self._tasks.write(
            self._service.report, dialog.report, owner=self).success(self._reported).failure(
            self._failed))

    def _reported(self, incident: Incident) -> None:
        self.message.setText(f"Incident {incident.row.id} is recorded and linked to the "
                             f"export in the audit trail. Print its summary for the practice "
                             "manager.")
        set_tone(self.message, "ok")
        self.reported.emit(incident)
        self.refresh()

    def _show(self, incidents: list[Incident]) -> None:
        self._incidents = incidents
        self.table.setRowCount(len(incidents))
        for row, incident in enumerate(incidents):
            record = incident.row
            patient = incident.export.patient if incident.export else "not known"
            cells = (str(record.id), local_time(record.reported_at), incident.reporter,
                     patient, record.sent_to,
                     local_time(record.found_on))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, cell(text))
        if incidents:
            self.table.selectRow(0)
        self.listed.emit(incidents)

    def _chosen(self) -> Incident | None:
        rows = self.table.selectionModel().selectedRows()
        return self._incidents[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self._chosen() is not None
        self.print_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)

    def _print(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        task = ask_and_print(self, self._tasks, lambda path: self._service.write_summary(
            chosen.row.id, path))
        if task is not None:
            task.success(lambda _: self._say("The summary was sent to the printer.")).failure(
                self._failed)

    def _ask_save(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.save_dialog = ask_where_to_save(
                self, "Save the incident summary",
                Path.home() / f"Incident {chosen.row.id} summary.pdf", "PDF documents (*.pdf)",
                self.save_summary_to)

    def _summary_saved(self, path: Path) -> None:
        self._say(f"Saved to {path}.")
        self.summary_written.emit(path)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        set_tone(self.message, "ok")

    def _failed(self, error: BaseException) -> None:
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")
