"""Everything known about the picture chosen on the timeline, in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from clinfile.app.record.model import RecordPicture, time_words
from clinfile.ui.look import heading, named, note

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
        self.hint = note("")
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
        self.title.setText("")
        self.preview.clear()
        self.preview.hide()
        self.hint.setText(words)
        for value in self.facts.values():
            value.setText("")
        self._show_rows_with_words()

    def show_picture(self, picture: RecordPicture) -> None:
        """Show one picture's facts; its thumbnail follows from the worker."""
        title = picture.description or picture.kind.label
        self.title.setText(title[:1].upper() + title[1:])
        self.preview.clear()
        self.preview.setVisible(picture.shown)
        self.hint.setText(picture.gone_words())
        f = self.facts
        f["kind"].setText(picture.kind.label.capitalize())
        f["site"].setText(picture.body_site.label)
        f["description"].setText(picture.description or "none given")
        f["purpose"].setText(picture.clinical_purpose or "not recorded")
        f["when"].setText(time_words(picture.when))
        f["taken_by"].setText(picture.taken_by or "not recorded")
        f["came_from"].setText(picture.came_from.capitalize())
        f["file"].setText(f"{picture.file_name}; camera {picture.camera}; "
                          f"{picture.width} × {picture.height} pixels")
        f["filed"].setText(f"{time_words(picture.filed_at)} by {picture.filed_by}")
        f["basis"].setText(picture.basis.capitalize())
        f["consent"].setText(picture.consent)
        f["limits"].setText(picture.limits.capitalize() if picture.limits else "")
        f["history"].setText("\n".join(picture.history))
        f["exports"].setText("\n".join(picture.exports) or "never exported")
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
