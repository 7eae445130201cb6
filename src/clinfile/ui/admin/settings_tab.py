"""The practice's policy and this computer's folders: the settings tab.

Every field of :class:`PracticeSettings` has a row, built from the rule the
field declares (its label, range or choices, and the legal minimum shown
beside it); the window keeps no copy of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import fields

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.desk.first_run import check_working_folder
from clinfile.app.desk.opening import OpenedDesk
from clinfile.app.desk.workstation import WorkstationMemory
from clinfile.app.settings import PracticeSettings, SettingsService
from clinfile.ui.admin.setting_editors import SettingEditor
from clinfile.ui.errors import in_plain_words
from clinfile.ui.first_run_wizard import FolderField
from clinfile.ui.look import heading, named, note, primary, set_tone
from clinfile.ui.tasks import Tasks

# Letters Alt already opens elsewhere on this page: the menus and the tabs.
_TAKEN = set("fivgh") | set("upslarc")


def with_mnemonics(labels: list[str], taken: set[str]) -> list[str]:
    """Mark a letter of each label for Alt, no two the same nor any ``taken``.

    The page has nearly as many labels as the alphabet has letters left, so
    the first free letter of each in turn runs out for the last few; each
    label is given a letter by trading, where it must, with a label before it
    that has another letter to spare (a bipartite matching), so every label
    that can have one does. Each keeps the earliest letter it can.
    """
    holder: dict[str, int] = {}

    def place(label: int, tried: set[str]) -> bool:
        for letter in _letters(labels[label]):
            if letter in taken or letter in tried:
                continue
            tried.add(letter)
            if letter not in holder or place(holder[letter], tried):
                holder[letter] = label
                return True
        return False

    for label in range(len(labels)):
        place(label, set())
    chosen = {label: letter for letter, label in holder.items()}
    return [_marked(text, chosen.get(n, "")) for n, text in enumerate(labels)]


def _letters(label: str) -> list[str]:
    """The label's letters, each once, in the order they come."""
    return list(dict.fromkeys(c.casefold() for c in label if c.isalpha()))


def _marked(label: str, letter: str) -> str:
    """The label with its first ``letter`` marked for Alt (unmarked without one)."""
    at = next((n for n, c in enumerate(label) if c.casefold() == letter), None) \
        if letter else None
    return label if at is None else f"{label[:at]}&{label[at:]}"


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
        self.editors = {f.name: SettingEditor(f) for f in fields(PracticeSettings)}
        self.drop = FolderField(tasks, lambda p: check_working_folder(p, "drop folder"),
                                "Drop folder")
        self.outbox = FolderField(tasks, lambda p: check_working_folder(p, "outbox"), "Outbox")
        self.save_button = named(primary(QPushButton("Save settings (Ctrl+S)")),
                                 "Save settings")
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self._save)
        self.message = named(note(""), "Settings message")
        self._lay_out()
        self.save_button.clicked.connect(self._save)

    @property
    def auto_lock(self) -> QWidget:
        """The idle-lock minutes, which the lock screen's words follow."""
        return self.editors["auto_lock_minutes"].widget

    def _lay_out(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        own_outbox = "This computer's outbox, used instead of the practice's"
        here = (("Watched drop folder", self.drop), (own_outbox, self.outbox))
        marked = iter(with_mnemonics([e.rule.label for e in self.editors.values()]
                                     + [text for text, _field in here], _TAKEN))
        form.addRow(heading("The practice", 1.2))
        for editor in self.editors.values():
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(editor.widget)
            column.addWidget(editor.note)
            if isinstance(editor.widget, QCheckBox):
                editor.widget.setText(next(marked))
                form.addRow(column)
                continue
            label = QLabel(next(marked))
            label.setBuddy(editor.widget)
            form.addRow(label, column)
        form.addRow(heading("This computer", 1.2))
        for _text, field in here:
            label = QLabel(next(marked))
            label.setBuddy(field.edit)
            form.addRow(label, field)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)

    def show_for(self, desk: OpenedDesk, memory: WorkstationMemory) -> None:
        """Show the settings as they stand."""
        self._desk = desk
        for name, editor in self.editors.items():
            editor.value = getattr(desk.settings, name)
        self.drop.edit.setText(memory.drop_folder)
        self.outbox.edit.setText(memory.outbox)

    def _save(self) -> None:
        wrong = next((editor for editor in self.editors.values() if editor.problem), None)
        if wrong is not None:
            self.message.setText(f"Not saved: {wrong.problem}")
            set_tone(self.message, "error")
            self.findChild(QScrollArea).ensureWidgetVisible(wrong.widget)
            wrong.widget.setFocus()
            return
        current = self._desk.settings
        changed = {name: editor.value for name, editor in self.editors.items()
                   if editor.value != getattr(current, name)}
        if changed:
            self._tasks.write(SettingsService(self._desk.session).change, **changed,
                owner=self).success(
                self._saved).failure(self._failed)
        else:
            self.message.setText("Nothing to save: the practice's settings are as shown.")
            set_tone(self.message, "quiet")
        if self.drop.usable() and self.outbox.usable():
            self.folders_changed.emit(str(self.drop.path), str(self.outbox.path))

    def _saved(self, settings: PracticeSettings) -> None:
        self._desk = dataclasses.replace(self._desk, settings=settings)
        self.message.setText("Saved. Every part of the window uses the new settings now.")
        set_tone(self.message, "ok")
        self.settings_saved.emit(settings)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")
