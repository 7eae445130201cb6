"""Pictures of one body site side by side, at one scale, zoomed and moved together.

When every picture carries its scale (pixels per millimetre, from a ruler in
it), one millimetre is the same size on screen in each; otherwise each is
shown at the same height, and the window says that sizes may differ from
life. The date each was taken is written over it. Zooming or dragging one
picture does the same to all; Page Up and Page Down step the picture that
has the keyboard to the newer or older picture of the same site.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.record.model import RecordPicture
from clinfile.ui.look import heading, named, note

# Where each picture's date sits, over the top left corner of its pane.
CAPTION_CORNER = QPoint(6, 6)
# Pictures without a scale are shown this many scene units high.
COMMON_HEIGHT = 1000.0
ZOOM_STEP = 1.25
SAME_SCALE = ("Shown at the same scale: one millimetre is the same size in each picture, "
              "from the scale recorded for each.")
SAME_HEIGHT = ("Shown at the same height. Not every picture has its scale recorded, so "
               "sizes on screen may differ from life.")
KEYS = ("Page Up and Page Down: newer or older picture of this site · + and −: zoom · "
        "0: fit · drag or arrow keys: move · Tab: next picture")


def same_site(a: RecordPicture, b: RecordPicture) -> bool:
    """Whether two pictures are of the same body site and side (the detail may differ)."""
    return (a.body_site.site, a.body_site.laterality) == (b.body_site.site,
                                                           b.body_site.laterality)


class ComparePane(QGraphicsView):
    """One picture of the comparison with its date over it.

    Signals:
        step(int): the person asked for the newer (-1) or older (+1) picture here.
        zoom(float): the person zoomed by this factor (0 to fit).
    """

    step = Signal(int)
    zoom = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(Qt.GlobalColor.black)
        self.caption = QLabel(self.viewport())
        self.caption.setStyleSheet("background: rgba(0, 0, 0, 170); color: white; "
                                   "padding: 4px 8px; font-weight: bold;")
        self.caption.move(CAPTION_CORNER)
        self.gone = QLabel(self.viewport())
        self.gone.setWordWrap(True)
        self.gone.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.gone.setMargin(24)
        self.gone.setAutoFillBackground(True)
        self.gone.hide()
        self.picture: RecordPicture | None = None

    def show_picture(self, picture: RecordPicture) -> None:
        """Show which picture this is (its date over it) while its pixels load."""
        self.picture = picture
        self.item.setPixmap(QPixmap())
        what = picture.description or picture.kind.label
        taken = picture.taken.said()
        self.caption.setText(f"{taken[:1].upper()}{taken[1:]} · {what}")
        self.caption.adjustSize()
        self.gone.hide()
        named(self, f"Picture {taken}", what)

    def say_gone(self, words: str) -> None:
        """Say in words why the picture is not here (deleted, moved), instead of a black pane."""
        self.item.setPixmap(QPixmap())
        self.gone.setText(words)
        self.gone.setGeometry(self.viewport().rect())
        self.gone.show()
        self.caption.raise_()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Keep the words of a picture that is gone over the whole pane."""
        super().resizeEvent(event)
        self.gone.setGeometry(self.viewport().rect())

    def set_image(self, image: QImage, scale: float, scene: QRectF) -> None:
        """Show the pixels at ``scale`` scene units per pixel, centred in ``scene``."""
        self.item.setPixmap(QPixmap.fromImage(image))
        self.item.setScale(scale)
        size = self.item.boundingRect().size() * scale
        self.item.setPos(scene.center() - QPointF(size.width() / 2, size.height() / 2))
        self.scene().setSceneRect(scene)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        """Move the picture, but keep its date in the corner: the viewport scrolls its children."""
        super().scrollContentsBy(dx, dy)
        self.caption.move(CAPTION_CORNER)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Page keys step through the timeline; + - 0 zoom; arrows move, as in any view."""
        steps = {Qt.Key.Key_PageUp: -1, Qt.Key.Key_PageDown: 1}
        zooms = {Qt.Key.Key_Plus: ZOOM_STEP, Qt.Key.Key_Equal: ZOOM_STEP,
                 Qt.Key.Key_Minus: 1 / ZOOM_STEP, Qt.Key.Key_0: 0.0}
        if event.key() in steps:
            self.step.emit(steps[event.key()])
        elif event.key() in zooms:
            self.zoom.emit(zooms[event.key()])
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        """The wheel zooms every picture together."""
        self.zoom.emit(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)


class CompareDialog(QDialog):
    """Two or more pictures of one site, compared.

    Signals:
        wanted(int): the pixels of this picture are needed (its display copy).
    """

    wanted = Signal(int)

    def __init__(self, site: list[RecordPicture], shown: list[RecordPicture],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare pictures")
        named(self, "Compare pictures")
        self.site = site
        self.images: dict[int, QImage] = {}
        self.zoom_factor = 1.0
        self._fitted = True
        self._following = False
        self.panes = [ComparePane() for _ in shown]
        row = QHBoxLayout()
        for pane in self.panes:
            row.addWidget(pane, 1)
            pane.step.connect(lambda direction, p=pane: self.step(p, direction))
            pane.zoom.connect(self.zoom)
            for bar in (pane.horizontalScrollBar(), pane.verticalScrollBar()):
                bar.valueChanged.connect(lambda _v, p=pane: self._follow(p))
        title = shown[0].body_site.label
        self.scale_note = note("")
        named(self.scale_note, "How the pictures are sized")
        keys = note(KEYS)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Compare: {title}", 1.2))
        layout.addWidget(self.scale_note)
        layout.addLayout(row, 1)
        layout.addWidget(keys)
        layout.addWidget(buttons)
        self._shown_now: list[RecordPicture] = []
        for pane, picture in zip(self.panes, shown, strict=True):
            pane.show_picture(picture)
        self._relayout()
        self.installEventFilter(self)

    def start(self) -> None:
        """Ask for every shown picture's pixels."""
        for pane in self.panes:
            self.wanted.emit(pane.picture.image_id)

    def set_image(self, image_id: int, image: QImage | None) -> None:
        """Take a picture's decoded display copy; show it where it is wanted."""
        if image is None or all(p.picture.image_id != image_id for p in self.panes):
            return
        self.images[image_id] = image
        self._relayout()

    def say_gone(self, image_id: int, words: str) -> None:
        """Say why a picture wanted here cannot be shown: deleted or moved since it was chosen.

        Its pixels are let go, so nothing shows it again as the panes are laid out.
        """
        self.images.pop(image_id, None)
        for pane in self.panes:
            if pane.picture.image_id == image_id:
                pane.say_gone(words)

    def step(self, pane: ComparePane, direction: int) -> None:
        """Show the newer (-1) or older (+1) picture of this site in one pane.

        A picture already shown in another pane is passed over, so two panes
        never show the same picture; with none left that way, the pane stays.
        """
        elsewhere = {p.picture.image_id for p in self.panes if p is not pane}
        ids = [p.image_id for p in self.site]
        to = ids.index(pane.picture.image_id) + direction
        while 0 <= to < len(ids) and ids[to] in elsewhere:
            to += direction
        if not 0 <= to < len(ids):
            return
        picture = self.site[to]
        pane.show_picture(picture)
        self._forget_unshown()
        self._relayout()
        if picture.image_id not in self.images:
            self.wanted.emit(picture.image_id)

    def zoom(self, factor: float) -> None:
        """Zoom every picture together by ``factor``; 0 fits them again."""
        if factor == 0:
            self._fitted = True
        else:
            self._fitted = False
            self.zoom_factor = max(0.02, min(self.zoom_factor * factor, 50.0))
        self._apply_zoom()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Fit again when the window changes size, unless the person zoomed."""
        super().resizeEvent(event)
        if self._fitted:
            self._apply_zoom()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Fit the pictures once the dialog is first shown at its real size."""
        if watched is self and event.type() == QEvent.Type.Show:
            self._apply_zoom()
        return False

    @property
    def physical(self) -> bool:
        """Whether every picture shown carries its scale, so they share one in millimetres."""
        return all(p.picture.pixels_per_mm for p in self.panes)

    def _scale_of(self, picture: RecordPicture, image: QImage) -> float:
        """Scene units per pixel of the decoded image: millimetres, or the common height."""
        if self.physical:
            return picture.width / image.width() / picture.pixels_per_mm
        return COMMON_HEIGHT / image.height()

    def _relayout(self) -> None:
        self.scale_note.setText(SAME_SCALE if self.physical else SAME_HEIGHT)
        sizes = []
        for pane in self.panes:
            image = self.images.get(pane.picture.image_id)
            if image is not None:
                scale = self._scale_of(pane.picture, image)
                sizes.append((image.width() * scale, image.height() * scale))
        scene = QRectF(0, 0, max((w for w, _ in sizes), default=COMMON_HEIGHT),
                       max((h for _, h in sizes), default=COMMON_HEIGHT))
        for pane in self.panes:
            image = self.images.get(pane.picture.image_id)
            if image is not None:
                pane.set_image(image, self._scale_of(pane.picture, image), scene)
            else:
                pane.scene().setSceneRect(scene)
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        if self._fitted:
            self.zoom_factor = min(
                min(pane.viewport().width() / pane.sceneRect().width(),
                    pane.viewport().height() / pane.sceneRect().height())
                for pane in self.panes) * 0.98
        for pane in self.panes:
            pane.setTransform(QTransform.fromScale(self.zoom_factor, self.zoom_factor))

    def _follow(self, leader: ComparePane) -> None:
        """Move every other picture to where the one dragged or scrolled now is."""
        if self._following:
            return
        self._following = True
        try:
            for pane in self.panes:
                if pane is not leader:
                    pane.horizontalScrollBar().setValue(leader.horizontalScrollBar().value())
                    pane.verticalScrollBar().setValue(leader.verticalScrollBar().value())
        finally:
            self._following = False

    def _forget_unshown(self) -> None:
        """Let go of the pixels of pictures no longer on screen."""
        shown = {p.picture.image_id for p in self.panes}
        self.images = {i: image for i, image in self.images.items() if i in shown}


def comparison(site: list[RecordPicture], chosen: list[RecordPicture]
               ) -> tuple[list[RecordPicture], str]:
    """The pictures to compare, or why not: the chosen ones, or one and the one before it."""
    if not chosen:
        return [], "Choose the pictures to compare on the timeline first."
    first = chosen[0]
    others = [p for p in chosen if not same_site(p, first)]
    if others:
        return [], (f"Compare pictures of one body site: these are of {first.body_site.label} "
                    f"and {others[0].body_site.label}.")
    if len(chosen) > 1:
        return chosen, ""
    ids = [p.image_id for p in site]
    at = ids.index(first.image_id)
    if at + 1 < len(site):
        return [first, site[at + 1]], ""
    if at > 0:
        return [site[at - 1], first], ""
    return [first], ""


Loader = Callable[[int], None]
