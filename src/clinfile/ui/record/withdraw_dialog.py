"""Recording that a patient withdrew consent, and what the withdrawal leaves to follow up.

The first form chooses the consent and the purposes taken back; the core
records the withdrawal by its one rule. The second says, picture by
picture, what was already sent under that consent and what may have gone
out, so the practice can ask for copies back or check with the recipient.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.consent.model import Consent
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.filing.words import consent_name, consent_reach_words
from clinfile.app.record.withdrawal import NOT_KNOWN_HEADING, SENT_HEADING, WithdrawalSaid
from clinfile.ui.look import heading, keep_room, named, note, primary


class WithdrawDialog(QDialog):
    """Which consent, which of its purposes the patient takes back, and why.

    Signals:
        withdrawal_asked(): the person asked to record the withdrawal as the form stands;
            the form stays open until it is recorded, or says why not.
    """

    withdrawal_asked = Signal()

    def __init__(self, consents: list[Consent], patient: str, chosen_code: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Withdraw consent")
        self.setMinimumWidth(560)
        self._consents = consents
        self._boxes: dict[Purpose, QCheckBox] = {}
        self.consent_box = named(QComboBox(), "The consent the patient withdraws")
        for consent in consents:
            self.consent_box.addItem(consent_name(consent), consent.code)
        self.consent_box.setCurrentIndex(max(0, self.consent_box.findData(chosen_code)))
        self.reach = note("")
        self.purposes = QVBoxLayout()
        self.purposes.setContentsMargins(0, 0, 0, 0)
        self.reason_edit = named(QLineEdit(), "Why the patient withdrew it")
        self.reason_edit.setPlaceholderText("if the patient said, e.g. no longer wants the "
                                            "photos used for teaching")
        self.message = named(keep_room(note("", "warning"), 1), "What is missing")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.withdraw_button = primary(buttons.button(QDialogButtonBox.StandardButton.Ok))
        self.withdraw_button.setText("&Withdraw")
        buttons.accepted.connect(self._ask)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(note(f"For {patient}. From now on no picture may be used for what you "
                         "tick; what was already sent is listed next, to follow up."))
        form.addRow("&Consent", self.consent_box)
        form.addRow("", self.reach)
        form.addRow("Taken back", self.purposes)
        form.addRow("&Reason", self.reason_edit)
        form.addRow(self.message)
        form.addRow(buttons)
        self.consent_box.currentIndexChanged.connect(self._consent_chosen)
        self._consent_chosen()

    @property
    def chosen_code(self) -> str:
        """The printed code of the consent chosen."""
        return self.consent_box.currentData() or ""

    @property
    def chosen_purposes(self) -> frozenset[Purpose]:
        """The purposes ticked, each still allowed before this withdrawal."""
        return frozenset(p for p, box in self._boxes.items() if box.isChecked())

    @property
    def reason(self) -> str:
        """Why the patient withdrew it, as typed."""
        return self.reason_edit.text().strip()

    def show_problem(self, words: str) -> None:
        """Say why the withdrawal was not recorded; the form stays open to change it."""
        self.message.setText(words)
        self.withdraw_button.setEnabled(True)

    def _consent_chosen(self) -> None:
        """Offer the chosen consent's purposes, each ticked unless already taken back."""
        for box in self._boxes.values():
            self.purposes.removeWidget(box)
            box.hide()
            box.deleteLater()
        self._boxes = {}
        consent = self._chosen_consent()
        self.reach.setText(f"Allows {consent_reach_words(consent)}." if consent else "")
        for purpose in sorted(consent.purposes if consent else (), key=lambda p: p.label):
            withdrawal = consent.withdrawal_of(purpose)
            box = QCheckBox(purpose.label.capitalize() if withdrawal is None else
                            f"{purpose.label.capitalize()} (withdrawn on "
                            f"{withdrawal.withdrawn_on:%d/%m/%Y})")
            box.setChecked(withdrawal is None)
            box.setEnabled(withdrawal is None)
            box.toggled.connect(self._check)
            self.purposes.addWidget(box)
            self._boxes[purpose] = box
        self._check()

    def _ask(self) -> None:
        if self.withdraw_button.isEnabled():
            self.withdraw_button.setEnabled(False)
            self.withdrawal_asked.emit()

    def _chosen_consent(self) -> Consent | None:
        index = self.consent_box.currentIndex()
        return self._consents[index] if 0 <= index < len(self._consents) else None

    def _check(self) -> None:
        problem = ("This patient has no recorded consent to withdraw." if not self._consents
                   else "" if self.chosen_purposes else
                   "Tick what the patient takes back." if any(
                       b.isEnabled() for b in self._boxes.values()) else
                   "This consent is already withdrawn for everything it allowed.")
        self.message.setText(problem)
        self.withdraw_button.setEnabled(not problem)


class WithdrawnDialog(QDialog):
    """What the withdrawal stopped, and each picture that left under the consent, to follow up."""

    def __init__(self, said: WithdrawalSaid, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Consent withdrawn")
        self.setMinimumWidth(640)
        self.said = said
        code = said.result.consent.code
        self.title = heading(f"Consent {code} is withdrawn for {said.purposes_words}", 1.2)
        self.summary = note("No further use for these purposes will be allowed. "
                            + said.follow_up)
        self.lists = QWidget()
        lists_layout = QVBoxLayout(self.lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        self.sent_heading, self.sent = _listing(lists_layout, SENT_HEADING, said.sent,
                                                "Already sent")
        self.not_known_heading, self.not_known = _listing(
            lists_layout, NOT_KNOWN_HEADING, said.not_known, "Not known to be sent")
        lists_layout.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.lists)
        self.scroller.setVisible(bool(said.sent or said.not_known))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = primary(buttons.button(QDialogButtonBox.StandardButton.Close))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(buttons)

    def fit(self, width: int, tallest: int) -> None:
        """Be ``width`` wide and as tall as the lists need, up to ``tallest``; then they scroll."""
        width = max(width, self.minimumWidth())
        layout = self.layout()
        height = layout.totalHeightForWidth(width)
        if not self.scroller.isHidden():
            margins = layout.contentsMargins()
            inside = width - margins.left() - margins.right()
            height += self.lists.heightForWidth(inside) - self.scroller.sizeHint().height()
        self.resize(width, min(tallest, height))


def _listing(layout: QVBoxLayout, title: str, lines: tuple[str, ...],
             name: str) -> tuple[QLabel, QLabel]:
    """A bold heading, then one line per use, selectable to copy into a letter or a note.

    Neither shows when there is no use to list.
    """
    head = heading(title, 1.0)
    label = named(QLabel(), name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setText("\n".join(f"• {line}" for line in lines))
    label.setContentsMargins(0, 0, 0, 8)
    for widget in (head, label):
        widget.setVisible(bool(lines))
        layout.addWidget(widget)
    return head, label
