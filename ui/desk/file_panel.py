"""The foot of the desk: on what consent the pictures are filed, and the one File button."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.consent.model import Consent
from ui.look import named, note, primary, set_tone


def consent_words(consent: Consent) -> str:
    """'Verbal consent of 12/03/2026 (ABCD1234): clinical care; the treating team'."""
    purposes = ", ".join(sorted(p.label for p in consent.purposes))
    seen_by = ", ".join(r.label for r in consent.recipients)
    waiting = ", waiting for the signed form" if consent.awaiting_signature else ""
    return (f"{consent.method.label.capitalize()} consent of {consent.obtained_on:%d/%m/%Y} "
            f"({consent.code}{waiting}): {purposes}; {seen_by}")


class FilePanel(QGroupBox):
    """The consent to file on, and File."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Consent and filing", parent)
        named(self, "Consent and filing")
        self.basis = named(note(""), "Consent basis")
        self.consents = named(QComboBox(), "Consent to file on",
                              "The patient's recorded consents that cover clinical care")
        self.record_button = named(QPushButton("Record consent…"), "Record consent")
        self.file_button = primary(QPushButton("File"))
        named(self.file_button, "File the selected pictures")
        self.message = named(note(""), "Filing message")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.consents, 1)
        row.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.basis)
        layout.addLayout(row)
        layout.addWidget(self.file_button)
        layout.addWidget(self.message)
        self.show_consents([])

    def show_consents(self, consents: list[Consent], chosen: int | None = None) -> None:
        """Offer the patient's consents that could carry a filing, newest first."""
        self.consents.clear()
        self.consents.addItem("No recorded consent chosen", None)
        for consent in consents:
            self.consents.addItem(consent_words(consent), consent.id)
        index = self.consents.findData(chosen) if chosen is not None else 0
        self.consents.setCurrentIndex(max(index, 0))

    @property
    def chosen_consent(self) -> int | None:
        """The id of the consent chosen, or None."""
        return self.consents.currentData()

    def show_basis(self, text: str, tone: str) -> None:
        """Say on what basis the pictures would be filed, or what is missing."""
        self.basis.setText(text)
        set_tone(self.basis, tone)

    def say(self, text: str, tone: str = "quiet") -> None:
        """Show the outcome of the last filing, or why it did not happen."""
        self.message.setText(text)
        set_tone(self.message, tone)
