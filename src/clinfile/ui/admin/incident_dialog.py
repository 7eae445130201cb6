"""The form for reporting a picture sent to the wrong person.

The person chooses the export from the audit trail's list; what was sent
and when come from it, and they say who received it, when it came to light
and what has been done. "Record the incident" stays greyed out, with the
reason beside it, until every part is there; the core checks them again.
"""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from clinfile.app.incidents.guidance import BREACH, SOURCE
from clinfile.app.incidents.service import LONGEST, ExportSent, IncidentReport, report_problem
from clinfile.ui.look import keep_room, named, note


class IncidentDialog(QDialog):
    """Which export, what was sent, to whom, found out when, and what was done."""

    def __init__(self, exports: list[ExportSent], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Report a wrongly sent image")
        self.setMinimumWidth(640)
        self._exports = exports
        self.export_box = named(QComboBox(), "The export that went to the wrong person")
        for export in exports:
            self.export_box.addItem(export.choice_words, export.seq)
        self.sent_at = named(QLabel(""), "When it was sent")
        self.what_edit = named(QPlainTextEdit(), "What was sent")
        self.sent_to_edit = named(QLineEdit(), "Who received it")
        self.sent_to_edit.setMaxLength(LONGEST["sent_to"])
        self.sent_to_edit.setPlaceholderText("name, and where, e.g. Dr B Smith, Carlton Skin "
                                             "(meant for Dr B Smyth)")
        self.found_on = named(QDateEdit(QDate.currentDate()), "The day it was found out")
        self.found_on.setCalendarPopup(True)
        self.found_on.setDisplayFormat("dd/MM/yyyy")
        self.found_on.setMaximumDate(QDate.currentDate())
        self.actions_edit = named(QPlainTextEdit(), "What has been done")
        self.actions_edit.setPlaceholderText("e.g. phoned the recipient, who deleted it and "
                                             "confirmed by email; the patient was told")
        for edit in (self.what_edit, self.actions_edit):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
        self.message = named(keep_room(note("", "warning"), 1), "What is missing")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.record_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.record_button.setText("Re&cord the incident")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(note(f"\u201c{BREACH}\u201d ({SOURCE})", "warning"))
        form.addRow("&Export", self.export_box)
        form.addRow("Sent", self.sent_at)
        form.addRow("&What was sent", self.what_edit)
        form.addRow("Who &received it", self.sent_to_edit)
        form.addRow("&Found out on", self.found_on)
        form.addRow("What has been &done", self.actions_edit)
        form.addRow(self.message)
        form.addRow(buttons)
        self.export_box.currentIndexChanged.connect(self._export_chosen)
        for edit in (self.what_edit, self.actions_edit):
            edit.textChanged.connect(self._check)
        self.sent_to_edit.textChanged.connect(self._check)
        self._export_chosen()

    @property
    def report(self) -> IncidentReport:
        """The report as the form stands."""
        return IncidentReport(self.export_box.currentData(), self.what_edit.toPlainText(),
                              self.sent_to_edit.text(), self.found_on.date().toPython(),
                              self.actions_edit.toPlainText())

    def _export_chosen(self) -> None:
        index = self.export_box.currentIndex()
        if 0 <= index < len(self._exports):
            export = self._exports[index]
            self.sent_at.setText(f"{export.at}, by {export.by}")
            self.what_edit.setPlainText(export.words[0].upper() + export.words[1:] + ".")
        self._check()

    def _check(self) -> None:
        problem = ("The audit trail holds no export yet, so none can have gone astray."
                   if not self.export_box.count() else report_problem(self.report))
        self.message.setText(problem)
        self.record_button.setEnabled(not problem)
