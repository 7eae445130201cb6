"""Today's filings at this workstation, and the search of earlier filings: lists to jump from.

Enter or a double-click on a line opens that patient's record with the
picture chosen, so a receptionist checking the day's work sees at once
whether each picture went to the right person.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.counting import counted
from clinfile.app.filing.body_sites import BODY_SITES
from clinfile.app.record.finding import Found
from clinfile.app.record.model import FiledLine, time_words
from clinfile.ui.look import heading, named, note, short_words

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
# A date box at this day means "any date".
NO_DATE = QDate(2000, 1, 1)


def line_words(line: FiledLine) -> str:
    """Who and what; when taken, filed by whom; then any move or correction since."""
    what = line.description or line.kind.label
    gone = " · deleted at the end of retention" if line.deleted else ""
    words = (f"{line.patient}\n{what} · {line.body_site} · {line.taken.said()}\n"
             f"Filed {time_words(line.filed_at)} by {line.filed_by}{gone}")
    if line.moved:
        words += f"\nMoved here {line.moved}"
    if line.corrected:
        words += f"\nCorrected since filing: {line.corrected}"
    return words


def line_details(line: FiledLine) -> str:
    """The line's tooltip: every correction in full, as both patients' records say it."""
    if not line.changes:
        return "Enter opens the patient's record at the picture"
    return "Corrected since filing:\n" + "\n".join(line.changes)


class FilingList(QListWidget):
    """Lines of filings; Enter or a double-click asks for the picture's record.

    Signals:
        opened(object): the person chose this line (the :class:`FiledLine`).
    """

    opened = Signal(object)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name, "Enter opens the patient's record at the picture")
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(lambda item: self.opened.emit(item.data(LINE_ROLE)))

    def show_lines(self, lines) -> None:
        """Show these filings, the first highlighted."""
        self.clear()
        for line in lines:
            words = line_words(line)
            item = QListWidgetItem(short_words(words))
            item.setData(LINE_ROLE, line)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, line_words(line).replace("\n", ", "))
            item.setToolTip(line_details(line) if item.text() == words
                            else f"{words}\n{line_details(line)}")
            self.addItem(item)
        self.setCurrentRow(0 if lines else -1)


class TodayPanel(QWidget):
    """What was filed today at this workstation, newest first.

    Signals:
        refresh_requested: the person asked to read the list again.
    """

    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Filed today")
        self.summary = note("")
        named(self.summary, "How many were filed today")
        self.list = FilingList("Filed today at this workstation")
        self.refresh_button = QPushButton("Read the list again")
        self.refresh_button.clicked.connect(self.refresh_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(heading("Filed today here", 1.15))
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.refresh_button)

    def show_lines(self, lines: list[FiledLine]) -> None:
        """Show today's filings and say how many, and for how many patients."""
        patients = len({line.patient_id for line in lines})
        self.summary.setText(
            f"{len(lines)} picture{'s' if len(lines) != 1 else ''} filed today at this "
            f"computer, for {patients} patient{'s' if patients != 1 else ''}. Enter opens "
            "the record." if lines else "Nothing has been filed at this computer today.")
        self.list.show_lines(lines)


class FindPanel(QWidget):
    """Words, kind, body site and dates to look for; the filings found.

    Signals:
        find_requested: the person asked to search with what the form says.
    """

    find_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Find earlier filings")
        self.words = named(QLineEdit(), "Words in the description")
        self.words.setPlaceholderText("e.g. ulcer, mole, rash")
        self.words.setClearButtonEnabled(True)
        self.kind = named(QComboBox(), "Kind of picture")
        self.kind.addItem("Any kind", "")
        for kind in ImageKind:
            self.kind.addItem(kind.label.capitalize(), str(kind))
        self.site = named(QComboBox(), "Body site")
        self.site.addItem("Any body site", "")
        for site in sorted(BODY_SITES):
            self.site.addItem(site.replace("-", " ").capitalize(), site)
        self.since = _date_box("Taken on or after")
        self.until = _date_box("Taken on or before")
        self.this_patient = named(QCheckBox("Only the open record's patient"),
                                  "Only the open record's patient")
        self.find_button = QPushButton("Find")
        named(self.find_button, "Find filings")
        self.summary = note("")
        named(self.summary, "How many were found")
        self.list = FilingList("Filings found")
        form = QFormLayout()
        form.addRow("&Words", self.words)
        form.addRow("&Kind", self.kind)
        form.addRow("&Body site", self.site)
        # Alt+F is the File menu's: the first day is Alt+M.
        form.addRow("Fro&m", self.since)
        form.addRow("&Until", self.until)
        form.addRow("", self.this_patient)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(heading("Find earlier filings", 1.15))
        layout.addLayout(form)
        layout.addWidget(self.find_button)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.find_button.clicked.connect(self.find_requested)
        self.words.returnPressed.connect(self.find_requested)

    def show_found(self, found: Found) -> None:
        """Show what was found; say when there were more than shown, and any left out undated."""
        lines, matched = found.lines, found.matched
        more = f"; the newest {len(lines)} are shown" if matched > len(lines) else ""
        words = (f"{matched} filing{'s' if matched != 1 else ''} found{more}."
                 if matched else "No filing matches. Try fewer words or dates.")
        if found.undated:
            one = found.undated == 1
            words += (f" {counted(found.undated, 'more filing')} "
                      f"{'matches but its' if one else 'match but their'} date taken is not "
                      f"known, so no dates can find {'it' if one else 'them'}: clear the "
                      f"dates to see {'it' if one else 'them'}.")
        self.summary.setText(words)
        self.list.show_lines(lines)


def _date_box(name: str) -> QDateEdit:
    box = named(QDateEdit(), name)
    box.setDisplayFormat("dd/MM/yyyy")
    box.setCalendarPopup(True)
    box.setMinimumDate(NO_DATE)
    box.setSpecialValueText("any date")
    box.setDate(NO_DATE)
    return box


def chosen_date(box: QDateEdit):
    """The day in a date box, or None for "any date"."""
    return None if box.date() == NO_DATE else box.date().toPython()
