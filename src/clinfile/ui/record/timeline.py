"""The timeline: a patient's pictures grouped by episode and body site, newest first.

Each group is a heading with its pictures under it; each picture shows its
thumbnail once the worker has decoded it, and until then a grey square of
the same size, so rows never jump as thumbnails arrive. Arrow keys move
through the pictures, Shift and Ctrl choose several, as in any list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from clinfile.app.record.model import PatientRecord, RecordPicture, day_words
from clinfile.ui.look import named

PICTURE_ROLE = Qt.ItemDataRole.UserRole + 1
THUMBNAIL_EDGE = 96


@dataclass
class TimelineRows:
    """A record's rows, made (in a worker) before they are shown."""

    record: PatientRecord
    headings: list[QStandardItem] = field(default_factory=list)
    pictures: dict[int, QStandardItem] = field(default_factory=dict)


def picture_words(picture: RecordPicture) -> str:
    """The two lines beside a thumbnail: when and what, then who took it."""
    what = picture.description or picture.kind.label
    who = (f"taken by {picture.taken_by}" if picture.taken_by
           else "who took it is not recorded")
    return f"{day_words(picture.when)} · {what}\n{picture.kind.label.capitalize()}, {who}"


class Timeline(QTreeView):
    """The record's pictures, grouped; the selection is the pictures chosen.

    Signals:
        chosen_changed(list): the chosen pictures' ids, in timeline order.
        opened(int): the person pressed Enter on a picture or double-clicked it.
    """

    chosen_changed = Signal(list)
    opened = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Pictures in the record", "Newest first, grouped by episode and body site")
        self.model_ = QStandardItemModel(self)
        self.setModel(self.model_)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIconSize(QSize(THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        self.setAlternatingRowColors(True)
        self._rows: dict[int, QStandardItem] = {}
        self._shown: set[int] = set()
        self._placeholder = QImage(THUMBNAIL_EDGE, THUMBNAIL_EDGE, QImage.Format.Format_RGB888)
        self._placeholder.fill(QColor("#d9dde3"))
        # Every row says its height, so opening a record of hundreds of
        # pictures never measures hundreds of rows' text on the GUI thread.
        lines = self.fontMetrics().lineSpacing()
        self._row_size = QSize(0, max(THUMBNAIL_EDGE, 3 * lines) + 6)
        self._heading_size = QSize(0, 2 * lines + 10)
        self._text = QBrush(self.palette().text())
        self.selectionModel().selectionChanged.connect(lambda *_: self._chosen())
        self.activated.connect(self._activated)

    def show_record(self, record: PatientRecord) -> None:
        """Fill the timeline with a record's groups, every group open."""
        self.show_rows(self.rows_of(record))

    def rows_of(self, record: PatientRecord) -> TimelineRows:
        """Make the timeline's rows for a record; safe in a worker, as it touches no widget.

        A record of five hundred pictures takes a tenth of a second to put
        into words and rows; made in the worker, the GUI thread only hangs
        them on the timeline.
        """
        rows = TimelineRows(record)
        for group in record.groups:
            self._add_group(rows, group.title, group.pictures)
        if record.moved_away:
            self._add_group(rows, "Moved to another patient's record", record.moved_away)
        return rows

    def show_rows(self, rows: TimelineRows) -> None:
        """Show rows made by :meth:`rows_of`, every group open, nothing chosen."""
        self.model_.clear()
        font = self.font()
        font.setBold(True)
        for heading in rows.headings:
            heading.setFont(font)
        self.model_.invisibleRootItem().appendRows(rows.headings)
        self._rows = rows.pictures
        self._shown = set()
        self.expandAll()

    def _add_group(self, rows: TimelineRows, title: str,
                   pictures: tuple[RecordPicture, ...]) -> None:
        """Add a heading and its pictures: the date span under the title, one row each."""
        count = len(pictures)
        span = day_words(pictures[-1].when)
        if count > 1:
            span = f"{span} to {day_words(pictures[0].when)}"
        heading = QStandardItem(f"{title}\n{count} picture"
                                f"{'s' if count != 1 else ''}, {span}")
        # A heading is not a picture: the arrow keys pass over it, and its
        # words keep the window's text colour rather than a disabled grey.
        heading.setSelectable(False)
        heading.setEnabled(False)
        heading.setForeground(self._text)
        heading.setSizeHint(self._heading_size)
        for picture in pictures:
            words = picture_words(picture)
            row = QStandardItem(words)
            row.setData(picture, PICTURE_ROLE)
            row.setData(self._placeholder, Qt.ItemDataRole.DecorationRole)
            row.setData(words.replace("\n", ", "), Qt.ItemDataRole.AccessibleTextRole)
            if picture.deleted:
                row.setText(words + "\nDeleted at the end of its retention period")
            if not picture.here:
                row.setText(words + f"\nMoved to the record of {picture.moved_to}")
            row.setSizeHint(self._row_size)
            heading.appendRow(row)
            rows.pictures[picture.image_id] = row
        rows.headings.append(heading)

    def clear(self) -> None:
        """Show nothing (logged out, or no patient open)."""
        self.model_.clear()
        self._rows = {}
        self._shown = set()

    def set_thumbnail(self, image_id: int, image: QImage | None) -> None:
        """Put a decoded thumbnail in place (or keep the grey square for one that is gone)."""
        row = self._rows.get(image_id)
        if row is not None and image is not None:
            row.setData(image, Qt.ItemDataRole.DecorationRole)
            self._shown.add(image_id)

    def thumbnail_shown(self, image_id: int) -> bool:
        """Whether the picture's own thumbnail has replaced the grey square."""
        return image_id in self._shown

    def picture_ids(self) -> list[int]:
        """Every picture's id, in timeline order."""
        return list(self._rows)

    def picture(self, image_id: int) -> RecordPicture | None:
        """The picture with this id, if it is on the timeline."""
        row = self._rows.get(image_id)
        return row.data(PICTURE_ROLE) if row is not None else None

    def chosen(self) -> list[RecordPicture]:
        """The chosen pictures, in timeline order."""
        chosen = {index.data(PICTURE_ROLE).image_id for index in self.selectedIndexes()
                  if index.data(PICTURE_ROLE) is not None}
        return [self._rows[i].data(PICTURE_ROLE) for i in self._rows if i in chosen]

    def choose(self, image_ids: list[int]) -> None:
        """Choose these pictures (and show the first), as if clicked."""
        selection = self.selectionModel()
        selection.clearSelection()
        for number, image_id in enumerate(image_ids):
            row = self._rows.get(image_id)
            if row is None:
                continue
            flags = QItemSelectionModel.SelectionFlag.Select
            if number == 0:
                self.setCurrentIndex(row.index())
                self.scrollTo(row.index())
            selection.select(row.index(), flags)

    def _chosen(self) -> None:
        self.chosen_changed.emit([p.image_id for p in self.chosen()])

    def _activated(self, index: QModelIndex) -> None:
        picture = index.data(PICTURE_ROLE)
        if picture is not None:
            self.opened.emit(picture.image_id)
