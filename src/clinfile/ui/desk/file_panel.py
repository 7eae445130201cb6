"""The foot of the desk: on what consent the pictures are filed, and the one File button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from clinfile.app.consent.model import Consent
from clinfile.app.filing.words import consent_name, consent_reach_words, consent_words
from clinfile.ui.look import NamingButton, keep_room, named, note, primary, set_tone


class FilePanel(QGroupBox):
    """The consent to file on, and File."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Consent and filing", parent)
        named(self, "Consent and filing")
        self.basis = named(keep_room(note(""), 4), "Consent basis")
        self.consents = named(QComboBox(), "Consent to file on",
                              "The patient's recorded consents that cover clinical care")
        self.record_button = named(QPushButton("Record consent…"), "Record consent")
        self.file_button = self._file_button()
        self.message = named(keep_room(note(""), 4), "Filing message")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.basis)
        layout.addWidget(self.consents)
        layout.addLayout(row)
        layout.addWidget(self.file_button)
        layout.addWidget(self.message)
        self.show_consents([])

    @staticmethod
    def _file_button() -> QPushButton:
        """The one way to file besides Ctrl+Return: never a default button.

        A default button is pressed by Return in any field; a Return meant to
        finish a consent or a search must never file pictures. Its words come
        from the filing, which knows what it waits for, and end with the
        patient's name, cut to the button's width.
        """
        button = named(primary(NamingButton()), "File the selected pictures")
        button.setDefault(False)
        button.setAutoDefault(False)
        return button

    def show_consents(self, consents: list[Consent], chosen: int | None = None) -> None:
        """Offer the patient's consents that could carry a filing, newest first."""
        self.consents.clear()
        self.consents.addItem("No recorded consent chosen", None)
        for consent in consents:
            self.consents.addItem(consent_name(consent), consent.id)
            self.consents.setItemData(self.consents.count() - 1,
                                      f"{consent_words(consent)}; for "
                                      f"{consent_reach_words(consent)}",
                                      Qt.ItemDataRole.ToolTipRole)
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
