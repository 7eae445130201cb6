"""The timeline: a patient's pictures grouped by episode and body site, newest first.

Each group is a heading with its pictures under it; each picture shows its
thumbnail once the worker has decoded it, and until then a grey square of
the same size, so rows never jump as thumbnails arrive. Arrow keys move
through the pictures, Shift and Ctrl choose several, as in any list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QImage
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from clinfile.app.record.model import PatientRecord, RecordPicture, day_words, taken_span
from clinfile.ui.look import named

PICTURE_ROLE = Qt.ItemDataRole.UserRole + 1
THUMBNAIL_EDGE = 96
# The invisible top of the tree, as Qt's own defaults name it.
TOP = QModelIndex()
# Made once: the view asks every row's flags many times while laying out.
PICTURE_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled


@dataclass(frozen=True)
class TimelineGroup:
    """One heading and the words of each picture under it."""

    words: str
    pictures: tuple[RecordPicture, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class TimelineRows:
    """A record's rows in words, made (in a worker) before they are shown."""

    record: PatientRecord
    groups: tuple[TimelineGroup, ...] = ()


def picture_words(picture: RecordPicture) -> str:
    """The two lines beside a thumbnail: when and what, then who took it."""
    what = picture.description or picture.kind.label
    who = (f"taken by {picture.taken_by}" if picture.taken_by
           else "who took it is not recorded")
    when = picture.taken.day()
    return f"{when[:1].upper()}{when[1:]} · {what}\n{picture.kind.label.capitalize()}, {who}"


