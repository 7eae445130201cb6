"""The pictures of the open patient that other workstations archived in the PACS.

A tab beside the patient search lists them on request (the archive is
asked in a worker), each marked as from the archive; viewing one fetches it
in a worker, keeps it in the vault, and shows it in a window that says
plainly it is the archive's, read-only, and not filed here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.interop.archive_service import ArchivedPicture, ArchiveSearch, ArchiveService
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import heading, named, note, scaled, short_name
from clinfile.ui.record.record_controller import RecordController
from clinfile.ui.record.thumbnails import small_image
from clinfile.ui.tasks import Tasks

VIEW_EDGE = 1400
ARCHIVE_WORDS = ("From the practice archive: sent there by another workstation. Read-only; "
                 "it is not filed in this record here.")


class ArchivePanel(QWidget):
    """The archive's pictures of the open patient, listed and chosen to view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Pictures in the practice archive")
        self.title = heading("From the practice archive", 1.15)
        self.explain = note("Pictures of this patient that other workstations archived. "
                            "Open a record, then look.")
        self.explain.setWordWrap(True)
        self.look_button = QPushButton("&Look in the archive")
        named(self.look_button, "Look in the archive")
        self.pictures = QListWidget()
        self.pictures.setWordWrap(True)
        self.pictures.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        named(self.pictures, "Pictures in the archive")
        self.view_button = QPushButton("Vie&w the picture")
        named(self.view_button, "View the archived picture")
        self.status = note("")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.explain, self.look_button):
            layout.addWidget(widget)
        layout.addWidget(self.pictures, 1)
        layout.addWidget(self.view_button)
        layout.addWidget(self.status)
        self.show_patient(None)

    def show_patient(self, name: str | None) -> None:
        """A record was opened (or closed): nothing listed until someone looks."""
        self.pictures.clear()
        self.look_button.setEnabled(name is not None)
        self.view_button.setEnabled(False)
        self.status.setText(f"Look in the archive for {short_name(name)}'s pictures."
                            if name else "")
        self.status.setToolTip(name)

    def show_search(self, search: ArchiveSearch) -> None:
        """List what the archive holds, marked, or say why it could not be asked."""
        self.pictures.clear()
        for picture in search.pictures:
            kept = " · kept here" if picture.kept else ""
            item = QListWidgetItem(picture.words + kept)
            item.setData(Qt.ItemDataRole.UserRole, picture)
            self.pictures.addItem(item)
        count = len(search.pictures)
        found = (f"{count} picture{'s' if count != 1 else ''} from other workstations."
                 if count else "The archive holds no pictures of this patient from other "
                               "workstations.")
        self.status.setText(f"{search.problem} {found}".strip())
        self.view_button.setEnabled(count > 0)
        if count:
            self.pictures.setCurrentRow(0)
            self.pictures.setFocus()

    def chosen(self) -> ArchivedPicture | None:
        """The picture chosen in the list, if any."""
        item = self.pictures.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class ArchiveViewer(QDialog):
    """One archived picture, with words that say it is the archive's and read-only."""

    def __init__(self, picture: ArchivedPicture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Picture from the practice archive")
        named(self, "Picture from the practice archive")
        self.banner = scaled(QLabel(ARCHIVE_WORDS), 1.1, bold=True)
        self.banner.setObjectName("ArchiveBanner")
        self.banner.setWordWrap(True)
        self.about = note(picture.words)
        self.about.setWordWrap(True)
        self.picture = QLabel("Fetching the picture…")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        named(self.picture, "The archived picture")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.about)
        layout.addWidget(self.picture, 1)
        layout.addWidget(buttons)

    def show_image(self, image) -> None:
        """Show the fetched picture, or say it could not be read."""
        if image is None:
            self.picture.setText("The picture could not be read.")
            return
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self.picture.setPixmap(QPixmap.fromImage(image))

    def show_problem(self, words: str) -> None:
        """Say why the picture cannot be shown."""
        self.picture.setText(words)


class ArchiveController(QObject):
    """Looks in the archive for the open record's patient and shows what is chosen.

    Signals:
        searched(object): the archive answered (the :class:`ArchiveSearch`).
        shown(object): a picture is on show in its viewer (the viewer).
    """

    searched = Signal(object)
    shown = Signal(object)

    def __init__(self, tasks: Tasks, record: RecordController, say: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._record = record
        self._say = say
        self.panel = ArchivePanel()
        self.viewer: ArchiveViewer | None = None
        self._patient: int | None = None
        record.view.finding.addTab(self.panel, "From the &archive")
        record.record_shown.connect(self._record_shown)
        self.panel.look_button.clicked.connect(self.look)
        self.panel.view_button.clicked.connect(self.view)
        self.panel.pictures.itemActivated.connect(lambda _item: self.view())

    def close(self) -> None:
        """The person logged out: forget what the archive showed."""
        self._patient = None
        self.panel.show_patient(None)

    def look(self) -> None:
        """Ask the archive, in a worker, for the open patient's pictures."""
        service, patient = self._service(), self._patient
        if service is None or patient is None:
            return
        self.panel.status.setText("Asking the archive…")
        self._tasks.run(service.search, patient, owner=self.panel).success(
            self._found).failure(self._failed)

    def view(self) -> None:
        """Fetch (or read the kept copy of) the chosen picture in a worker and show it."""
        service, patient, picture = self._service(), self._patient, self.panel.chosen()
        if service is None or patient is None or picture is None:
            return
        viewer = ArchiveViewer(picture, self.panel.window())
        viewer.finished.connect(viewer.deleteLater)
        self.viewer = viewer
        window = self.panel.window().geometry()
        viewer.resize(window.width() * 3 // 4, window.height() * 3 // 4)
        viewer.open()
        edge = round(VIEW_EDGE * viewer.devicePixelRatioF())
        self._tasks.run(lambda: small_image(service.display_copy(patient, picture), edge),
                        owner=viewer).success(lambda image: self._show(viewer, image)
                                                  ).failure(
            lambda error: viewer.show_problem(in_plain_words(error)))

    def _record_shown(self, record) -> None:
        self._patient = record.patient_id
        self.panel.show_patient(record.name)

    def _found(self, search: ArchiveSearch) -> None:
        self.panel.show_search(search)
        self.searched.emit(search)

    def _show(self, viewer: ArchiveViewer, image) -> None:
        viewer.show_image(image)
        self.shown.emit(viewer)

    def _failed(self, error: BaseException) -> None:
        words = in_plain_words(error)
        self.panel.status.setText(words)
        self._say(words)

    def _service(self) -> ArchiveService | None:
        desk = self._record.desk
        return ArchiveService(desk.session) if desk is not None else None
