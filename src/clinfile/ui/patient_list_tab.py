"""The practice administration's Patient list tab: import the clinical software's export.

The person picks a file (CSV, FHIR JSON or HL7), sees its first rows as the
import would read them (so a wrong column mapping or date order shows before
anything is stored), imports it, and sees every row that could not be used,
by line. Reading, checking and storing are the patient service's, as for
``clinfile patients import``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.counting import counted
from clinfile.app.escaping import escaped
from clinfile.app.patients.csv_import import PRESETS
from clinfile.app.patients.service import ImportProgress, ImportReport, PatientService, guess_format
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import cell, heading, named, note, primary, set_tone, table
from clinfile.ui.tasks import Tasks

FORMAT_WORDS = {"csv": "CSV export (spreadsheet)", "fhir": "FHIR R4 Patient bundle (JSON)",
                "hl7": "HL7 v2 ADT messages"}
PRESET_WORDS = {"australian": "Australian dates (day first)", "iso": "ISO dates (year first)",
                "us": "US dates (month first)"}
PREVIEW_HEADINGS = ["Where", "Surname", "First name", "Born", "Record number", "Medicare",
                    "Problem"]


def report_words(report: ImportReport) -> str:
    """Say what an import did: how many added, updated and unchanged, and rows not used."""
    words = f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged"
    if report.problems:
        rows = len(report.problems)
        words += f"; {rows} row{'s' if rows != 1 else ''} could not be used (listed below)"
    return words + "."


class PatientListTab(QWidget):
    """Choose, preview and import the patient list.

    Signals:
        previewed: the preview table shows the chosen file as it would be read.
        imported(object): an import finished (its :class:`ImportReport`).
    """

    previewed = Signal()
    imported = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._service: PatientService | None = None
        self.file_edit = named(QLineEdit(), "Patient list file")
        self.file_edit.setPlaceholderText("the export of your clinical software")
        self.browse_button = named(QPushButton("Choose file…"), "Choose the patient list file")
        self.format_box = named(QComboBox(), "File format")
        for word, label in FORMAT_WORDS.items():
            self.format_box.addItem(label, word)
        self.mapping_box = named(QComboBox(), "Column mapping")
        self.preview = table(len(PREVIEW_HEADINGS), "First rows as read")
        self.preview.setHorizontalHeaderLabels(PREVIEW_HEADINGS)
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.preview.verticalHeader().hide()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.import_button = named(primary(QPushButton("Import the patient list")),
                                   "Import the patient list")
        self.message = named(note(""), "Patient list message")
        self.problems = named(QListWidget(), "Rows that could not be used")
        self.problems.hide()
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("F&ormat", self.format_box)
        form.addRow("Column &mapping", self.mapping_box)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Import the patient list", 1.2))
        layout.addWidget(note("Export the patient list from your clinical software and choose "
                              "the file here. Importing again updates patients already known "
                              "and never adds anyone twice."))
        layout.addLayout(form)
        layout.addWidget(note("The first rows, as they would be read:"))
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.import_button)
        layout.addWidget(self.message)
        layout.addWidget(self.problems, 1)
        self.browse_button.clicked.connect(self._browse)
        self.file_edit.editingFinished.connect(self._file_chosen)
        self.format_box.currentIndexChanged.connect(lambda _i: self._look_again())
        self.mapping_box.currentIndexChanged.connect(lambda _i: self._look_again())
        self.import_button.clicked.connect(self.start_import)
        self._set_ready(False)

    def show_for(self, service: PatientService) -> None:
        """Work with this session's patient index; offer the presets and saved mappings."""
        self._service = service
        self._tasks.run(service.saved_mapping_names, owner=self).success(self._show_mappings)

    def choose_file(self, path: Path) -> None:
        """Take a file to import: guess its format, then preview it."""
        self.file_edit.setText(str(path))
        self._file_chosen()

    @property
    def path(self) -> Path | None:
        """The chosen file, if any."""
        text = self.file_edit.text().strip()
        return Path(text) if text else None

    def _show_mappings(self, saved: list[str]) -> None:
        self.mapping_box.blockSignals(True)
        self.mapping_box.clear()
        for name in PRESETS:
            self.mapping_box.addItem(PRESET_WORDS.get(name, name), name)
        for name in saved:
            self.mapping_box.addItem(f"Saved: {name}", name)
        self.mapping_box.blockSignals(False)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose the patient list", "",
            "Patient lists (*.csv *.txt *.json *.hl7 *.adt);;All files (*)")
        if chosen:
            self.choose_file(Path(chosen))

    def _file_chosen(self) -> None:
        path = self.path
        if path is None or self._service is None:
            return
        self._tasks.run(guess_format, path, owner=self).success(self._format_guessed).failure(
            self._failed)

    def _format_guessed(self, format: str) -> None:
        self.format_box.blockSignals(True)
        self.format_box.setCurrentIndex(self.format_box.findData(format))
        self.format_box.blockSignals(False)
        self._look_again()

    def _look_again(self) -> None:
        path = self.path
        is_csv = self.format_box.currentData() == "csv"
        self.mapping_box.setEnabled(is_csv)
        if path is None or self._service is None:
            return
        self._set_ready(False)
        self._tasks.run(self._service.preview, path, format=self.format_box.currentData(),
                        mapping=self.mapping_box.currentData() if is_csv else None,
                            owner=self).success(
            self._show_preview).failure(self._failed)

    def _show_preview(self, rows) -> None:
        self.preview.setRowCount(len(rows))
        for number, row in enumerate(rows):
            born = f"{row.birth_date.day} {row.birth_date:%b %Y}" if row.birth_date else ""
            cells = (row.where, row.family_name, row.given_names, born, row.record_number,
                     row.medicare_number, row.problem)
            for column, text in enumerate(cells):
                self.preview.setItem(number, column, cell(text))
        self.preview.resizeRowsToContents()
        self.message.setText("Check the first rows: the surname, first name and date of birth "
                             "should be in their own columns, and the dates right.")
        set_tone(self.message, "quiet")
        self._set_ready(bool(rows))
        self.previewed.emit()

    def start_import(self) -> None:
        """Import the chosen file in a worker, showing how far it has got."""
        path, service = self.path, self._service
        if path is None or service is None:
            return
        format = self.format_box.currentData()
        mapping = self.mapping_box.currentData() if format == "csv" else None
        self._set_ready(False)
        self.problems.clear()
        self.problems.hide()
        self.message.setText(f"Importing {escaped(path.name)}…")
        task = self._tasks.stream(lambda: service.import_file(path, format=format,
                                                              mapping=mapping),
                                  owner=self, writes=True)
        task.progress(self._progressed).success(self._finished).failure(self._failed)

    def _progressed(self, progress: ImportProgress) -> None:
        if progress.report is None:
            self.message.setText(f"Importing… {counted(progress.read, 'row')} read, "
                                 f"{progress.saved:,} saved.")

    def _finished(self, last: ImportProgress) -> None:
        report = last.report
        self._set_ready(True)
        self.message.setText(f"{report.source}: {report_words(report)}")
        set_tone(self.message, "warning" if report.problems else "ok")
        for problem in (*report.problems, *report.warnings):
            self.problems.addItem(f"{problem.where}: {problem.why}")
        self.problems.setVisible(self.problems.count() > 0)
        self.imported.emit(report)

    def _failed(self, error: BaseException) -> None:
        self._set_ready(False)
        self.preview.setRowCount(0)
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")

    def _set_ready(self, ready: bool) -> None:
        self.import_button.setEnabled(ready)
