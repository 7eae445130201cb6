"""Asking what a patient's pictures are to be exported for, and for whom.

Whether the export may go ahead is the consent gate's decision, made in the
core when the export runs; this dialog only asks the question.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.ui.look import heading, named, note, primary

FORMATS = {"pdf": "One PDF document", "jpeg": "Separate picture files (JPEG)"}


class ExportDialog(QDialog):
    """Purpose, recipient and format of an export of one patient's record."""

    def __init__(self, patient_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export pictures")
        named(self, "Export pictures")
        self.purpose = named(QComboBox(), "What the export is for")
        for purpose in Purpose:
            self.purpose.addItem(purpose.label.capitalize(), purpose)
        self.recipient = named(QComboBox(), "Who will see the pictures")
        for group in RecipientClass:
            self.recipient.addItem(group.label.capitalize(), group)
        self.file_format = named(QComboBox(), "File format")
        for word, label in FORMATS.items():
            self.file_format.addItem(label, word)
        form = QFormLayout()
        form.addRow("&For", self.purpose)
        form.addRow("&Seen by", self.recipient)
        form.addRow("&As", self.file_format)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = primary(buttons.addButton("Export…",
                                                       QDialogButtonBox.ButtonRole.AcceptRole))
        named(self.export_button, "Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Export the pictures of {patient_name}", 1.2))
        layout.addWidget(note("Anything other than the patient's own care is stripped of "
                              "names and identifiers, and goes ahead only if the patient's "
                              "recorded consent covers it."))
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.purpose.currentIndexChanged.connect(self._purpose_changed)
        self._purpose_changed()

    def choose(self, purpose: Purpose, recipient: RecipientClass) -> None:
        """Pick a purpose and recipient (for a request that arrived with them)."""
        self.purpose.setCurrentIndex(self.purpose.findData(purpose))
        self.recipient.setCurrentIndex(self.recipient.findData(recipient))

    @property
    def chosen_purpose(self) -> Purpose:
        """What the export is for (Qt hands enum data back as plain text)."""
        return Purpose(self.purpose.currentData())

    @property
    def chosen_recipient(self) -> Recipient:
        """Who will see it."""
        return Recipient(group=RecipientClass(self.recipient.currentData()))

    @property
    def chosen_format(self) -> str:
        """The file format word: "pdf" or "jpeg"."""
        return self.file_format.currentData()

    def _purpose_changed(self) -> None:
        likely = {Purpose.EDUCATION: RecipientClass.STUDENTS,
                  Purpose.RESEARCH: RecipientClass.RESEARCHERS,
                  Purpose.PUBLICATION: RecipientClass.PUBLIC}.get(
            self.chosen_purpose, RecipientClass.SPECIALIST)
        self.recipient.setCurrentIndex(self.recipient.findData(likely))
