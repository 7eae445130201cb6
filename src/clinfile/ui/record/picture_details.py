"""Everything known about the picture chosen on the timeline, in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from clinfile.app.clock import time_words
from clinfile.app.record.model import RecordPicture
from clinfile.ui.look import WordsLabel, breakable, heading, named, short_words

PREVIEW_EDGE = 256

FIELDS = (
    ("kind", "Kind"), ("site", "Body site"), ("description", "Description"),
    ("purpose", "Why it was taken"), ("when", "Taken"), ("taken_by", "Taken by"),
    ("came_from", "Came from"), ("file", "File and camera"), ("filed", "Filed"),
    ("basis", "Kept on"), ("consent", "Consent"), ("limits", "Allowed uses"),
    ("history", "Filing and corrections"), ("exports", "Exports"),
)


class PictureDetails(QWidget):
    """The chosen picture: a larger thumbnail and its facts, or how many are chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "About the chosen picture")
        self.title = heading("", 1.15)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(PREVIEW_EDGE // 2)
        named(self.preview, "The chosen picture, small")
        self.facts: dict[str, QLabel] = {}
        self._names: dict[str, QLabel] = {}
        # A grid, not a form layout: once the scroll bar came or went, a form layout
        # placed its rows with heights worked out for another width, cutting the
        # last line off wrapped values.
        facts = QGridLayout()
        facts.setColumnStretch(1, 1)
        for row, (key, label) in enumerate(FIELDS):
            name = QLabel(f"{label}:")
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            named(value, label)
            name.setBuddy(value)
            self._names[key] = name
            self.facts[key] = value
            facts.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(value, row, 1)
        self.hint = WordsLabel()
        self.hint.setProperty("tone", "quiet")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.preview)
        layout.addWidget(self.hint)
        layout.addLayout(facts)
        layout.addStretch(1)
        self.show_nothing()

    def show_nothing(self, words: str = "Choose a picture on the timeline to see its details."
                     ) -> None:
        """No picture chosen (or several): say what to do."""
        _say(self.title, "")
        self.preview.clear()
        self.preview.hide()
        self.hint.setText(words)
        for value in self.facts.values():
            _say(value, "")
        self._show_rows_with_words()

    def show_picture(self, picture: RecordPicture) -> None:
        """Show one picture's facts; its thumbnail follows from the worker."""
        title = picture.description or picture.kind.label
        _say(self.title, title[:1].upper() + title[1:])
        self.preview.clear()
        self.preview.setVisible(picture.shown)
        self.hint.setText(picture.gone_words())
        words = {
            "kind": picture.kind.label.capitalize(),
            "site": picture.body_site.label,
            "description": picture.description or "none given",
            "purpose": picture.clinical_purpose or "not recorded",
            "when": picture.taken.time(),
            "taken_by": picture.taken_by or "not recorded",
            "came_from": picture.came_from.capitalize(),
            "file": f"{picture.file_name}; camera {picture.camera}; "
                    f"{picture.width} × {picture.height} pixels",
            "filed": f"{time_words(picture.filed_at)} by {picture.filed_by}",
            "basis": picture.basis.capitalize(),
            "consent": picture.consent,
            "limits": picture.limits.capitalize() if picture.limits else "",
            "history": "\n".join(picture.history),
            "exports": "\n".join(picture.exports) or "never exported",
        }
        for key, value in self.facts.items():
            _say(value, words[key])
        self._show_rows_with_words()

    def show_preview(self, image: QImage | None) -> None:
        """Show the chosen picture's thumbnail, decoded in the worker."""
        if image is not None:
            self.preview.setPixmap(QPixmap.fromImage(image))

    def _show_rows_with_words(self) -> None:
        """Only the facts known are shown: no label stands beside an empty line."""
        for key, value in self.facts.items():
            shown = bool(value.text())
            self._names[key].setVisible(shown)
            value.setVisible(shown)


def _say(label: QLabel, words: str) -> None:
    """Show ``words`` wrapped within the column; a long word broken shows whole on hover.

    A file name without spaces is wrapped inside itself rather than widening
    the column and cutting off every other value at its right edge; a word
    longer than any name, such as a surname imported ten thousand letters
    long, is cut short first so it does not run down the column.
    """
    shown = breakable(short_words(words))
    label.setText(shown)
    label.setToolTip(words if shown != words else "")
