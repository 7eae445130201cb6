"""How things look: the stylesheet, and fonts sized relative to the system's.

Every size is a multiple of the font the person chose for their desktop, so
text scales with the system font setting and nothing is cut off at 150 %.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

# A word longer than this may be broken anywhere to wrap: a file name without spaces
# would otherwise set the least width of its label, and of the column it stands in.
LONGEST_UNBROKEN = 12
# An invisible place to break a line, which Qt's wrapping honours.
_BREAK = "\u200b"
_LONG_WORD = re.compile(rf"\S{{{LONGEST_UNBROKEN + 1},}}")

# The stylesheet names its pictures by absolute path, so the resources must be real files:
# they are, in the installed package and in the one-folder application alike.
RESOURCES = Path(str(resources.files("clinfile.resources")))


def stylesheet_text() -> str:
    """Return the house stylesheet (read once at start-up, before any window exists).

    Its pictures (the spin boxes' arrows) are named from ``@RESOURCES@``, made
    absolute here: a stylesheet's relative address would follow the working folder.
    """
    text = (RESOURCES / "clinfile.qss").read_text(encoding="utf-8")
    return text.replace("@RESOURCES@", RESOURCES.as_posix())


def scaled(widget: QWidget, factor: float, *, bold: bool = False) -> QWidget:
    """Set ``widget``'s font to ``factor`` times the system font size; return the widget."""
    font = QFont(widget.font())
    font.setPointSizeF(max(1.0, font.pointSizeF() * factor))
    font.setBold(bold)
    widget.setFont(font)
    return widget


def heading(text: str, factor: float = 1.6) -> QLabel:
    """A large, bold heading; a word longer than any name (one imported runaway) cut short.

    A dialog headed 'Consent of' a name ten thousand letters long would
    otherwise open wider than the screen; the whole heading is on hover.
    """
    label = QLabel(short_words(text))
    label.setToolTip(text if label.text() != text else "")
    label.setWordWrap(True)
    scaled(label, factor, bold=True)
    return label


def note(text: str = "", tone: str = "quiet") -> QLabel:
    """A wrapping line of explanation, coloured by its tone (quiet, ok, warning, error)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("tone", tone)
    return label


class WordsLabel(QLabel):
    """A wrapping line of words in which a word longer than any name is cut with '…'.

    Messages that name a patient, such as 'moved to another patient's
    record: …', would otherwise run a surname imported ten thousand letters
    long down the window and squeeze everything above them; the whole
    message is on hover.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        """Show ``text`` with runaway words cut, and the whole of it on hover when cut."""
        shown = short_words(text)
        super().setText(shown)
        self.setToolTip(text if shown != text else "")


def breakable(text: str) -> str:
    """Return ``text`` with invisible places to break inside each overlong word.

    A wrapping label breaks lines only between words, so one long word (a
    camera's file name, a pasted address) would widen the label past its
    column and cut off every value beside it. Such a word may break after
    each ``_ - . /`` in it, and at the latest every :data:`LONGEST_UNBROKEN`
    characters; shorter words are left as they are.
    """
    return _LONG_WORD.sub(lambda found: _broken(found.group()), text)


def _broken(word: str) -> str:
    """``word`` with a break after each separator and within every LONGEST_UNBROKEN letters."""
    pieces, run = [], 0
    for letter in word:
        pieces.append(letter)
        run += 1
        if letter in "_-./\\" or run == LONGEST_UNBROKEN:
            pieces.append(_BREAK)
            run = 0
    return "".join(pieces).removesuffix(_BREAK)


class ElidedLabel(QLabel):
    """One line that ends in … where its room ends, with the whole of it in the tooltip.

    Its words never widen what holds it: the room it is given decides how much
    shows, and a space's width is left empty at its end so that a cut message
    never reads on into the label beside it.
    """

    END_GAP = "  "  # left empty at the end of a cut line, so it ends visibly apart
    CUT = Qt.TextElideMode.ElideRight  # where the … goes

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        """Show ``text``, as much as fits, and the whole of it on hover."""
        super().setText(text)
        self.setToolTip(text)

    def shown_text(self) -> str:
        """What shows: the text, cut with … to its room less the gap at its end."""
        metrics = self.fontMetrics()
        room = self.contentsRect().width() - metrics.horizontalAdvance(self.END_GAP)
        return metrics.elidedText(self.text(), self.CUT, max(room, 0))

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Draw the line as cut to its room, in the label's own colours."""
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(),
                                  int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())


def search_box(placeholder: str) -> QLineEdit:
    """A search field with a clear button, as tall empty as it is with words in it.

    The clear button shows only once something is typed, and a field that
    grew with it would push every field beside and below it down as the
    person chooses the patient, just as they reach for the next one.
    """
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.setText(placeholder)
    edit.setMinimumHeight(edit.sizeHint().height())
    edit.clear()
    return edit


