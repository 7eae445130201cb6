"""The practice's policy and this computer's folders: the settings tab."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QPushButton, QSpinBox, QWidget

from app.desk.first_run import check_working_folder
from app.desk.opening import OpenedDesk
from app.desk.workstation import WorkstationMemory
from app.settings import SettingsService
from ui.errors import in_plain_words
from ui.first_run_wizard import FolderField
from ui.idle import count_minutes
from ui.look import heading, named, note, primary, set_tone
from ui.tasks import Tasks


class SettingsTab(QWidget):
    """The practice's policy, shared by every workstation, and this computer's folders.

    Signals:
        folders_changed(str, str): the drop folder and outbox for this computer.
        settings_saved(object): the practice settings as stored.
    """

    folders_changed = Signal(str, str)
    settings_saved = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._desk: OpenedDesk | None = None
        self.auto_lock = named(QSpinBox(), "Lock after minutes without use")
        self.auto_lock.setRange(1, 60)
        count_minutes(self.auto_lock)
        self.max_megabytes = named(QSpinBox(), "Largest file to take in, megabytes")
        self.max_megabytes.setRange(1, 2048)
        self.max_megabytes.setSuffix(" MB")
        self.max_megapixels = named(QSpinBox(), "Largest picture to take in, megapixels")
        self.max_megapixels.setRange(50, 500)
        self.max_megapixels.setSuffix(" megapixels")
        self.written = named(QCheckBox("Clinical photos need signed, written consent"),
                             "Require written consent for clinical photos")
        self.drop = FolderField(tasks, lambda p: check_working_folder(p, "drop folder"),
                                "Drop folder")
        self.outbox = FolderField(tasks, lambda p: check_working_folder(p, "outbox"), "Outbox")
        self.save_button = named(primary(QPushButton("Save settings")), "Save settings")
        self.message = named(note(""), "Settings message")
        form = QFormLayout(self)
        form.addRow(heading("The practice", 1.2))
        form.addRow("&Lock after", self.auto_lock)
        form.addRow("Largest &file", self.max_megabytes)
        form.addRow("Largest &picture", self.max_megapixels)
        form.addRow(self.written)
        form.addRow(heading("This computer", 1.2))
        form.addRow("&Drop folder", self.drop)
        form.addRow("&Outbox", self.outbox)
        form.addRow(self.save_button)
        form.addRow(self.message)
        self.save_button.clicked.connect(self._save)

    def show_for(self, desk: OpenedDesk, memory: WorkstationMemory) -> None:
        """Show the settings as they stand."""
        self._desk = desk
        self.auto_lock.setValue(desk.settings.auto_lock_minutes)
        self.max_megabytes.setValue(desk.settings.max_import_megabytes)
        self.max_megapixels.setValue(desk.settings.max_import_megapixels)
        self.written.setChecked(desk.policy.written_consent_for_clinical_photos)
        self.drop.edit.setText(memory.drop_folder)
        self.outbox.edit.setText(memory.outbox)

    def _save(self) -> None:
        session = self._desk.session
        values = {"auto_lock_minutes": self.auto_lock.value(),
                  "max_import_megabytes": self.max_megabytes.value(),
                  "max_import_megapixels": self.max_megapixels.value(),
                  "written_consent_for_clinical_photos": self.written.isChecked()}
        self._tasks.write(SettingsService(session).change, **values).success(
            self._saved).failure(self._failed)
        if self.drop.usable() and self.outbox.usable():
            self.folders_changed.emit(str(self.drop.path), str(self.outbox.path))

    def _saved(self, settings) -> None:
        self.message.setText("Saved.")
        set_tone(self.message, "ok")
        self.settings_saved.emit(settings)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")
