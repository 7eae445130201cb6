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
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app import clock
from clinfile.app.escaping import escaped
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.device_sources import DeviceSource, gphoto, wpd
from clinfile.app.ingest.devices import (
    DeletionPolicy,
    DeviceImage,
    find_camera_volumes,
)
from clinfile.app.ingest.previews import Preview
from clinfile.app.ingest.receipt import (
    CHOSEN_TO_KEEP,
    POLICY_KEEPS,
    ImportReceipt,
    SafeCopies,
    edits_words,
    photos,
)
from clinfile.app.ingest.service import ImportService
from clinfile.ui.desk.device_words import (
    day_words,
    deletion_question,
    policy_words,
    safe_copies_words,
    taken_words,
)
from clinfile.ui.desk.inbox_controller import InboxController
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import heading, named, note, primary, set_tone
from clinfile.ui.tasks import Task, Tasks

IMAGE_ROLE = Qt.ItemDataRole.UserRole + 1
PREVIEW_ROLE = Qt.ItemDataRole.UserRole + 2
IN_VAULT = "✓ already in the vault"
LOOKING = "Looking for a phone or camera…"
READING_POLICY = "Reading the practice's setting for deleting photos from phones…"
NO_DEVICE = ("No phone or camera was found. Plug it in with its cable and unlock it. "
             "On an Android phone, choose “File transfer” in the notification that "
             "appears; on an iPhone, tap “Trust this computer”. Then choose Look again.")


@dataclass(frozen=True)
class FoundDevice:
    """A phone or camera and its photos, newest first, as found by a worker."""

    volume: DeviceSource
    images: tuple[DeviceImage, ...]
    edits: int = 0
    may_delete: bool = True


def look_for_devices(roots: list[Path] | None, ports: list[str] | None = None,
                     done_with: tuple[DeviceSource, ...] = ()) -> list[FoundDevice]:
    """Find the devices and list their photos (in a worker: it reads the disks and USB).

    Mounted folders are looked for under ``roots``; phones speaking PTP or MTP
    are asked for through libgphoto2 on ``ports`` (None: every USB port, but
    only where ``roots`` is None too, so a test looks only where it says).
    The devices of the last look are let go first: a phone on USB answers
    one program, and one opening, at a time.
    """
    for device in done_with:
        if isinstance(device, gphoto.Gphoto2Device | wpd.WpdDevice):
            device.close()
    devices: list[DeviceSource] = list(find_camera_volumes(roots))
    if ports is not None:
        devices += [gphoto.open_port(port) for port in ports]
    elif roots is None:
        devices += [*gphoto.find_gphoto2_devices(), *wpd.find_wpd_devices()]
    found = []
    for device in devices:
        listing = device.list_device()
        found.append(FoundDevice(device, tuple(listing.images), len(listing.edits),
                                 device.may_delete))
    return found


def device_words(found: FoundDevice) -> str:
    """How the device is reached and whether it lets photos be deleted from it."""
    device = found.volume
    allows = ("Clinfile can delete photos from it." if found.may_delete
              else "It does not let Clinfile delete photos, so they stay on it.")
    return f"{device.label} is reached {device.transport}. {allows}"


@dataclass(frozen=True)
class ShownPreview:
    """A preview with its thumbnail decoded, ready for the GUI thread."""

    preview: Preview
    picture: QImage | None


def decoded_thumbnails(service: ImportService, volume: DeviceSource,
                       images: tuple[DeviceImage, ...], cancel: ev.CancelToken
                       ) -> Iterator[ShownPreview]:
    """Decode each thumbnail in the worker too; a QImage may be made off the GUI thread."""
    for preview in service.device_thumbnails(volume, images, cancel=cancel):
        data = preview.thumbnail
        yield ShownPreview(preview, QImage.fromData(data) if data else None)


def taken_today(image: DeviceImage) -> bool:
    """Whether the photo was taken today, local time: the ones the clinician just took."""
    return image.taken.astimezone().date() == clock.today()


