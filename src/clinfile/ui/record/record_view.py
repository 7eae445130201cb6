"""The patient's record page: find the patient on the left, their pictures on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.record.model import PatientRecord
from clinfile.ui.desk.patient_panel import PatientPanel
from clinfile.ui.flow_layout import FlowLayout
from clinfile.ui.look import WordsLabel, name_label, named, scaled
from clinfile.ui.record.finding_panels import FindPanel, TodayPanel
from clinfile.ui.record.picture_details import PictureDetails
from clinfile.ui.record.timeline import Timeline


class RecordBanner(QFrame):
    """Whose record is open, large: the name, date of birth, record number and picture count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PatientBanner")
        named(self, "Record of patient")
        self.caption = QLabel("Record of")
        self.name = name_label(1.6)
        self.details = scaled(QLabel(""), 1.1)
        self.details.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(self.caption)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        self.show_none()

    def show_record(self, record: PatientRecord) -> None:
        """Show whose record is open and how much it holds."""
        self.name.setText(record.name)
        deleted = sum(p.deleted for p in record.pictures)
        count = record.count - deleted
        moved = len(record.moved_away)
        gone = f" · {deleted} deleted at the end of retention" if deleted else ""
        away = f" · {moved} moved to another patient's record" if moved else ""
        self.details.setText(f"Born {record.born} · Record {record.record_number or 'none'} · "
                             f"{count} picture{'s' if count != 1 else ''}{gone}{away}")
        self.setAccessibleDescription(f"{record.name}, born {record.born}, "
                                      f"record {record.record_number}")
        self._state("chosen")

    def show_none(self) -> None:
        """No record open yet."""
        self.name.setText("No patient's record open")
        self.details.setText("Find the patient on the left, or open a filing from today's list.")
        self.setAccessibleDescription("No patient's record open")
        self._state("none")

    def _state(self, state: str) -> None:
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)


class RecordView(QWidget):
    """The page: finding on the left; the banner, the commands, the timeline and details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Patient's record")
        self.patient_panel = PatientPanel(
            "Search for a patient above by name, date of birth, Medicare or record number "
            "to open their record.")
        self.patient_panel.choose_button.setText("Open this patient's record")
        self.finding = QTabWidget()
        named(self.finding, "Ways to find a record")
        self.today = TodayPanel()
        self.find_panel = FindPanel()
        self.finding.addTab(self.patient_panel, "&Patient")
        self.finding.addTab(self.today, "&Today")
        self.finding.addTab(self.find_panel, "Fi&nd")
        self.banner = RecordBanner()
        self.timeline = Timeline()
        self.details = PictureDetails()
        details_scroller = QScrollArea()
        details_scroller.setWidgetResizable(True)
        details_scroller.setFrameShape(QFrame.Shape.NoFrame)
        details_scroller.setWidget(self.details)
        self.commands = FlowLayout()
        self.status = WordsLabel()
        named(self.status, "What the record is doing")
        self.pictures = QSplitter(Qt.Orientation.Horizontal)
        self.pictures.addWidget(self.timeline)
        self.pictures.addWidget(details_scroller)
        self.pictures.setStretchFactor(0, 3)
        self.pictures.setStretchFactor(1, 2)
        self.pictures.setChildrenCollapsible(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.banner)
        commands = QWidget()
        commands.setLayout(self.commands)
        right_layout.addWidget(commands)
        right_layout.addWidget(self.pictures, 1)
        right_layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.finding)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 7)
        splitter.setChildrenCollapsible(False)
        # Its tabs always side by side, never half hidden behind scroll arrows: the
        # tab bar's own width is the least this column takes.
        self.finding.setUsesScrollButtons(False)
        self.finding.setElideMode(Qt.TextElideMode.ElideNone)
        self.timeline.setMinimumWidth(self.fontMetrics().averageCharWidth() * 44)
        details_scroller.setMinimumWidth(self.fontMetrics().averageCharWidth() * 36)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(splitter)

    def add_command(self, text: str, name: str, tip: str) -> QPushButton:
        """Add a button to the row of commands above the timeline."""
        button = QPushButton(text)
        named(button, name)
        button.setToolTip(tip)
        button.setEnabled(False)
        self.commands.addWidget(button)
        return button
