"""Correcting the chosen pictures: what they are, where on the body, the right patient.

The form starts from what the first chosen picture says now; only what the
person changes is corrected, each change kept in the record with the reason.
Moving pictures to another patient is done by finding that patient here,
as on the desk.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BODY_SITES, PAIRED_SITES, SIDES, BodySite
from clinfile.app.record.corrections import Correction
from clinfile.app.record.model import RecordPicture, day_words
from clinfile.ui.desk.patient_panel import PatientPanel
from clinfile.ui.look import heading, named, note, tall_enough

WIDTH_NOTE = ("How wide the picture's view is, read off a ruler in it: Compare then shows "
              "this site's pictures at the same scale. Without a ruler, leave it not known.")
THIS_RECORD = "this record: the pictures are in it now"


class CorrectDialog(QDialog):
    """The chosen pictures' kind, body site, description, scale and patient, to correct.

    Signals:
        query_changed(str): the text to search for the right patient changed.
        correction_asked(object): the person asked for this :class:`Correction`.
    """

    query_changed = Signal(str)
    correction_asked = Signal(object)

    def __init__(self, pictures: list[RecordPicture], patient_id: int, patient_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._here = patient_id
        self.setWindowTitle("Correct the filing")
        named(self, "Correct the filing")
        first = pictures[0]
        count = len(pictures)
        self.kind = named(QComboBox(), "What the pictures are")
        for kind in ImageKind:
            self.kind.addItem(kind.label.capitalize(), kind)
        self.kind.setCurrentIndex(self.kind.findData(first.kind))
        self.site = named(QComboBox(), "Body site")
        self.site.addItem("No body site (a document)", "")
        for site in sorted(BODY_SITES):
            self.site.addItem(site.replace("-", " ").capitalize(), site)
        self.site.setCurrentIndex(self.site.findData(first.body_site.site))
        self.side = named(QComboBox(), "Side of the body")
        self.side.addItem("no side", "")
        for side in SIDES:
            self.side.addItem("both sides" if side == "both" else side, side)
        self.side.setCurrentIndex(self.side.findData(first.body_site.laterality))
        self.detail = named(QLineEdit(first.body_site.detail), "Body site detail")
        self.description = named(QLineEdit(first.description), "Description")
        self.width_mm = named(QDoubleSpinBox(), "Width of the picture in millimetres",
                              WIDTH_NOTE)
        self.width_mm.setRange(0, 5000)
        self.width_mm.setDecimals(1)
        self.width_mm.setSuffix(" mm")
        self.width_mm.setSpecialValueText("not known")
        if first.pixels_per_mm:
            self.width_mm.setValue(first.width / first.pixels_per_mm)
        self._first_width = self.width_mm.value()
        self.patient_panel = PatientPanel()
        self.patient_panel.search_edit.setPlaceholderText(
            "Only to move the pictures: the right patient's name or number")
        self.patient_panel.choose_button.setText("Choose this patient; the move is made on Correct")
        _room_for_four(self.patient_panel.candidates)
        self.moving_to = note(f"The pictures stay in the record of {patient_name}.")
        named(self.moving_to, "Which patient's record")
        self.reason = named(QLineEdit(), "Reason for the correction")
        self.reason.setPlaceholderText("why, e.g. filed to the wrong Nguyen; wrong side")
        self.problem = note("", "error")
        named(self.problem, "What to fix first")
        self.to_patient: int | None = None

        where = QHBoxLayout()
        where.addWidget(self.site, 3)
        where.addWidget(_label("&Side", self.side))
        where.addWidget(self.side, 2)
        where.addWidget(_label("&More", self.detail))
        where.addWidget(self.detail, 4)
        form = QFormLayout()
        form.addRow("&What it is", self.kind)
        form.addRow(_label("W&here", self.site), where)
        form.addRow("&Description", self.description)
        width = QVBoxLayout()
        width.addWidget(self.width_mm)
        width.addWidget(note(WIDTH_NOTE))
        form.addRow(_label("P&icture width", self.width_mm), width)
        why = QFormLayout()
        why.addRow("&Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.correct_button = buttons.addButton("&Correct", QDialogButtonBox.ButtonRole.AcceptRole)
        self.correct_button.setProperty("role", "primary")
        named(self.correct_button, "Correct the filing")
        buttons.accepted.connect(self._ask)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Correct the filing of {count} picture"
                                 f"{'s' if count != 1 else ''}", 1.2))
        layout.addWidget(note("The filing as first made stays on record; each correction is "
                              "added to it with your reason, in this record and, for a move, "
                              "in the other patient's record too."))
        layout.addLayout(form)
        layout.addWidget(_label("Move to another patient's record: &find them",
                                self.patient_panel.search_edit))
        layout.addWidget(self.patient_panel, 1)
        layout.addWidget(self.moving_to)
        layout.addLayout(why)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.patient_panel.query_changed.connect(self.query_changed)
        self.patient_panel.candidate_chosen.connect(self._move_to)
        self.site.currentIndexChanged.connect(self._site_changed)
        self.reason.returnPressed.connect(self._ask)
        # Enter in the patient search chooses the patient; only Enter in the
        # reason, or the Correct button, corrects.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        QWidget.setTabOrder(self.reason, self.correct_button)
        self._site_changed()
        self._first = first

    def _site_changed(self) -> None:
        paired = self.site.currentData() in PAIRED_SITES
        self.side.setEnabled(paired)
        if not paired:
            self.side.setCurrentIndex(0)

    def _move_to(self, candidate) -> None:
        p = candidate.patient
        if p.id == self._here:
            self.to_patient = None
            self.moving_to.setText(f"The pictures are already in this record, of "
                                   f"{candidate.display_name}: find the patient they belong to.")
            self.patient_panel.search_edit.setFocus()
            return
        self.to_patient = p.id
        born = day_words(p.birth_date) if p.birth_date else "unknown"
        self.moving_to.setText(f"The pictures will move to the record of "
                               f"{candidate.display_name} (born {born}, record "
                               f"{p.record_number or 'none'}) when you press Correct.")
        self.reason.setFocus()
        tall_enough(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Open as tall as the fields, the wrapped notes and four patients' rows need."""
        super().showEvent(event)
        tall_enough(self)

    def show_found(self, text: str, result) -> None:
        """Show the patients found for ``text``, this record's own marked as no place to move to."""
        panel = self.patient_panel
        panel.show_result(text, result)
        for row in range(panel.candidates.count()):
            item = panel.candidates.item(row)
            if item.data(Qt.ItemDataRole.UserRole).patient.id == self._here:
                item.setText(f"{item.text()}\n{THIS_RECORD}")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        tall_enough(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter presses the button it is on; elsewhere it is the field's, never Correct.

        Qt hands an Enter the fields leave alone to the dialog's default button,
        so choosing the patient with Enter corrected at once, or asked for the
        reason before there was a chance to type it. Enter in the reason
        corrects, as the reason's own.
        """
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        event.accept()
        focused = self.focusWidget()
        if isinstance(focused, QPushButton) and focused.isEnabled():
            focused.click()

    def correction(self) -> Correction:
        """What the form now asks for; parts left as they were are None."""
        first = self._first
        site = BodySite(self.site.currentData(), self.side.currentData() or "",
                        self.detail.text().strip())
        kind = ImageKind(self.kind.currentData())
        description = self.description.text()
        width = self.width_mm.value()
        return Correction(
            reason=self.reason.text(),
            kind=kind if kind != first.kind else None,
            body_site=site if site != first.body_site else None,
            description=description if description.strip() != first.description else None,
            width_mm=width if width and width != self._first_width else None,
            to_patient=self.to_patient)

    def show_problem(self, words: str) -> None:
        """Say why the correction was not made, keeping what the person typed."""
        self.problem.setText(words)

    def _ask(self) -> None:
        if not self.reason.text().strip():
            self.show_problem("Say why the filing is being corrected: the reason is kept in "
                              "the record.")
            self.reason.setFocus()
            return
        self.problem.setText("")
        self.correction_asked.emit(self.correction())


def _room_for_four(candidates: QListWidget) -> None:
    """Keep the list of patients found four of its two-line rows high, whatever else shows.

    It was two rows high, and under two once a chosen patient's words took a
    second line: too few to see that another patient has the same name.
    """
    frame = candidates.frameWidth()
    candidates.setMinimumHeight(4 * (2 * candidates.fontMetrics().lineSpacing() + 2) + 2 * frame)


def _label(text: str, buddy: QWidget) -> QLabel:
    """A label whose underlined letter, with Alt, puts the cursor in ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
