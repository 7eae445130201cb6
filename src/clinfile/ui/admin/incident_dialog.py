"""The form for reporting a picture sent to the wrong person.

The person chooses the export from the audit trail's list, each told by
its day, recipient and number of pictures, then its folder, shortened in
the middle to fit (the whole path on hover). What was sent and when come
from it, and they say who received it, when it came to light and what has
been done. "Record the incident" stays greyed out, with the reason beside
it, until every part is there; the core checks them again.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
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

SEPARATOR = "  ·  "
NO_FOLDER = "no file kept"


class IncidentDialog(QDialog):
    """Which export, what was sent, to whom, found out when, and what was done."""

    def __init__(self, exports: list[ExportSent], parent: QWidget | None = None, *,
                 of_one_record: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Report a wrongly sent image")
        # Wide enough for an export's words and the two ends of its folder.
        self.setMinimumWidth(760)
        self._exports = exports
        self._name_patients = not of_one_record or len({e.patient_id for e in exports}) > 1
        self.export_box = named(QComboBox(), "The export that went to the wrong person")
        # Sized by the form, not by the longest folder: each folder is shortened to fit.
        self.export_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.export_box.setMinimumContentsLength(100)
        for export in exports:
            self.export_box.addItem("", export.seq)
            self.export_box.setItemData(self.export_box.count() - 1,
                                        export.folder or NO_FOLDER, Qt.ItemDataRole.ToolTipRole)
        self._name_exports()
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
        self._open_wide(parent)

    @property
    def report(self) -> IncidentReport:
        """The report as the form stands."""
        return IncidentReport(self.export_box.currentData(), self.what_edit.toPlainText(),
                              self.sent_to_edit.text(), self.found_on.date().toPython(),
                              self.actions_edit.toPlainText())

    def _open_wide(self, parent: QWidget | None) -> None:
        """Open three quarters as wide as the window, so the folders show more than their ends."""
        if parent is None:
            return
        width = max(self.minimumWidth(), parent.window().width() * 3 // 4)
        self.resize(width, max(self.sizeHint().height(),
                               self.layout().totalHeightForWidth(width)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Shorten each export's folder again to the drop-down's new width."""
        super().resizeEvent(event)
        self._name_exports()

    def _name_exports(self) -> None:
        """Each export's words in full, then as much of its folder as fits, cut in the middle.

        The patient is named, except in a record's list of its own patient's exports.
        """
        box = self.export_box
        metrics = box.fontMetrics()
        # The arrow, the frame and the popup list's margins.
        width = box.width() - metrics.averageCharWidth() * 6
        for index, export in enumerate(self._exports):
            words = export.choice_words(patient=self._name_patients) + SEPARATOR
            room = max(metrics.averageCharWidth() * 12, width - metrics.horizontalAdvance(words))
            box.setItemText(index, words + _shortened(export.folder or NO_FOLDER, metrics,
                                                      room))

    def _export_chosen(self) -> None:
        index = self.export_box.currentIndex()
        if 0 <= index < len(self._exports):
            export = self._exports[index]
            self.export_box.setToolTip(export.folder or NO_FOLDER)
            self.sent_at.setText(f"{export.at}, by {export.by}")
            self.what_edit.setPlainText(export.sentence)
        self._check()

    def _check(self) -> None:
        problem = ("The audit trail holds no export yet, so none can have gone astray."
                   if not self.export_box.count() else report_problem(self.report))
        self.message.setText(problem)
        self.record_button.setEnabled(not problem)


def _shortened(folder: str, metrics: QFontMetrics, room: int) -> str:
    """The folder cut in the middle to fit ``room``, its own name kept whole where it fits.

    The last name is what tells one export's folder from another's
    ('…/to Carlton Skin Clinic'); the start says where on the computer it is.
    """
    if metrics.horizontalAdvance(folder) <= room:
        return folder
    cut = max(folder.rfind("/"), folder.rfind("\\"))
    head, tail = folder[:cut], folder[cut:]
    head_room = room - metrics.horizontalAdvance(tail)
    if cut <= 0 or head_room < metrics.horizontalAdvance(head[:4] + "…"):
        return metrics.elidedText(folder, Qt.TextElideMode.ElideMiddle, room)
    return metrics.elidedText(head, Qt.TextElideMode.ElideMiddle, head_room) + tail
