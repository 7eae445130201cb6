"""The large preview: one picture to zoom into, or several side by side to compare.

Pictures arrive already decoded (in a worker) from the display derivative,
which the import made with the camera's orientation applied, so they show
the right way up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from clinfile.ui.look import named, note

MOST_SIDE_BY_SIDE = 4


class ZoomableImage(QGraphicsView):
    """One picture; fits the space, zooms with Ctrl and the wheel or the + and - keys."""

    def __init__(self, image: QImage, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, f"Picture: {caption}", "Zoom with Ctrl+plus, Ctrl+minus; Ctrl+0 fits")
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem(QPixmap.fromImage(image))
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fitted = True

    def fit(self) -> None:
        """Show the whole picture."""
        self._fitted = True
        self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        """Zoom in (factor > 1) or out."""
        self._fitted = False
        self.scale(factor, factor)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Keep a fitted picture fitted as the window changes size."""
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        """Ctrl and the wheel zoom; the wheel alone scrolls."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
        else:
            super().wheelEvent(event)


class PreviewView(QWidget):
    """Shows the selected pictures, large."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Preview")
        self.hint = note("Select a picture in the inbox to see it here.")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.row = QWidget()
        self.row_layout = QHBoxLayout(self.row)
        self.row_layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.stack)
        self.images: list[ZoomableImage] = []

    def show_images(self, pictures: list[tuple[QImage, str]]) -> None:
        """Show up to four pictures side by side, each with its caption as accessible name."""
        self.clear()
        for image, caption in pictures[:MOST_SIDE_BY_SIDE]:
            view = ZoomableImage(image, caption)
            self.images.append(view)
            self.row_layout.addWidget(view)
        self.stack.setCurrentWidget(self.row if self.images else self.hint)
        for view in self.images:
            view.fit()

    def clear(self, hint: str = "Select a picture in the inbox to see it here.") -> None:
        """Show nothing (after filing, or while locked)."""
        for view in self.images:
            view.setParent(None)
            view.deleteLater()
        self.images = []
        self.hint.setText(hint)
        self.stack.setCurrentWidget(self.hint)

    def zoom(self, factor: float) -> None:
        """Zoom every picture shown."""
        for view in self.images:
            view.zoom(factor)

    def fit(self) -> None:
        """Fit every picture shown."""
        for view in self.images:
            view.fit()
