"""Finding the patient: type, see ranked candidates with their reasons, choose one.

The panel never chooses for the person. The best candidate is highlighted
only when the search says it is safe to; when two are close it says so and
highlights none, so the choice is always a deliberate one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.ui.look import (
    elide_names,
    heading,
    keep_room,
    named,
    note,
    primary,
    search_box,
    set_tone,
    short_name,
)

BEFORE_SEARCH = ("Search for the patient above by name, date of birth, Medicare or record "
                 "number; the patients who match are listed here, best first.")
NO_MATCH = ("No patient matches what was typed. Check the spelling, or search by date of "
            "birth or record number.")


class CandidateList(QListWidget):
    """The matching patients; while there are none, words in their place say what to do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = note("")
        self.empty.setParent(self.viewport())
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        named(self.empty, "Matching patients")

    def say_when_empty(self, words: str) -> None:
        """Show these words while no patient is listed."""
        self.empty.setText(words)
        self.empty.setVisible(self.count() == 0)
        self._place_words()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Keep the words within the list as it changes size."""
        super().resizeEvent(event)
        self._place_words()

    def _place_words(self) -> None:
        margin = self.fontMetrics().averageCharWidth() * 2
        self.empty.setGeometry(self.viewport().rect().adjusted(margin, margin, -margin, 0))


class PatientPanel(QWidget):
    """The search box and the candidates.

    Signals:
        query_changed(str): the text to search for changed.
        candidate_chosen(object): the person chose this candidate.
    """

    query_changed = Signal(str)
    candidate_chosen = Signal(object)

    def __init__(self, before_search: str = BEFORE_SEARCH,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._before_search = before_search
        self.search_edit = search_box("Name, date of birth, Medicare or record number")
        named(self.search_edit, "Find patient", "Type a name, date of birth or number (Ctrl+F)")
        self.search_edit.setToolTip("Find patient (Ctrl+F)")
        self.caution = keep_room(note("", "warning"), 3)
        named(self.caution, "Search caution")
        self.caution.hide()
        self.candidates = CandidateList()
        named(self.candidates, "Matching patients", "Best match first, with the reasons")
        elide_names(self.candidates).setWordWrap(True)
        self.candidates.setAlternatingRowColors(True)
        self.choose_button = primary(QPushButton("This is the patient"))
        named(self.choose_button, "Choose this patient")
        self.choose_button.setToolTip("Choose the highlighted patient (Enter)")
        self.choose_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(heading("Find the patient", 1.15))
        layout.addWidget(self.search_edit)
        layout.addWidget(self.caution)
        layout.addWidget(self.candidates, 1)
        layout.addWidget(self.choose_button)
        self.search_edit.textChanged.connect(self.query_changed)
        self.search_edit.returnPressed.connect(self._enter_in_search)
        self.candidates.itemActivated.connect(lambda _item: self._choose())
        self.candidates.currentItemChanged.connect(
            lambda current, _: self.choose_button.setEnabled(current is not None))
        self.choose_button.clicked.connect(self._choose)
        self._result = None
        self._say_when_empty()

    def suggest(self, result, source: str) -> None:
        """Show candidates suggested by a picture's clues, unless the person is searching."""
        if self.search_edit.text().strip():
            return
        self._fill(result)
        self.caution.setText(result.caution if result.needs_explicit_choice else
                             f"Suggested from {source}. Check the name and date of birth "
                             "before choosing, or type to search.")
        self.caution.setVisible(bool(result.candidates))

    def show_result(self, text: str, result) -> None:
        """Show a search's candidates, if it is still for the text in the box."""
        if text != self.search_edit.text():
            return
        self._fill(result)
        self.caution.setVisible(bool(result.needs_explicit_choice))
        self.caution.setText(result.caution)

    def _fill(self, result) -> None:
        self._result = result
        self.candidates.clear()
        for candidate in result.candidates:
            p = candidate.patient
            lines = [f"{short_name(candidate.display_name)}   born {_born(p.birth_date)}   "
                     f"record {p.record_number or 'none'}"]
            if candidate.distinguishing:
                lines.append(candidate.distinguishing)
            lines.append("; ".join(candidate.reasons))
            item = QListWidgetItem("\n".join(lines))
            item.setToolTip(candidate.display_name)
            item.setData(Qt.ItemDataRole.UserRole, candidate)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, ", ".join(lines))
            self.candidates.addItem(item)
        set_tone(self.caution, "warning")
        self.candidates.setCurrentRow(0 if result.preselected is not None else -1)
        self.choose_button.setEnabled(self.candidates.currentItem() is not None)
        self._say_when_empty()

    def clear(self) -> None:
        """Start afresh for the next item."""
        self.search_edit.clear()
        self.candidates.clear()
        self.caution.hide()
        self._say_when_empty()

    def clear_candidates(self) -> None:
        """Nothing to search for: list no patient, and say how to find one."""
        self.candidates.clear()
        self._say_when_empty()

    def _say_when_empty(self) -> None:
        """What to do while no patient is listed: search, or search another way."""
        self.candidates.say_when_empty(
            NO_MATCH if self.search_edit.text().strip() else self._before_search)

    def _enter_in_search(self) -> None:
        if self.candidates.currentItem() is not None:
            self._choose()
        elif self.candidates.count():
            self.candidates.setFocus()
            self.candidates.setCurrentRow(0)
            self.candidates.setCurrentRow(-1)

    def _choose(self) -> None:
        item = self.candidates.currentItem()
        if item is not None:
            self.candidate_chosen.emit(item.data(Qt.ItemDataRole.UserRole))


def _born(iso: str | None) -> str:
    if not iso:
        return "unknown"
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
