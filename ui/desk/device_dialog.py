"""Choosing photos on a phone or camera plugged in over a cable, and taking them in.

Looking for the device, listing its photos and making their thumbnails all
happen in workers (the service makes thumbnails from the device's untrusted
files in worker processes); this dialog only shows what comes back. The
import itself is the inbox's, so its progress and Stop show there as well as
here. Whether the photos leave the device is settled once, before the
import, following the practice's setting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.escaping import escaped
from app.ingest import events as ev
from app.ingest.devices import (
    CameraVolume,
    DeletionPolicy,
    DeviceImage,
    find_camera_volumes,
    list_images,
)
from app.ingest.service import ImportService
from ui.desk.device_words import deletion_question, summary_words
from ui.desk.inbox_controller import InboxController, received_words
from ui.errors import in_plain_words
from ui.look import heading, named, note, primary, set_tone
from ui.tasks import Task, Tasks

IMAGE_ROLE = Qt.ItemDataRole.UserRole + 1
LOOKING = "Looking for a phone or camera…"
NO_DEVICE = ("No phone or camera was found. Plug it in with its cable and unlock it. "
             "On an Android phone, choose “File transfer” in the notification that "
             "appears; on an iPhone, tap “Trust this computer”. Then choose Look again.")


@dataclass(frozen=True)
class FoundDevice:
    """A phone or camera and its photos, newest first, as found by a worker."""

    volume: CameraVolume
    images: tuple[DeviceImage, ...]


def look_for_devices(roots: list[Path] | None) -> list[FoundDevice]:
    """Find the mounted devices and list their photos (in a worker: it reads the disks)."""
    return [FoundDevice(volume, tuple(list_images(volume)))
            for volume in find_camera_volumes(roots)]


def decoded_thumbnails(service: ImportService, volume: CameraVolume,
                       images: tuple[DeviceImage, ...], cancel: ev.CancelToken
                       ) -> Iterator[tuple[DeviceImage, QImage | None]]:
    """Decode each thumbnail in the worker too; a QImage may be made off the GUI thread."""
    for image, data in service.device_thumbnails(volume, images, cancel=cancel):
        yield image, QImage.fromData(data) if data else None


def taken_today(image: DeviceImage) -> bool:
    """Whether the photo was taken today, local time: the ones the clinician just took."""
    return image.modified.astimezone().date() == datetime.now().astimezone().date()


class DeviceDialog(QDialog):
    """The photos on a plugged-in phone or camera, to tick and import.

    Signals:
        devices_found(int): the look for devices ended with this many found.
        thumbnails_shown: every thumbnail of the device on show has arrived.
        import_finished(str): an import ended; the summary shown to the person.
    """

    devices_found = Signal(int)
    thumbnails_shown = Signal()
    import_finished = Signal(str)

    def __init__(self, tasks: Tasks, inbox: InboxController, say: Callable[[str], None], *,
                 roots: list[Path] | None = None, parent: QWidget | None = None) -> None:
        """Import through ``inbox``; look under ``roots`` (None: where this system mounts them)."""
        super().__init__(parent)
        self._tasks = tasks
        self._inbox = inbox
        self._say = say
        self._roots = roots
        self.policy = DeletionPolicy.ASK
        self._devices: list[FoundDevice] = []
        self._thumbnails: Task | None = None
        self._import: Task | None = None
        self._stored: set[Path] = set()
        self._deleted = 0
        self._kept = 0
        self._unread = 0
        self.question: QMessageBox | None = None
        self.setWindowTitle("Import from a phone or camera")
        named(self, "Import from a phone or camera")
        self.resize(820, 640)
        self._build()
        self.finished.connect(lambda _result: self._stop_thumbnails())

    def _build(self) -> None:
        """Lay the dialog out; only Import answers the Return key, wherever the focus is."""
        self.device = named(QComboBox(), "Phone or camera", "The device to import from")
        self.device.currentIndexChanged.connect(self._show_device)
        self.look_button = named(QPushButton("&Look again"), "Look again for a phone or camera")
        self.look_button.clicked.connect(self.look)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device, 1)
        device_row.addWidget(self.look_button)
        self.message = named(note(LOOKING), "What is happening")
        self.pictures = QListWidget()
        named(self.pictures, "Photos on the device",
              "Tick the photos to import; the space bar ticks and unticks the current one")
        self.pictures.setViewMode(QListView.ViewMode.IconMode)
        self.pictures.setIconSize(QSize(128, 128))
        self.pictures.setGridSize(QSize(168, 184))
        self.pictures.setResizeMode(QListView.ResizeMode.Adjust)
        self.pictures.setMovement(QListView.Movement.Static)
        self.pictures.setWordWrap(True)
        self.pictures.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pictures.itemChanged.connect(lambda _item: self._count_ticked())
        self.all_button = named(QPushButton("Tick &all"), "Tick every photo")
        self.all_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        self.none_button = named(QPushButton("Tick &none"), "Untick every photo")
        self.none_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))
        tick_row = QHBoxLayout()
        tick_row.addWidget(self.all_button)
        tick_row.addWidget(self.none_button)
        tick_row.addStretch(1)
        self.progress = named(QProgressBar(), "Import progress")
        self.progress.setFormat("Taking in %v of %m")
        self.stop_button = named(QPushButton("&Stop"), "Stop the import",
                                 "Photos already in the vault stay; the rest stay on the device")
        self.stop_button.clicked.connect(self._inbox.cancel_import)
        progress_row = QHBoxLayout()
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.stop_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        self.summary = named(note(""), "What the import did")
        self.summary.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = named(buttons.button(QDialogButtonBox.StandardButton.Close), "Close")
        for button in (self.look_button, self.all_button, self.none_button, self.stop_button,
                       close):
            button.setAutoDefault(False)
        self.import_button = primary(buttons.addButton("&Import",
                                                       QDialogButtonBox.ButtonRole.ActionRole))
        self.import_button.clicked.connect(self._import_chosen)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Import photos from a phone or camera", 1.2))
        layout.addLayout(device_row)
        layout.addWidget(self.message)
        layout.addWidget(self.pictures, 1)
        layout.addLayout(tick_row)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self._count_ticked()

    # --- finding the device ---------------------------------------------------------

    def start(self, policy: DeletionPolicy) -> None:
        """Open the dialog under the practice's deletion ``policy`` and look for devices."""
        self.policy = policy
        self.summary.hide()
        self.open()
        self.look()

    def look(self) -> None:
        """Look for plugged-in devices in a worker; the list fills when it answers."""
        self._stop_thumbnails()
        self.pictures.clear()
        self.message.setText(LOOKING)
        set_tone(self.message, "quiet")
        self.look_button.setEnabled(False)
        self._tasks.run(look_for_devices, self._roots).success(self._found).failure(
            self._look_failed)

    def _found(self, devices: list[FoundDevice]) -> None:
        self.look_button.setEnabled(True)
        self._devices = devices
        self.device.blockSignals(True)
        self.device.clear()
        for found in devices:
            self.device.addItem(found.volume.label)
        self.device.blockSignals(False)
        self.device.setEnabled(bool(devices))
        if devices:
            self._show_device(0)
            self.pictures.setFocus()
        else:
            self.message.setText(NO_DEVICE)
            set_tone(self.message, "warning")
            self.look_button.setFocus()
            self._count_ticked()
        self.devices_found.emit(len(devices))

    def _look_failed(self, error: BaseException) -> None:
        self.look_button.setEnabled(True)
        self.message.setText("Could not look for a phone or camera: " + in_plain_words(error))
        set_tone(self.message, "error")
        self.devices_found.emit(0)

    # --- the device's photos ----------------------------------------------------------

    @property
    def volume(self) -> CameraVolume | None:
        """The device on show."""
        index = self.device.currentIndex()
        return self._devices[index].volume if 0 <= index < len(self._devices) else None

    def _show_device(self, index: int) -> None:
        self._stop_thumbnails()
        self.pictures.clear()
        if not 0 <= index < len(self._devices):
            return
        found = self._devices[index]
        self.pictures.blockSignals(True)
        for image in found.images:
            self.pictures.addItem(self._item(image))
        self.pictures.blockSignals(False)
        if self.pictures.count():
            self.pictures.setCurrentRow(0)
        words = (f"{len(found.images)} photos on {found.volume.label}, newest first. "
                 "Today's are ticked.") if found.images else (
            f"There are no photos on {found.volume.label}.")
        self.message.setText(words)
        set_tone(self.message, "quiet")
        self._count_ticked()
        service = self._inbox.service
        if service is None or not found.images:
            self.thumbnails_shown.emit()
            return
        token = ev.CancelToken()
        self._thumbnails = self._tasks.stream(
            lambda: decoded_thumbnails(service, found.volume, found.images, token),
            on_cancel=token.cancel)
        self._thumbnails.progress(self._thumbnail).success(
            lambda _last: self.thumbnails_shown.emit()).failure(self._thumbnails_failed)

    def _item(self, image: DeviceImage) -> QListWidgetItem:
        name = escaped(image.path.name)
        item = QListWidgetItem(f"{name}\n{received_words(image.modified.isoformat())}")
        item.setData(IMAGE_ROLE, image)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if taken_today(image)
                           else Qt.CheckState.Unchecked)
        item.setToolTip(f"{name}, {image.size / 1_000_000:.1f} MB")
        return item

    def _thumbnail(self, arrived: tuple[DeviceImage, QImage | None]) -> None:
        image, picture = arrived
        for row in range(self.pictures.count()):
            item = self.pictures.item(row)
            if item.data(IMAGE_ROLE) == image:
                if picture is None or picture.isNull():
                    item.setText(item.text() + "\n(no preview)")
                else:
                    item.setIcon(QIcon(QPixmap.fromImage(picture)))
                return

    def _thumbnails_failed(self, error: BaseException) -> None:
        self.message.setText("The previews could not be made: " + in_plain_words(error))
        set_tone(self.message, "warning")
        self.thumbnails_shown.emit()

    def _stop_thumbnails(self) -> None:
        if self._thumbnails is not None:
            self._thumbnails.cancel()
        self._thumbnails = None

    def thumbnail_count(self) -> int:
        """How many photos on show have their thumbnail."""
        return sum(not self.pictures.item(row).icon().isNull()
                   for row in range(self.pictures.count()))

    # --- choosing -------------------------------------------------------------------

    def chosen(self) -> list[DeviceImage]:
        """The ticked photos, newest first."""
        return [item.data(IMAGE_ROLE) for item in self._items()
                if item.checkState() == Qt.CheckState.Checked]

    def _items(self) -> list[QListWidgetItem]:
        return [self.pictures.item(row) for row in range(self.pictures.count())]

    def _tick_all(self, state: Qt.CheckState) -> None:
        for item in self._items():
            item.setCheckState(state)

    def _count_ticked(self) -> None:
        count = len(self.chosen())
        self.import_button.setText(f"&Import {count} photo{'s' if count != 1 else ''}")
        named(self.import_button, f"Import {count} ticked photos")
        self.import_button.setEnabled(count > 0 and self._import is None)

    # --- importing ------------------------------------------------------------------

    def _import_chosen(self) -> None:
        chosen = self.chosen()
        if not chosen or self.volume is None:
            return
        if self.policy is DeletionPolicy.ASK:
            self._ask_about_deletion(len(chosen))
        else:
            self._start_import(self.policy is DeletionPolicy.ALWAYS)

    def _ask_about_deletion(self, count: int) -> None:
        """Ask once for the whole import, without blocking the window while asking."""
        if self.question is None:
            self.question = QMessageBox(QMessageBox.Icon.Question, "Delete from the phone?",
                                        "", parent=self)
            named(self.question, "Delete from the phone?")
            self.delete_button = named(self.question.addButton(
                "&Delete from the phone", QMessageBox.ButtonRole.YesRole),
                "Delete from the phone")
            self.keep_button = named(self.question.addButton(
                "&Keep on the phone", QMessageBox.ButtonRole.NoRole), "Keep on the phone")
            named(self.question.addButton(QMessageBox.StandardButton.Cancel),
                  "Do not import")
            self.question.setDefaultButton(self.delete_button)
            self.question.finished.connect(lambda _result: self._answered())
        self.question.setText(deletion_question(count))
        self.question.open()

    def _answered(self) -> None:
        clicked = self.question.clickedButton()
        if clicked is self.delete_button:
            self._start_import(True)
        elif clicked is self.keep_button:
            self._start_import(False)

    def _start_import(self, delete: bool) -> None:
        chosen = self.chosen()
        task = self._inbox.import_from_device(self.volume, chosen, delete=delete)
        if task is None:
            return
        self._import = task
        self._stored = set()
        self._deleted = self._kept = self._unread = 0
        self.summary.hide()
        self.progress.setMaximum(len(chosen))
        self.progress.setValue(0)
        self.progress_box.show()
        self._count_ticked()
        task.progress(self._progressed).success(self._import_done).failure(self._import_failed)

    def _progressed(self, event: ev.Event) -> None:
        if isinstance(event, ev.Progress) and event.total:
            self.progress.setMaximum(event.total)
            self.progress.setValue(event.done)
        elif isinstance(event, ev.Imported | ev.Duplicate):
            self._stored.add(event.source)
        elif isinstance(event, ev.SourceDeleted):
            self._deleted += 1
        elif isinstance(event, ev.SourceKept) and event.source in self._stored:
            self._kept += 1
        elif isinstance(event, ev.SourceKept):
            self._unread += 1

    def _import_done(self, last: ev.Event | None) -> None:
        finished = last if isinstance(last, ev.Finished) else None
        tone = "warning" if self._kept or self._unread else "ok"
        self._ended(summary_words(finished, self._deleted, self._kept, self._unread), tone)

    def _import_failed(self, error: BaseException) -> None:
        self._ended("The import stopped: " + in_plain_words(error), "error")

    def _ended(self, words: str, tone: str) -> None:
        self._import = None
        self.progress_box.hide()
        self.summary.setText(words)
        set_tone(self.summary, tone)
        self.summary.show()
        self._say(words)
        self.import_finished.emit(words)
        if self.isVisible():
            self.look()