class TimelineModel(QAbstractItemModel):
    """The record's headings and pictures, as the tree view asks for them.

    Nothing is made per picture beyond its words and, once decoded, its
    thumbnail: the view asks only for the rows it shows, and a record
    opened again lets go of everything the one before held. (Items of a
    standard item model made in Python stay alive with their pictures
    after the model is cleared.)
    """

    def __init__(self, placeholder: QImage, row_size: QSize, heading_line: int,
                 heading_font: QFont, text: QBrush, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._placeholder = placeholder
        self._row_size = row_size
        self._heading_line = heading_line
        self._heading_font = heading_font
        self._text = text
        self._groups: tuple[TimelineGroup, ...] = ()
        self._where: dict[int, tuple[int, int]] = {}
        self._images: dict[int, QImage] = {}

    def show(self, groups: tuple[TimelineGroup, ...], keep: bool = False) -> None:
        """Show these groups instead of what was shown, with no thumbnail yet.

        ``keep``: the same record read again; each picture still shown keeps
        the thumbnail it had.
        """
        kept = self._images if keep else {}
        self.beginResetModel()
        self._groups = groups
        self._where = {picture.image_id: (group, row)
                       for group, made in enumerate(groups)
                       for row, picture in enumerate(made.pictures)}
        self._images = {image_id: image for image_id, image in kept.items()
                        if image_id in self._where and self.picture(image_id).shown}
        self.endResetModel()

    def set_images(self, arrived: list[tuple[int, QImage | None]]) -> None:
        """Take decoded thumbnails; tell the view once per run of neighbouring rows."""
        placed = []
        for image_id, image in arrived:
            if image is not None and image_id in self._where:
                self._images[image_id] = image
                placed.append(self._where[image_id])
        for group, first, last in _runs(placed):
            self.dataChanged.emit(self.createIndex(first, 0, group + 1),
                                  self.createIndex(last, 0, group + 1),
                                  [Qt.ItemDataRole.DecorationRole])

    def picture_ids(self) -> list[int]:
        """Every picture's id, in timeline order."""
        return list(self._where)

    def picture(self, image_id: int) -> RecordPicture | None:
        """The picture with this id, if it is shown."""
        where = self._where.get(image_id)
        return self._groups[where[0]].pictures[where[1]] if where else None

    def thumbnail(self, image_id: int) -> QImage | None:
        """The picture's decoded thumbnail, once it has arrived."""
        return self._images.get(image_id)

    def index_of(self, image_id: int) -> QModelIndex:
        """The row of the picture with this id (invalid if it is not shown)."""
        where = self._where.get(image_id)
        return self.createIndex(where[1], 0, where[0] + 1) if where else QModelIndex()

    # --- what the view asks ------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = TOP) -> QModelIndex:
        """A heading at the top level (its id 0); a picture under heading g has id g + 1."""
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._groups) else QModelIndex()
        if parent.internalId() == 0 and row < len(self._groups[parent.row()].pictures):
            return self.createIndex(row, 0, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: QModelIndex = TOP) -> QModelIndex:
        """A picture's heading; a heading has none."""
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex = TOP) -> int:  # noqa: N802 - Qt override
        """Headings at the top; under a heading, its pictures; under a picture, nothing."""
        if not parent.isValid():
            return len(self._groups)
        return len(self._groups[parent.row()].pictures) if parent.internalId() == 0 else 0

    def columnCount(self, _parent: QModelIndex = TOP) -> int:  # noqa: N802 - Qt override
        """One column: the thumbnail and its words."""
        return 1

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        """A heading is not a picture: the arrow keys pass over it, and it cannot be chosen."""
        if not index.isValid() or index.internalId() == 0:
            return Qt.ItemFlag.NoItemFlags
        return PICTURE_FLAGS

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The words, thumbnail and fixed size of a row; a heading keeps the text colour."""
        if not index.isValid():
            return None
        if index.internalId() == 0:
            group = self._groups[index.row()]
            return {Qt.ItemDataRole.DisplayRole: group.words,
                    Qt.ItemDataRole.FontRole: self._heading_font,
                    Qt.ItemDataRole.ForegroundRole: self._text,
                    Qt.ItemDataRole.SizeHintRole: self._heading_size(group)}.get(role)
        group = self._groups[index.internalId() - 1]
        picture = group.pictures[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return self._images.get(picture.image_id, self._placeholder)
        if role == Qt.ItemDataRole.DisplayRole:
            return group.texts[index.row()]
        if role == Qt.ItemDataRole.SizeHintRole:
            return self._row_size
        if role == PICTURE_ROLE:
            return picture
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return group.texts[index.row()].replace("\n", ", ")
        return None

    def _heading_size(self, group: TimelineGroup) -> QSize:
        """Room for every line of a heading: its title, any corrected site, the dates."""
        return QSize(0, (group.words.count("\n") + 1) * self._heading_line + 10)


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
        placeholder = QImage(THUMBNAIL_EDGE, THUMBNAIL_EDGE, QImage.Format.Format_RGB888)
        placeholder.fill(QColor("#d9dde3"))
        # Every row says its height, so opening a record of hundreds of
        # pictures never measures hundreds of rows' text on the GUI thread.
        lines = self.fontMetrics().lineSpacing()
        bold = self.font()
        bold.setBold(True)
        self.model_ = TimelineModel(placeholder, QSize(0, max(THUMBNAIL_EDGE, 3 * lines) + 6),
                                    lines, bold,
                                    QBrush(self.palette().text()), self)
        self.setModel(self.model_)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIconSize(QSize(THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        self.setAlternatingRowColors(True)
        self.selectionModel().selectionChanged.connect(lambda *_: self._chosen())
        self.activated.connect(self._activated)

    def show_record(self, record: PatientRecord) -> None:
        """Fill the timeline with a record's groups, every group open."""
        self.show_rows(timeline_rows(record))

    def rows_of(self, record: PatientRecord) -> TimelineRows:
        """Make the timeline's rows for a record; safe in a worker, as it touches no widget.

        A record of five hundred pictures takes a tenth of a second to put
        into words; made in the worker, the GUI thread only shows them.
        """
        return timeline_rows(record)

    def show_rows(self, rows: TimelineRows) -> None:
        """Show rows made by :meth:`rows_of`, every group open, nothing chosen."""
        self.model_.show(rows.groups)
        self.expandAll()

    def show_again(self, rows: TimelineRows, chosen: list[int]) -> None:
        """Show the open record read again where the person left it.

        The thumbnails already shown stay, these pictures stay chosen, the
        row the keyboard was on stays its row, and the list stays scrolled
        where it was, so a change made elsewhere never moves what the person
        is looking at.
        """
        top = self.verticalScrollBar().value()
        current = self.currentIndex().data(PICTURE_ROLE)
        self.model_.show(rows.groups, keep=True)
        self.expandAll()
        self.executeDelayedItemsLayout()
        self.choose(chosen)
        if current is not None:
            self.selectionModel().setCurrentIndex(
                self.model_.index_of(current.image_id),
                QItemSelectionModel.SelectionFlag.NoUpdate)
        self.verticalScrollBar().setValue(top)

    def clear(self) -> None:
        """Show nothing (logged out, or no patient open)."""
        self.model_.show(())

    def set_thumbnails(self, arrived: list[tuple[int, QImage | None]]) -> None:
        """Put a batch of decoded thumbnails in place; one that is gone keeps its grey square."""
        self.model_.set_images(arrived)

    def thumbnail_shown(self, image_id: int) -> bool:
        """Whether the picture's own thumbnail has replaced the grey square."""
        return self.model_.thumbnail(image_id) is not None

    def picture_ids(self) -> list[int]:
        """Every picture's id, in timeline order."""
        return self.model_.picture_ids()

    def picture(self, image_id: int) -> RecordPicture | None:
        """The picture with this id, if it is on the timeline."""
        return self.model_.picture(image_id)

    def chosen(self) -> list[RecordPicture]:
        """The chosen pictures, in timeline order."""
        chosen = {index.data(PICTURE_ROLE).image_id for index in self.selectedIndexes()
                  if index.data(PICTURE_ROLE) is not None}
        return [self.model_.picture(i) for i in self.model_.picture_ids() if i in chosen]

    def choose(self, image_ids: list[int]) -> None:
        """Choose these pictures (and show the first), as if clicked."""
        selection = self.selectionModel()
        selection.clearSelection()
        for number, image_id in enumerate(image_ids):
            index = self.model_.index_of(image_id)
            if not index.isValid():
                continue
            if number == 0:
                self.setCurrentIndex(index)
                self.scrollTo(index)
            selection.select(index, QItemSelectionModel.SelectionFlag.Select)

    def _chosen(self) -> None:
        self.chosen_changed.emit([p.image_id for p in self.chosen()])

    def _activated(self, index: QModelIndex) -> None:
        picture = index.data(PICTURE_ROLE)
        if picture is not None:
            self.opened.emit(picture.image_id)


