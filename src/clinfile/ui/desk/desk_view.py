"""The filing desk: the inbox on the left, the picture in the middle, the patient on the right."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QStandardItemModel
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from clinfile.ui.desk.inbox_view import InboxView, dropped_files
from clinfile.ui.desk.patient_banner import PatientBanner
from clinfile.ui.desk.preview_view import PreviewView
from clinfile.ui.look import named


class DeskView(QWidget):
    """Where reception lives. Files dragged onto it are taken in.

    Signals:
        files_dropped(list): local files dragged onto the desk, to import.
    """

    files_dropped = Signal(list)

    def __init__(self, model: QStandardItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Filing desk")
        self.setAcceptDrops(True)
        self.inbox = InboxView(model)
        self.preview = PreviewView()
        self.banner = PatientBanner()
        self.side = QWidget()
        self.side_layout = QVBoxLayout(self.side)
        self.side_layout.setContentsMargins(0, 0, 0, 0)
        self.side_layout.addWidget(self.banner)
        self.middle = QWidget()
        self.middle_layout = QVBoxLayout(self.middle)
        self.middle_layout.setContentsMargins(0, 0, 0, 0)
        self.middle_layout.addWidget(self.preview, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.inbox)
        self.splitter.addWidget(self.middle)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setChildrenCollapsible(False)
        self.inbox.setMinimumWidth(self.fontMetrics().averageCharWidth() * 46)
        self.side.setMinimumWidth(self.fontMetrics().averageCharWidth() * 54)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(self.splitter)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As tall as each column needs at the width it has, its wrapped lines included.

        The page scrolls rather than squeeze a column: a squeezed consent box
        drew its text over the File button.
        """
        margins = self.layout().contentsMargins()
        tallest = max(_least_height(column) for column in (self.middle, self.side))
        return super().minimumSizeHint().expandedTo(
            QSize(0, tallest + margins.top() + margins.bottom()))

    def add_below_preview(self, widget: QWidget) -> None:
        """Add a panel under the picture (the description of what is filed)."""
        self.middle_layout.addWidget(widget)

    def add_to_side(self, widget: QWidget, stretch: int = 0) -> None:
        """Add a panel under the patient banner (search, classify, file)."""
        self.side_layout.addWidget(widget, stretch)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        """Accept files dragged from the file manager or an email program."""
        if event.mimeData().hasUrls() and dropped_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Hand the dropped files on to be imported."""
        files = dropped_files(event.mimeData().urls())
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)


def _least_height(column: QWidget) -> int:
    """The least height a column needs at its width without squeezing any panel.

    A box layout gives a panel of wrapped text (the consent box, the patient
    search with its caution) no less than its height for this width; only
    the rest, like the picture, can shrink to its least.
    """
    layout = column.layout()
    width = column.width()
    heights = [item.heightForWidth(width) if item.hasHeightForWidth()
               else item.minimumSize().height()
               for item in (layout.itemAt(index) for index in range(layout.count()))
               if not item.isEmpty()]
    margins = layout.contentsMargins()
    return (sum(heights) + layout.spacing() * max(0, len(heights) - 1)
            + margins.top() + margins.bottom())
