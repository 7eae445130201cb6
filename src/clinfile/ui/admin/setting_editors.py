"""One editor for each practice setting, built from the rule the setting declares.

The ranges, choices, labels and minimums live on
:class:`app.settings.PracticeSettings` alone; this module only turns each
rule into the control that can hold its values.
"""

from __future__ import annotations

from dataclasses import Field
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSizePolicy, QSpinBox, QWidget

from clinfile.app.settings import SettingError, SettingRule
from clinfile.ui.idle import count_minutes
from clinfile.ui.look import named, note, set_tone


class SettingEditor:
    """A control for one setting, with the value it holds read and written as the setting's.

    A number may be typed below its legal minimum: it is kept as typed, and
    the note beneath says what the minimum is and why, rather than the box
    quietly changing it to something the person did not choose.
    """

    def __init__(self, setting: Field) -> None:
        self.name = setting.name
        self.rule: SettingRule = setting.metadata["rule"]
        self.widget = named(_control(setting.type, self.rule), self.rule.label, self.rule.allowed)
        self.note = note(self.rule.allowed)
        if isinstance(self.widget, QSpinBox):
            self.widget.valueChanged.connect(self._say_problem)

    @property
    def problem(self) -> str:
        """What is wrong with the value shown, in the rule's words; empty if nothing."""
        try:
            self.rule.check(self.value)
        except SettingError as wrong:
            return str(wrong)
        return ""

    def _say_problem(self) -> None:
        problem = self.problem
        self.note.setText(problem or self.rule.allowed)
        set_tone(self.note, "error" if problem else "quiet")

    @property
    def value(self) -> Any:
        """The value as the editor shows it."""
        widget = self.widget
        if isinstance(widget, QSpinBox):
            return widget.value()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        return widget.text()

    @value.setter
    def value(self, value: Any) -> None:
        widget = self.widget
        if isinstance(widget, QSpinBox):
            widget.setValue(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(value)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        else:
            widget.setText(value)


def _control(kind: str, rule: SettingRule) -> QWidget:
    if kind == "bool":
        return QCheckBox(rule.label)
    if kind == "int":
        box = QSpinBox()
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        box.setRange(min(0, rule.minimum), rule.maximum)
        if rule.unit == "minutes":
            count_minutes(box)
        elif rule.unit:
            box.setSuffix(f" {rule.unit}")
        return box
    if rule.choices:
        combo = QComboBox()
        combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for word, words in rule.choices:
            combo.addItem(words, word)
        return combo
    edit = QLineEdit()
    if rule.longest is not None:
        edit.setMaxLength(rule.longest)
    return edit
