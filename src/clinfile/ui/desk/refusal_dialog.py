"""Explaining a use the consent rules refused: why, what would allow it, and a way there.

The reason and the remedy are the core's own words (the consent gate's
decision); the window adds only the button that starts the remedy when it
is a consent the patient has not given yet: printing the form for it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from clinfile.app.consent.rules import Refused
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.security.roles import PRINT_CONSENT_FORM
from clinfile.ui.look import heading, named, note, primary


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


class RefusalDialog(QDialog):
    """A refused export or print, explained.

    Signals:
        form_requested: the person wants the consent form for the missing purpose.
    """

    form_requested = Signal()

    def __init__(self, patient_name: str, purpose: Purpose, decision: Refused,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Not exported")
        named(self, "Not exported", "The patient's consent does not allow this use")
        self.reason = named(note(_sentence(decision.reason), "error"), "Why not")
        self.remedy = named(note("To allow it: " + _sentence(decision.remedy)),
                            "What would allow it")
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"The pictures of {patient_name} were not exported", 1.2))
        layout.addWidget(self.reason)
        layout.addWidget(self.remedy)
        for caution in decision.cautions:
            layout.addWidget(note(caution, "warning"))
        layout.addWidget(QLabel("Nothing left the vault, and the refusal was noted in the "
                                "audit trail."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.form_button = primary(buttons.addButton(
            f"{PRINT_CONSENT_FORM} for {purpose.label}…", QDialogButtonBox.ButtonRole.ActionRole))
        named(self.form_button, f"{PRINT_CONSENT_FORM} for {purpose.label}")
        self.form_button.setVisible(not purpose.clinical)
        self.form_button.clicked.connect(self._form)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _form(self) -> None:
        self.accept()
        self.form_requested.emit()
