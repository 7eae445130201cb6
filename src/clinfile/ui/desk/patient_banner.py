"""The wrong-patient guard: whose record the filing goes to, large and always in view."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from clinfile.ui.look import name_label, named, scaled


class PatientBanner(QFrame):
    """The chosen patient's name, date of birth and record number, or plainly none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PatientBanner")
        named(self, "Filing to patient")
        self.caption = QLabel("Filing to")
        self.name = name_label(1.9)
        self.details = scaled(QLabel(""), 1.25)
        self.details.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.caption)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        self.show_none()

    def show_patient(self, name: str, born: str, record_number: str, distinguishing: str = ""
                     ) -> None:
        """Show the chosen patient."""
        self.caption.setText("Filing to")
        self.name.setText(name)
        extra = f" · {distinguishing}" if distinguishing else ""
        self.details.setText(f"Born {born} · Record {record_number or 'none'}{extra}")
        self.setAccessibleDescription(f"{name}, born {born}, record {record_number}")
        self._state("chosen")

    def show_none(self, what_next: str = "Search below and choose the patient.") -> None:
        """Show that nothing will be filed until a patient is chosen, and what to do.

        The heading keeps its one short line whatever the reason, so the form
        below never moves from under the pointer; the reason goes in the
        smaller line beneath it.
        """
        self.caption.setText("Filing to")
        self.name.setText("No patient chosen yet")
        self.details.setText(what_next)
        self.setAccessibleDescription(f"No patient chosen yet. {what_next}")
        self._state("none")

    def _state(self, state: str) -> None:
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)