class DeviceDialog(QDialog):
    """The photos on a plugged-in phone or camera, to tick and import.

    Signals:
        devices_found(int): the look for devices ended with this many found.
        thumbnails_shown: every thumbnail of the device on show has arrived.
        policy_shown(str): the practice's deletion setting, read afresh, is on show.
        import_finished(str): an import ended; the receipt's headline shown to the person.
        safe_copies_deleted(str): the photos safe in the vault were deleted; what was said.
    """

    devices_found = Signal(int)
    thumbnails_shown = Signal()
    policy_shown = Signal(str)
    import_finished = Signal(str)
    safe_copies_deleted = Signal(str)

    def __init__(self, tasks: Tasks, inbox: InboxController, say: Callable[[str], None], *,
                 roots: list[Path] | None = None, parent: QWidget | None = None) -> None:
        """Import through ``inbox``; look under ``roots`` (None: where this system mounts them)."""
        super().__init__(parent)
        self._tasks = tasks
        self._inbox = inbox
        self._say = say
        self._roots = roots
        self.ports: list[str] | None = None
        self.policy = DeletionPolicy.ASK
        self._devices: list[FoundDevice] = []
        self._thumbnails: Task | None = None
        self._import: Task | None = None
        self.receipt: ImportReceipt | None = None
        self._receipt_volume: DeviceSource | None = None
        self._shown: Path | None = None
        self.question: QMessageBox | None = None
        self.setWindowTitle("Import from a phone or camera")
        named(self, "Import from a phone or camera")
        self.resize(820, 680)
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
        self.policy_note = named(note(""), "What happens to the photos on the phone")
        self.transport_note = named(note(""), "How the device is reached")
        self.message = named(note(LOOKING), "What is happening")
        self.pictures = QListWidget()
        named(self.pictures, "Photos on the device",
              "Tick the photos to import; the space bar ticks and unticks the chosen ones. "
              "Shift with the arrow keys or a click chooses a range.")
        self.pictures.setViewMode(QListView.ViewMode.IconMode)
        self.pictures.setIconSize(QSize(128, 128))
        self.pictures.setGridSize(QSize(168, 200))
        self.pictures.setResizeMode(QListView.ResizeMode.Adjust)
        self.pictures.setMovement(QListView.Movement.Static)
        self.pictures.setWordWrap(True)
        self.pictures.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.pictures.itemChanged.connect(self._ticked)
        self.pictures.installEventFilter(self)
        self.all_button = named(QPushButton("Tick &all"), "Tick every photo")
        self.all_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        self.none_button = named(QPushButton("Tick &none"), "Untick every photo")
        self.none_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))
        self.day = named(QComboBox(), "Tick the photos taken on a day",
                         "Ticks the photos taken on the day chosen, and unticks the rest")
        self.day.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.day.activated.connect(self._tick_day)
        day_label = QLabel("Tick the ones taken on:")
        day_label.setBuddy(self.day)
        tick_row = QHBoxLayout()
        tick_row.addWidget(self.all_button)
        tick_row.addWidget(self.none_button)
        tick_row.addStretch(1)
        tick_row.addWidget(day_label)
        tick_row.addWidget(self.day)
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
        for words in (self.summary, self.message, self.policy_note, self.transport_note):
            words.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()
        self.receipt_list = named(QListWidget(), "What became of each photo")
        self.receipt_list.setMaximumHeight(140)
        self.receipt_list.hide()
        self.safe_button = named(QPushButton(""), "Delete from the phone the photos already "
                                 "safe in the vault")
        self.safe_button.clicked.connect(self._delete_safe_copies)
        self.safe_button.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = named(buttons.button(QDialogButtonBox.StandardButton.Close), "Close")
        for button in (self.look_button, self.all_button, self.none_button, self.stop_button,
                       self.safe_button, close):
            button.setAutoDefault(False)
        self.import_button = primary(buttons.addButton("&Import",
                                                       QDialogButtonBox.ButtonRole.ActionRole))
        self.import_button.clicked.connect(self._import_chosen)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Import photos from a phone or camera", 1.2))
        layout.addLayout(device_row)
        layout.addWidget(self.transport_note)
        layout.addWidget(self.policy_note)
        layout.addWidget(self.message)
        layout.addWidget(self.pictures, 1)
        layout.addLayout(tick_row)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.receipt_list)
        layout.addWidget(self.safe_button)
        layout.addWidget(buttons)
        self._count_ticked()

    # --- the practice's setting ---------------------------------------------------------

    def start(self) -> None:
        """Open the dialog and look for devices, showing the practice's deletion setting.

        The setting is read afresh from the vault each time the dialog opens
        (and again when Import is pressed), so a change an administrator has
        just saved, here or at another workstation, applies at once.
        """
        self.policy_note.setText(READING_POLICY)
        self._clear_receipt()
        self.open()
        self._read_policy()
        self.look()

    def show_policy(self, policy: DeletionPolicy) -> None:
        """Show, before anything is imported, what will become of the photos on the phone."""
        self.policy = policy
        self.policy_note.setText(policy_words(policy))
        self._offer_safe_copies()
        self.policy_shown.emit(str(policy))

    def _read_policy(self, then: Callable[[DeletionPolicy], None] | None = None) -> None:
        service = self._inbox.service
        if service is None:
            return
        reading = self._tasks.run(service.deletion_policy, owner=self)
        reading.success(lambda policy: self._policy_read(policy, then)).failure(
            self._import_failed if then else lambda _error: None)

    def _policy_read(self, policy: DeletionPolicy,
                     then: Callable[[DeletionPolicy], None] | None) -> None:
        self.show_policy(policy)
        if then is not None:
            then(policy)

    # --- finding the device ---------------------------------------------------------

    def look(self) -> None:
        """Look for plugged-in devices in a worker; the list fills when it answers."""
        self._stop_thumbnails()
        self.pictures.clear()
        self.message.setText(LOOKING)
        set_tone(self.message, "quiet")
        self.look_button.setEnabled(False)
        done_with = tuple(found.volume for found in self._devices)
        self._devices = []
        self._tasks.run(look_for_devices, self._roots, self.ports, done_with, owner=self).success(
            self._found).failure(
            self._look_failed)

    def _found(self, devices: list[FoundDevice]) -> None:
        self.look_button.setEnabled(True)
        self._devices = devices
        self.device.blockSignals(True)
        self.device.clear()
        for found in devices:
            self.device.addItem(escaped(found.volume.label))
        places = [found.volume.dcim for found in devices]
        index = places.index(self._shown) if self._shown in places else 0
        self.device.setCurrentIndex(index if devices else -1)
        self.device.blockSignals(False)
        self.device.setEnabled(bool(devices))
        if devices:
            self._show_device(index)
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
    def volume(self) -> DeviceSource | None:
        """The device on show."""
        index = self.device.currentIndex()
        return self._devices[index].volume if 0 <= index < len(self._devices) else None

    def _show_device(self, index: int) -> None:
        self._stop_thumbnails()
        self.pictures.clear()
        if not 0 <= index < len(self._devices):
            return
        found = self._devices[index]
        self._shown = found.volume.dcim
        self.transport_note.setText(escaped(device_words(found)))
        self.safe_button.hide()
        self.pictures.blockSignals(True)
        for image in found.images:
            self.pictures.addItem(self._item(image))
        self.pictures.blockSignals(False)
        if self.pictures.count():
            self.pictures.setCurrentRow(0)
        self._fill_days()
        words = (f"{photos(len(found.images))} on {found.volume.label}, newest first. "
                 "Today's are ticked.") if found.images else (
            f"There are no photos on {found.volume.label}.")
        if found.edits:
            words += " " + edits_words(found.edits)
        words = escaped(words)
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
            owner=self, writes=False, on_cancel=token.cancel)
        self._thumbnails.progress(self._thumbnail).success(
            lambda _last: self._thumbnails_done()).failure(self._thumbnails_failed)

    def _item(self, image: DeviceImage) -> QListWidgetItem:
        item = QListWidgetItem()
        item.setData(IMAGE_ROLE, image)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if taken_today(image)
                           else Qt.CheckState.Unchecked)
        self._describe(item)
        return item

    def _describe(self, item: QListWidgetItem) -> None:
        """Name, time taken (by the camera's clock once known) and whether the vault has it."""
        image: DeviceImage = item.data(IMAGE_ROLE)
        preview: Preview | None = item.data(PREVIEW_ROLE)
        name = escaped(image.path.name)
        lines = [name, taken_words(image.taken, by_camera=image.captured is not None)]
        if preview is not None and preview.thumbnail is None:
            lines.append("(no preview)")
        if preview is not None and preview.in_vault:
            lines.append(IN_VAULT)
        item.setText("\n".join(lines))
        item.setToolTip(f"{name}, {image.size / 1_000_000:.1f} MB")
        named_item = ", ".join(lines)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, named_item)

    def _thumbnail(self, arrived: ShownPreview) -> None:
        preview = arrived.preview
        for item in self._items():
            image: DeviceImage = item.data(IMAGE_ROLE)
            if image.path == preview.image.path:
                if preview.captured is not None:
                    item.setData(IMAGE_ROLE, DeviceImage(image.path, image.size, image.modified,
                                                         preview.captured))
                item.setData(PREVIEW_ROLE, preview)
                self.pictures.blockSignals(True)
                self._describe(item)
                self.pictures.blockSignals(False)
                if arrived.picture is not None and not arrived.picture.isNull():
                    item.setIcon(QIcon(QPixmap.fromImage(arrived.picture)))
                return

    def _thumbnails_done(self) -> None:
        self._fill_days()
        self._offer_safe_copies()
        self.thumbnails_shown.emit()

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
        return sum(not item.icon().isNull() for item in self._items())

    def in_vault_count(self) -> int:
        """How many photos on show are marked as already in the vault."""
        return sum(IN_VAULT in item.text() for item in self._items())

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

    def _ticked(self, _item: QListWidgetItem) -> None:
        self._count_ticked()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """Space ticks or unticks every chosen photo at once, so a range is one key away."""
        if (watched is self.pictures and event.type() == event.Type.KeyPress
                and event.key() == Qt.Key.Key_Space):
            chosen = self.pictures.selectedItems() or [self.pictures.currentItem()]
            chosen = [item for item in chosen if item is not None]
            if chosen:
                state = (Qt.CheckState.Unchecked
                         if all(i.checkState() == Qt.CheckState.Checked for i in chosen)
                         else Qt.CheckState.Checked)
                for item in chosen:
                    item.setCheckState(state)
            return True
        return super().eventFilter(watched, event)

    def _days(self) -> list[date]:
        return sorted({item.data(IMAGE_ROLE).taken.astimezone().date()
                       for item in self._items()}, reverse=True)

    def _fill_days(self) -> None:
        self.day.blockSignals(True)
        self.day.clear()
        self.day.addItem("Choose a day…", None)
        for day in self._days():
            self.day.addItem(day_words(day), day)
        self.day.blockSignals(False)
        self.day.setEnabled(self.day.count() > 1)

    def _tick_day(self, index: int) -> None:
        day = self.day.itemData(index)
        if day is None:
            return
        for item in self._items():
            taken = item.data(IMAGE_ROLE).taken.astimezone().date()
            item.setCheckState(Qt.CheckState.Checked if taken == day
                               else Qt.CheckState.Unchecked)

    def _count_ticked(self) -> None:
        count = len(self.chosen())
        self.import_button.setText(f"&Import {photos(count)}")
        named(self.import_button, f"Import {photos(count)} ticked")
        self.import_button.setEnabled(count > 0 and self._import is None)

    # --- importing ------------------------------------------------------------------

    def _import_chosen(self) -> None:
        """Read the practice's setting once more, then import under it."""
        if not self.chosen() or self.volume is None or self._import is not None:
            return
        self.import_button.setEnabled(False)
        self._read_policy(self._import_under)

    def _import_under(self, policy: DeletionPolicy) -> None:
        chosen = self.chosen()
        if not chosen or self.volume is None:
            self._count_ticked()
            return
        if policy is DeletionPolicy.ASK:
            self._ask_about_deletion(len(chosen))
        else:
            self._start_import(policy is DeletionPolicy.ALWAYS, POLICY_KEEPS)

    def _ask_about_deletion(self, count: int) -> None:
        """Ask once for the whole import, without blocking the window while asking.

        The question is made afresh each time, and no button takes Return for
        having the focus: Return always gives the recommended answer (delete,
        once each photo is safely in the vault), Escape always imports nothing.
        """
        self.question = QMessageBox(QMessageBox.Icon.Question, "Delete from the phone?",
                                    deletion_question(count), parent=self)
        named(self.question, "Delete from the phone?")
        self.delete_button = named(self.question.addButton(
            "&Delete from the phone", QMessageBox.ButtonRole.YesRole),
            "Delete from the phone (recommended)")
        self.keep_button = named(self.question.addButton(
            "&Keep on the phone", QMessageBox.ButtonRole.NoRole), "Keep on the phone")
        cancel = named(self.question.addButton(QMessageBox.StandardButton.Cancel),
                       "Do not import")
        for button in (self.delete_button, self.keep_button, cancel):
            button.setAutoDefault(False)
        self.question.setDefaultButton(self.delete_button)
        self.question.setEscapeButton(cancel)
        self.question.finished.connect(lambda _result, asked=self.question: self._answered(asked))
        self.question.open()

    def _answered(self, asked: QMessageBox) -> None:
        clicked = asked.clickedButton()
        if clicked is self.delete_button:
            self._start_import(True, CHOSEN_TO_KEEP)
        elif clicked is self.keep_button:
            self._start_import(False, CHOSEN_TO_KEEP)
        else:
            self._count_ticked()
        asked.deleteLater()

    def _start_import(self, delete: bool, kept_because: str) -> None:
        chosen = self.chosen()
        volume = self.volume
        started = self._inbox.import_from_device(volume, chosen, delete=delete,
                                                 kept_because=kept_because)
        if started is None:
            self._count_ticked()
            return
        task, receipt = started
        self._import = task
        self.receipt = receipt
        self._receipt_volume = volume
        self._clear_receipt()
        self.progress.setMaximum(len(chosen))
        self.progress.setValue(0)
        self.progress_box.show()
        self._count_ticked()
        task.progress(self._progressed).success(self._import_done).failure(self._import_failed)

    def _progressed(self, event: ev.Event) -> None:
        if isinstance(event, ev.Progress) and event.total:
            self.progress.setMaximum(event.total)
            self.progress.setValue(event.done)

    def _import_done(self, _last: ev.Event | None) -> None:
        self._ended()

    def _import_failed(self, error: BaseException) -> None:
        self._import = None
        self.progress_box.hide()
        words = "The import stopped: " + in_plain_words(error)
        if self.receipt is not None and self.receipt.ended:
            words += " " + escaped(self.receipt.headline())
            self._show_receipt(self.receipt)
        self.summary.setText(words)
        set_tone(self.summary, "error")
        self.summary.show()
        self._say(words)
        self._count_ticked()
        self.safe_button.setEnabled(True)
        self.import_finished.emit(words)

    def _ended(self) -> None:
        self._import = None
        self.progress_box.hide()
        receipt = self.receipt
        self._show_receipt(receipt)
        words = escaped(receipt.headline())
        self._say(words)
        self.import_finished.emit(words)
        if self.isVisible():
            self.look()

    def _show_receipt(self, receipt: ImportReceipt) -> None:
        """The headline, and a line for every photo chosen."""
        self.summary.setText(escaped(receipt.headline()))
        set_tone(self.summary, "warning" if receipt.troubled else "ok")
        self.summary.show()
        self.receipt_list.clear()
        self.receipt_list.addItems([escaped(line) for line in receipt.lines()])
        self.receipt_list.show()

    def _clear_receipt(self) -> None:
        self.summary.hide()
        self.receipt_list.hide()
        self.safe_button.hide()

    # --- finishing the deleting ---------------------------------------------------------

    def safe_in_vault(self) -> list[DeviceImage]:
        """The photos on show whose exact bytes the vault already holds."""
        return [item.data(IMAGE_ROLE) for item in self._items()
                if item.data(PREVIEW_ROLE) is not None and item.data(PREVIEW_ROLE).in_vault]

    def _offer_safe_copies(self) -> None:
        """Offer to delete what is already safe, unless the practice keeps photos on phones."""
        count = len(self.safe_in_vault())
        self.safe_button.setText(safe_copies_words(count))
        named(self.safe_button, safe_copies_words(count))
        self.safe_button.setEnabled(self._import is None)
        self.safe_button.setVisible(count > 0 and self.policy is not DeletionPolicy.NEVER)

    def _delete_safe_copies(self) -> None:
        """Delete the photos on show that the vault holds, each checked against it again."""
        volume, safe = self.volume, self.safe_in_vault()
        if volume is None or not safe or self.policy is DeletionPolicy.NEVER:
            return
        task = self._inbox.delete_safe_copies(volume, [image.path for image in safe])
        if task is None:
            return
        self.safe_button.setEnabled(False)
        outcome = SafeCopies(volume.label)
        task.progress(outcome.add).success(lambda _last: self._safe_copies_done(outcome)).failure(
            self._import_failed)

    def _safe_copies_done(self, outcome: SafeCopies) -> None:
        words = escaped(outcome.words())
        self.summary.setText(words)
        set_tone(self.summary, "warning" if outcome.kept else "ok")
        self.summary.show()
        self.receipt_list.clear()
        self.receipt_list.addItems([escaped(line) for line in outcome.lines])
        self.receipt_list.show()
        self._say(words)
        self.safe_copies_deleted.emit(words)
        if self.isVisible():
            self.look()