def timeline_rows(record: PatientRecord) -> TimelineRows:
    """A record's headings and pictures in words, newest group first; touches no widget."""
    groups = [_group("\n".join((group.title, *group.corrections)), group.pictures)
              for group in record.groups]
    if record.moved_away:
        groups.append(_group("Moved to another patient's record", record.moved_away))
    return TimelineRows(record, tuple(groups))


def _group(title: str, pictures: tuple[RecordPicture, ...]) -> TimelineGroup:
    """A heading with the date span under the title, and each picture's words."""
    count = len(pictures)
    span = taken_span([p.taken for p in pictures])
    return TimelineGroup(f"{title}\n{count} picture{'s' if count != 1 else ''}, {span}",
                         pictures, tuple(_row_words(p) for p in pictures))


def _row_words(picture: RecordPicture) -> str:
    words = picture_words(picture)
    if picture.deleted:
        words += f"\nDeleted at the end of its retention period on {day_words(picture.deleted_on)}"
    if not picture.here:
        words += f"\nMoved to the record of {picture.moved_to}"
    return words


def _runs(placed: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Neighbouring rows under one heading, as (heading, first row, last row)."""
    runs: list[tuple[int, int, int]] = []
    for group, row in sorted(placed):
        if runs and runs[-1][0] == group and runs[-1][2] + 1 == row:
            runs[-1] = (group, runs[-1][1], row)
        else:
            runs.append((group, row, row))
    return runs