def password_box(name: str, entered: Callable[[], None]) -> QLineEdit:
    """A password field that hides what is typed, named for screen readers; Enter sends it."""
    edit = named(QLineEdit(), name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.returnPressed.connect(entered)
    return edit


def ask_again(edit: QLineEdit) -> None:
    """After a refused password: the one typed is gone and the field takes the next."""
    edit.clear()
    edit.setFocus()


def keep_room(label: QLabel, lines: int) -> QLabel:
    """Keep room for ``lines`` lines of a message that comes and goes; return the label.

    A message that pushed the fields below it down, or the panel above it up,
    would move a button from under the pointer just as the person clicks.
    """
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    margins = label.contentsMargins()
    label.setMinimumHeight(lines * label.fontMetrics().lineSpacing()
                           + margins.top() + margins.bottom())
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    return label


def tall_enough(window: QWidget) -> None:
    """Make ``window`` as tall as its fields and wrapped notes need at its width, within the screen.

    A window opens at its size hint, which counts a wrapped note as if it were
    wider, and does not grow when a note takes another line: the note, or the
    fields beside it, would lose a line, and a list its rows.
    """
    needed = window.heightForWidth(window.width())
    screen = window.screen()
    if screen is not None:
        needed = min(needed, screen.availableGeometry().height())
    if needed > window.height():
        window.resize(window.width(), needed)


def set_tone(label: QLabel, tone: str) -> None:
    """Change a label's tone and make the stylesheet notice."""
    label.setProperty("tone", tone)
    label.style().unpolish(label)
    label.style().polish(label)


def primary(button: QPushButton) -> QPushButton:
    """Mark the one button a person most likely wants."""
    button.setProperty("role", "primary")
    button.setDefault(True)
    return button


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a control its accessible name (and description) for screen readers."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def table(columns: int, name: str, rows: int = 0) -> QTableWidget:
    """A table Tab leaves for the next field, as in any form; the arrow keys move within it.

    Left to Qt's default, Tab steps from cell to cell, round and round, and
    never reaches the buttons under the table; and each step chooses the
    row it lands on instead of the rows the person chose, so a deletion
    confirmed next would be of the wrong pictures.
    """
    made = named(QTableWidget(rows, columns), name)
    made.setTabKeyNavigation(False)
    return made


class NameLabel(ElidedLabel):
    """One line naming a person, cut in the middle with '…' to the room it has; whole on hover.

    A name is one unbreakable word as often as not, and a label as wide as a
    name imported ten thousand letters long would push the whole view past
    the window. Its text stays whole for screen readers; only the drawing
    is shortened, and it asks for no more room than a long ordinary name.
    """

    ROOM = 48  # letters: room for a long ordinary name before it is shortened
    END_GAP = ""  # a name stands alone on its line: it may use the label's whole width
    # Cut in the middle, so the start of the family name and the given names both show.
    CUT = Qt.TextElideMode.ElideMiddle

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As wide as the name, up to the room of a long ordinary one."""
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self.text()),
                    metrics.averageCharWidth() * self.ROOM)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(),
                     metrics.height() + margins.top() + margins.bottom())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """A few letters and the '…'."""
        hint = self.sizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * 8), hint.height())


class NamingButton(QPushButton):
    """A button whose words end with a name: the name is cut with '…' to the button's width.

    'File 2 pictures to …' must keep its verb and count however long the
    patient's name; the whole words are in the tooltip and for screen readers.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tip = ""

    def shown_text(self) -> str:
        """The words as drawn: whole if they fit, else cut at the end with '…'."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option,
                                           self).width()
        room -= self.fontMetrics().horizontalAdvance("MM")
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        """Show ``text``, whole in the tooltip above what the tooltip said."""
        super().setText(text)
        self._show_tip()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        """Say ``tip`` on hover, under the button's whole words."""
        self._tip = tip
        self._show_tip()

    def _show_tip(self) -> None:
        super().setToolTip("\n".join(t for t in (self.text(), self._tip) if t))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """No wider than the words of a long ordinary name."""
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * NameLabel.ROOM),
                     hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """A few words and the '…'."""
        return QSize(self.fontMetrics().averageCharWidth() * 16, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Draw the button with its words cut to fit."""
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)


def short_name(text: str, letters: int = NameLabel.ROOM) -> str:
    """``text`` cut to ``letters`` with '…' if longer: a name as a list, button or heading shows it.

    Wherever it is cut, the whole name is in the tooltip of what shows it.
    """
    return text if len(text) <= letters else text[:letters - 1] + "…"


def short_words(text: str, letters: int = NameLabel.ROOM) -> str:
    """``text`` with every word longer than ``letters`` cut with '…', its lines kept.

    A sentence naming a patient wraps between words; a name with no break in
    it would hold the whole column as wide as itself.
    """
    return "\n".join(" ".join(short_name(word, letters) for word in line.split(" "))
                     for line in text.split("\n"))


def cell(text: str, letters: int = NameLabel.ROOM) -> QTableWidgetItem:
    """A table cell with any word longer than ``letters`` cut with '…', whole on hover.

    A column sized to its contents would otherwise be as wide as a runaway
    name, and push every column after it out of sight.
    """
    item = QTableWidgetItem(short_words(text, letters))
    item.setToolTip(text)
    return item


def name_label(factor: float) -> NameLabel:
    """A bold name ``factor`` times the system font size, shortened to fit, as banners show it."""
    label = NameLabel()
    scaled(label, factor, bold=True)
    return label


def elide_names(view: QAbstractItemView) -> QAbstractItemView:
    """Make a list or table shorten long text with '…' to its width, never scroll sideways.

    Each row's whole text is in its tooltip (see :func:`whole_in_tooltip`).
    """
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return view


def elided_list(lines: list[str], letters: int = NameLabel.ROOM) -> QListWidget:
    """A short read-only list of lines, long words cut to ``letters``, each whole in its tooltip."""
    listing = elide_names(QListWidget())
    listing.setUniformItemSizes(True)
    for line in lines:
        item = QListWidgetItem(short_words(line, letters))
        item.setToolTip(line)
        listing.addItem(item)
    rows = min(len(lines), 8)
    listing.setMinimumHeight(listing.sizeHintForRow(0) * rows + 2 * listing.frameWidth())
    listing.setMaximumHeight(listing.minimumHeight())
    return listing
