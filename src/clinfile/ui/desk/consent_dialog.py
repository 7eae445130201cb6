"""The consent dialog: what the patient was told and agreed to, asked as the guidance asks.

AMA: "Make sure the patient understands the reasons for taking the image,
how it will be used, and to whom it will be shown"; Avant: discuss "why you
want to take the image, how the image will be used, who the image will be
shared with and why". The dialog asks exactly those, who decided (a
substitute decision maker and their relationship, for a child or a patient
without capacity) and whether an interpreter helped. It decides nothing:
the consent service checks the answers and the person's role, and its
refusal is shown here in its own words.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app import clock
from clinfile.app.consent.deciders import ExpectedDecider
from clinfile.app.consent.model import Consent, DecisionMaker, Disclosure
from clinfile.app.consent.service import ConsentRequest
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.ui.look import heading, named, note, primary, set_tone, tall_enough

METHOD_WORDS = {
    Method.VERBAL: "Spoken consent, given to a clinician",
    Method.WRITTEN: "Written: print the consent form for the patient to sign",
    Method.IMPLIED: "Implied: the patient sent the picture for their own care",
}
DISCLOSURE_WORDS = ("Why the picture is taken", "How it will be used",
                    "Who will see it, and why")


class ConsentDialog(QDialog):
    """Asks what the guidance says must be discussed, and hands the answers on.

    Signals:
        submitted(object, str): the :class:`ConsentRequest` to record, and what to do
            next: "" to just record it, "print" or "save" for the written form.
    """

    submitted = Signal(object, str)

    def __init__(self, patient_name: str, patient_id: int, kind: ImageKind, obtained_by: str,
                 expected: ExpectedDecider | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record consent")
        named(self, "Record consent")
        self.patient_id = patient_id
        self.image_ids: frozenset[int] = frozenset()
        self.recorded: Consent | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Consent of {patient_name}", 1.3))

        self.methods = QButtonGroup(self)
        method_box = QGroupBox("How the patient agreed")
        method_layout = QVBoxLayout(method_box)
        self.method_buttons: dict[Method, QRadioButton] = {}
        for method, words in METHOD_WORDS.items():
            if method is Method.IMPLIED and kind is not ImageKind.PATIENT_SENT:
                continue
            button = named(QRadioButton(words), f"Consent {method.label}")
            self.method_buttons[method] = button
            self.methods.addButton(button)
            method_layout.addWidget(button)
        layout.addWidget(method_box)

        agreed_box = QGroupBox("What the patient agreed to, and who may see the pictures")
        agreed = QGridLayout(agreed_box)
        self.purposes: dict[Purpose, QCheckBox] = {}
        for row, purpose in enumerate(Purpose):
            box = named(QCheckBox(purpose.label.capitalize()), f"Purpose: {purpose.label}")
            self.purposes[purpose] = box
            agreed.addWidget(box, row, 0)
        self.recipients: dict[RecipientClass, QCheckBox] = {}
        for number, group in enumerate(RecipientClass):
            box = named(QCheckBox(group.label.capitalize()), f"May see: {group.label}")
            self.recipients[group] = box
            agreed.addWidget(box, number % 3, 1 + number // 3)
        self.named_recipient = named(QLineEdit(), "May see: a named clinician or service")
        self.named_recipient.setPlaceholderText("or a named clinician or service")
        agreed.addWidget(self.named_recipient, 3, 1, 1, 2)
        layout.addWidget(agreed_box)

        told_box = QGroupBox("What you explained to the patient (all three are needed)")
        told = QHBoxLayout(told_box)
        self.told = [named(QCheckBox(words), f"Explained: {words.lower()}")
                     for words in DISCLOSURE_WORDS]
        for box in self.told:
            told.addWidget(box)
        layout.addWidget(told_box)

        who = QFormLayout()
        self.substitute = named(QCheckBox("Someone else decides for the patient (a child, or a "
                                          "patient without capacity)"),
                                "Substitute decision maker")
        self.decider = named(QLineEdit(), "Name of the person who decided")
        self.decider.setPlaceholderText("their name")
        self.relationship = named(QLineEdit(), "Their relationship to the patient")
        self.relationship.setPlaceholderText("parent, guardian, attorney…")
        decider_row = QHBoxLayout()
        decider_row.addWidget(self.decider)
        decider_row.addWidget(self.relationship)
        self.interpreter = named(QLineEdit(), "Interpreter")
        self.interpreter.setPlaceholderText("name or language, if an interpreter helped")
        self.obtained_by = named(QLineEdit(obtained_by), "Who obtained the consent")
        self.note = named(QLineEdit(), "Consent note")
        self.who_decides = named(note(expected.words if expected else ""), "Who decides")
        who.addRow("Decided by", decider_row)
        who.addRow("&Interpreter", self.interpreter)
        who.addRow("Obtained &by", self.obtained_by)
        who.addRow("N&ote", self.note)
        # The note stands outside the form, whose rows do not grow for wrapped words.
        layout.addWidget(self.substitute)
        layout.addWidget(self.who_decides)
        layout.addLayout(who)

        self.message = named(note("", "error"), "Consent message")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.record_button = primary(QPushButton("Record consent"))
        named(self.record_button, "Record consent")
        self.print_button = named(QPushButton("Record and print the form…"),
                                  "Record and print the consent form")
        self.save_button = named(QPushButton("Record and save the form as PDF…"),
                                 "Record and save the consent form as PDF")
        self.buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(self.buttons)
        self._return_records()

        self.record_button.clicked.connect(lambda: self._submit(""))
        self.print_button.clicked.connect(lambda: self._submit("print"))
        self.save_button.clicked.connect(lambda: self._submit("save"))
        self.buttons.rejected.connect(self.reject)
        self.methods.buttonToggled.connect(lambda *_: self._method_changed())
        self.substitute.toggled.connect(self._substitute_changed)
        self.preset(Method.IMPLIED if kind is ImageKind.PATIENT_SENT else Method.VERBAL,
                    {Purpose.CLINICAL_CARE}, {RecipientClass.TREATING_TEAM})
        self.substitute.setChecked(expected is not None and expected.substitute)
        self._substitute_changed(self.substitute.isChecked())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Open as tall as the fields and the wrapped notes need at the dialog's width.

        A window opens at its size hint, which counts a wrapped note as if it
        were wider: the note, or the fields beside it, would lose a line.
        """
        super().showEvent(event)
        tall_enough(self)

    def _return_records(self) -> None:
        """Make Return in any field record the consent, and do nothing else.

        Only the Record button answers Return: the others would otherwise take
        the default as the focus passes them, even the print button while it
        is hidden; and a button is the dialog's default only once the dialog
        holds it.
        """
        for button in self.buttons.buttons():
            button.setAutoDefault(button is self.record_button)
        self.record_button.setDefault(True)

    def preset(self, method: Method, purposes: set[Purpose],
               recipients: set[RecipientClass]) -> None:
        """Tick a method, purposes and recipients (the person can change any of them)."""
        self.method_buttons[method].setChecked(True)
        for purpose, box in self.purposes.items():
            box.setChecked(purpose in purposes)
        for group, box in self.recipients.items():
            box.setChecked(group in recipients)
        self._method_changed()

    @property
    def method(self) -> Method:
        """The way of consenting chosen."""
        return next(m for m, button in self.method_buttons.items() if button.isChecked())

    def consent_request(self) -> ConsentRequest:
        """The answers as a request for the consent service."""
        recipients = [Recipient(group=g) for g, box in self.recipients.items() if box.isChecked()]
        if self.named_recipient.text().strip():
            recipients.append(Recipient(name=self.named_recipient.text().strip()))
        decided = DecisionMaker()
        if self.substitute.isChecked():
            decided = DecisionMaker(self.decider.text().strip(), self.relationship.text().strip())
        return ConsentRequest(
            patient_id=self.patient_id, method=self.method,
            purposes=frozenset(p for p, box in self.purposes.items() if box.isChecked()),
            recipients=tuple(recipients), obtained_by=self.obtained_by.text().strip(),
            obtained_on=clock.today(), decided_by=decided,
            disclosure=Disclosure(*(box.isChecked() for box in self.told)),
            interpreter=self.interpreter.text().strip(), images=self.image_ids,
            note=self.note.text().strip())

    def show_refusal(self, text: str) -> None:
        """Say plainly why the consent was not recorded; the answers stay for correcting."""
        self.message.setText(text)
        set_tone(self.message, "error")
        self._busy(False)

    def show_done(self, text: str) -> None:
        """Say what was done (a form saved, say)."""
        self.message.setText(text)
        set_tone(self.message, "ok")
        self._busy(False)

    def _submit(self, then: str) -> None:
        self.message.clear()
        self._busy(True)
        self.submitted.emit(self.consent_request(), then)

    def _busy(self, busy: bool) -> None:
        for button in (self.record_button, self.print_button, self.save_button):
            button.setEnabled(not busy)
        self._method_changed()

    def _method_changed(self) -> None:
        written = self.method is Method.WRITTEN
        self.print_button.setVisible(written)
        self.save_button.setVisible(written)
        self.record_button.setText("Record, to sign later" if written else "Record consent")
        implied = self.method is Method.IMPLIED
        for box in self.told:
            box.setEnabled(not implied)

    def _substitute_changed(self, checked: bool) -> None:
        self.decider.setEnabled(checked)
        self.relationship.setEnabled(checked)
