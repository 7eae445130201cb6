"""Keeps the inbox filled: the drop-folder watch, imports by hand, thumbnails, quarantine.

The watch runs as a stream of import events on the imports pool for as long
as someone is logged in; every event arrives here on the GUI thread, and the
inbox is refreshed in a worker, fetching thumbnails only for new items and
decoding them there too. Nothing here waits on a disk.

Another workstation, or the command line, may file, delete or attach a
picture this inbox still lists. As the open record does, every few seconds a
worker asks whether the inbox moved on since it was read
(:meth:`InboxPictures.written`); if it did, it is read again, and the
pictures gone leave the list while the others stay chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePath

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QIcon,
    QImage,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QFileDialog, QMessageBox

from clinfile.app import clock
from clinfile.app.desk import quarantine
from clinfile.app.desk.pictures import InboxItem, InboxPictures
from clinfile.app.desk.quarantine import RefusedFile, refused_files
from clinfile.app.escaping import escaped
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.devices import CameraVolume, DeletionPolicy, DeviceImage
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.receipt import ImportReceipt
from clinfile.app.ingest.service import ImportService
from clinfile.app.ingest.unfinished import Unfinished
from clinfile.app.reports.signed_forms import RecognisedForm, attach_signed_form
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.settings import PracticeSettings
from clinfile.ui.desk.inbox_view import ICON_EDGE, InboxView
from clinfile.ui.errors import in_plain_words
from clinfile.ui.tasks import Pool, Task, Tasks

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
# How often the inbox asks whether it changed since it was read.
CHECK_MS = 2000
SOURCE_WORDS = {"drop_folder": "drop folder", "device": "phone or camera",
                "manual": "added by hand"}


def _decoded(items: list[InboxItem], edge: int) -> list[tuple[InboxItem, QImage | None]]:
    """Decode thumbnails in the worker, at the size the inbox draws them.

    QImage may be made off the GUI thread, QPixmap not. A row keeps only the
    icon it shows (``edge`` device pixels) and the item without its JPEG
    bytes: a morning's hundreds of unfiled pictures used to hold each 256-pixel
    thumbnail twice, decoded and encoded, for a 96-point icon.
    """
    return [(replace(item, thumbnail=None), _icon_image(item.thumbnail, edge))
            for item in items]


def _icon_image(thumbnail: bytes | None, edge: int) -> QImage | None:
    if not thumbnail:
        return None
    image = QImage.fromData(thumbnail)
    if image.isNull():
        return image
    return image.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def received_words(iso: str) -> str:
    """'Today 08:05' or '3 Mar 08:05', in local time."""
    try:
        when = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    if when.date() == clock.today():
        return f"Today {when:%H:%M}"
    return f"{when.day} {when:%b %H:%M}"


class InboxController(QObject):
    """Feeds the inbox view from the import service.

    Signals:
        refreshed: the inbox model now matches the vault.
        import_finished(object): an import by hand ended (its Finished event).
        quarantine_shown(int): the quarantine list was refreshed with this many files.
        unfinished_told(str): an import from a phone cut short before was told about.
    """

    refreshed = Signal()
    import_finished = Signal(object)
    quarantine_shown = Signal(int)
    unfinished_told = Signal(str)

    def __init__(self, tasks: Tasks, view: InboxView, say: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._view = view
        self._say = say
        self._session: Session | None = None
        self._service: ImportService | None = None
        self._watch: Task | None = None
        self._watch_token: ev.CancelToken | None = None
        self._import: Task | None = None
        self._import_token: ev.CancelToken | None = None
        self._duplicates: set[int] = set()
        self._labelled: set[int] = set()
        self._refreshing = False
        self._again = False
        self._soon = QTimer(view)
        self._soon.setSingleShot(True)
        self._soon.setInterval(150)
        self._soon.timeout.connect(self.refresh)
        self._written: tuple[int, ...] = ()
        self._looking = False
        self._follow = QTimer(view)
        self._follow.setInterval(CHECK_MS)
        self._follow.timeout.connect(self._look_for_changes)
        view.cancel_requested.connect(self.cancel_import)
        view.quarantine.release_requested.connect(self.release)
        view.quarantine.delete_requested.connect(self.delete_refused)
        view.quarantine.open_folder_requested.connect(self.open_folder)
        self.outbox = ""
        self.release_folder = ""

    @property
    def model(self) -> QStandardItemModel:
        """The inbox's items."""
        return self._view.model

    @property
    def service(self) -> ImportService | None:
        """The logged-in person's import service (None while nobody is logged in)."""
        return self._service

    def open(self, session: Session, settings: PracticeSettings) -> None:
        """Start serving a person's session."""
        self._session = session
        limits = IngestLimits.from_practice(settings.max_import_megabytes,
                                            settings.max_import_megapixels)
        self._service = ImportService(session, limits)
        self.model.clear()
        self.refresh()
        self.refresh_quarantine()
        self._tell_unfinished()

    def _tell_unfinished(self) -> None:
        """Say, once, what became of an import from a phone that a crash or unplug cut short."""
        service = self._service
        if service is None or not self._session.may(Permission.IMPORT_IMAGES):
            return
        self._tasks.run(service.unfinished_device_imports,
            owner=self._view).success(self._show_unfinished)

    def _show_unfinished(self, found: list[Unfinished]) -> None:
        for unfinished in found:
            words = escaped(unfinished.words())
            told = QMessageBox(QMessageBox.Icon.Warning, "An import did not finish", words,
                               QMessageBox.StandardButton.Ok, self._view.window())
            told.setTextFormat(Qt.TextFormat.PlainText)
            told.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            told.open()
            self._say(words)
            self.unfinished_told.emit(words)

    def follow(self, settings: PracticeSettings) -> None:
        """Take in with the practice's new size limits from now on."""
        if self._session is not None:
            self._service = ImportService(self._session, IngestLimits.from_practice(
                settings.max_import_megabytes, settings.max_import_megapixels))

    def close(self) -> None:
        """Stop everything and forget the inbox (logging out)."""
        self.pause()
        self.model.clear()
        self._written = ()
        self._view.show_quarantine([])
        self._session = None
        self._service = None

    # --- the drop folder ----------------------------------------------------------

    def watch(self, folder: str) -> None:
        """Watch the drop folder, taking in and emptying it as files settle there."""
        self.stop_watching()
        if not folder or self._service is None:
            return
        service, token = self._service, ev.CancelToken()
        self._watch_token = token
        self._watch = self._tasks.stream(lambda: service.watch(Path(folder), cancel=token),
                                         owner=self._view, writes=True,
            on_cancel=token.cancel)
        self._watch.progress(self._event).failure(self._watch_failed)
        self._say(f"Watching the drop folder {escaped(PurePath(folder).name)}")

    def stop_watching(self) -> None:
        """Stop the drop-folder watch (on lock or log-out); files stay where they are."""
        if self._watch is not None:
            self._watch.cancel()
        self._watch = None
        self._watch_token = None

    def pause(self) -> None:
        """Stop the watch, any import and any refresh still to come (the vault is locking)."""
        self.stop_watching()
        self.cancel_import()
        self._soon.stop()
        self._follow.stop()

    def _watch_failed(self, error: BaseException) -> None:
        self._say("The drop folder is not being watched: " + in_plain_words(error))

    # --- imports by hand ------------------------------------------------------------

    def import_files(self, paths: list[Path], *, keep_source: bool = True) -> Task | None:
        """Take files dropped on the window (or chosen) into the vault.

        The sources of files dragged in by hand are kept unless told otherwise:
        they may be the only copy on someone's USB stick until they check the inbox.
        """
        if self._service is None or not paths:
            return None
        service, files = self._service, [Path(p) for p in paths]
        return self._start_import(
            lambda token: service.import_paths(files, keep_source=keep_source, cancel=token),
            len(files))

    def import_from_device(self, volume: CameraVolume, chosen: list[DeviceImage], *,
                           delete: bool, kept_because: str) -> tuple[Task, ImportReceipt] | None:
        """Take the chosen pictures off a phone or camera, with the inbox's progress and Stop.

        Whether they leave the device was settled with the person beforehand, on
        the GUI thread; the service is told the answer so it never has to ask
        from a worker. The receipt is complete once the task has ended.
        """
        if self._service is None or not chosen:
            return None
        token = ev.CancelToken()
        policy = DeletionPolicy.ALWAYS if delete else DeletionPolicy.NEVER
        running = self._service.import_from_device(volume, list(chosen), policy=policy,
                                                   cancel=token, kept_because=kept_because)
        task = self._start_import(lambda _token: running, len(chosen), token)
        return task, running.receipt

    def delete_safe_copies(self, volume: CameraVolume, paths: list[Path]) -> Task | None:
        """Delete from a device the photos whose exact bytes the vault holds, verified again."""
        if self._service is None or not paths:
            return None
        service = self._service
        return self._tasks.stream(lambda: service.delete_safe_copies(volume, paths),
                                  owner=self._view, writes=True, pool=Pool.IMPORTS)

    def _start_import(self, events: Callable[[ev.CancelToken], Iterable[ev.Event]],
                      count: int, token: ev.CancelToken | None = None) -> Task:
        """Run one import by hand on the imports pool, showing its progress and Stop."""
        token = token or ev.CancelToken()
        self._import_token = token
        self._view.show_progress(0, count)
        self._import = self._tasks.stream(lambda: events(token), pool=Pool.IMPORTS,
                                          owner=self._view, writes=True,
            on_cancel=token.cancel)
        self._import.progress(self._event).success(self._import_done).failure(
            self._import_failed)
        return self._import

    def cancel_import(self) -> None:
        """Stop the import by hand between two files."""
        if self._import is not None:
            self._import.cancel()

    def _import_done(self, last) -> None:
        self._view.hide_progress()
        self._import = None
        self.refresh_quarantine()
        if isinstance(last, ev.Finished):
            self._say(_finished_words(last))
            self.import_finished.emit(last)

    def _import_failed(self, error: BaseException) -> None:
        self._view.hide_progress()
        self._import = None
        self._say("The import stopped: " + in_plain_words(error))

    # --- events ---------------------------------------------------------------------

    def _event(self, event) -> None:
        if isinstance(event, ev.Progress):
            if self._import is not None and event.total:
                self._view.show_progress(event.done, event.total)
        elif isinstance(event, ev.Imported):
            self._soon.start()
            self._look_for_signed_form(event.item_id)
        elif isinstance(event, ev.Duplicate):
            self._duplicates.add(event.item_id)
            self._relabel(event.item_id)
            self._say(f"{escaped(event.source.name)} is already in the vault; it was not "
                      "stored twice.")
            self._soon.start()
        elif isinstance(event, ev.Quarantined):
            # A file refused before stays in the drop folder and is met again at
            # each unlock; it is in the quarantine list already, not news.
            if Path(event.source) not in self._view.quarantine.refused_paths():
                self._say(f"{escaped(event.source.name)} was not taken in: "
                          f"{escaped(event.reason)}")
            self.refresh_quarantine()

    def _look_for_signed_form(self, item_id: int) -> None:
        """Attach a photographed, signed consent form to its consent, in a worker."""
        if self._session is None:
            return
        session = self._session
        self._tasks.write(attach_signed_form, session, item_id, owner=self._view).success(
            self._form_recognised)

    def _form_recognised(self, found: RecognisedForm | None) -> None:
        if found is not None:
            self._say(str(found))
            self._soon.start()

    # --- reading the inbox ------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the inbox up to date in a worker; new thumbnails are decoded there too."""
        if self._session is None:
            return
        if self._refreshing:
            self._again = True
            return
        self._refreshing = True
        self._follow.start()  # (again) after an unlock, as after logging in
        pictures = InboxPictures(self._session)
        known = frozenset(self._ids())
        edge = round(ICON_EDGE * self._view.devicePixelRatioF())
        self._tasks.run(lambda: (pictures.written(), _decoded(pictures.items(known), edge)),
                        owner=self._view).success(
            self._show).failure(self._refresh_failed)

    def _look_for_changes(self) -> None:
        """Ask, in a worker, whether the inbox changed since it was read.

        Nothing is asked while it is being read. A look that fails (the
        session locking meanwhile) says nothing: the next act meets the same
        problem and says it.
        """
        if self._session is None or self._refreshing or self._looking:
            return
        self._looking = True
        pictures = InboxPictures(self._session)
        self._tasks.run(pictures.written, owner=self._view).success(
            self._looked).failure(lambda _error: self._looked(self._written))

    def _looked(self, written: tuple[int, ...]) -> None:
        """Read the inbox again if the vault has moved on since it was read."""
        self._looking = False
        if written != self._written:
            self.refresh()

    def refresh_quarantine(self) -> None:
        """Read the quarantine list in a worker."""
        if self._session is None:
            return
        self._tasks.run(refused_files, self._session, owner=self._view).success(
            self._show_quarantine)

    def _show_quarantine(self, files: list[RefusedFile]) -> None:
        self._view.show_quarantine(files)
        self.quarantine_shown.emit(len(files))

    def release(self, refused: RefusedFile) -> None:
        """Show what the refused file begins with, then release it once the person is sure."""
        self._tasks.run(quarantine.first_look, refused.path, owner=self._view).success(
            lambda look: self._release_after_look(refused, look)).failure(
            lambda error: self._say(in_plain_words(error)))

    def _release_after_look(self, refused: RefusedFile, look: str) -> None:
        """Ask where the file goes (the folder used last, else the outbox); move it there."""
        sure = QMessageBox.question(
            self._view.window(), "Release the refused file",
            f"Release {refused.name}? It was refused because: {refused.because}\n\n"
            f"It begins: {look or '(nothing: the file is empty)'}\n\n"
            "Release moves it out of the drop folder to a folder you choose; Clinfile "
            "does not open it.")
        if sure != QMessageBox.StandardButton.Yes:
            return
        folder = QFileDialog.getExistingDirectory(
            self._view.window(), f"Release {refused.name} to which folder?",
            self.release_folder or self.outbox)
        if folder and self._session is not None:
            self.release_folder = folder
            moving = self._tasks.write(quarantine.release, self._session, refused.path,
                                       Path(folder), owner=self._view)
            moving.success(lambda to: self._quarantine_done(
                f"{refused.name} was moved to {to.parent}.")).failure(
                lambda error: self._quarantine_done(in_plain_words(error)))

    def delete_refused(self, refused: RefusedFile) -> None:
        """Delete a refused file for good, once the person confirmed it."""
        sure = QMessageBox.question(
            self._view.window(), "Delete the refused file",
            f"Delete {refused.name} for good? It was refused because: {refused.because}")
        if sure == QMessageBox.StandardButton.Yes and self._session is not None:
            self._tasks.write(quarantine.delete, self._session, refused.path,
                              owner=self._view).success(
                lambda _: self._quarantine_done(f"{refused.name} was deleted.")).failure(
                lambda error: self._quarantine_done(in_plain_words(error)))

    def open_folder(self, refused: RefusedFile) -> None:
        """Show the refused file's folder in the file manager, or say where it is."""
        folder = refused.path.parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._say(f"No file manager could open the folder: {refused.name} is in {folder}.")

    def _quarantine_done(self, words: str) -> None:
        self._say(words)
        self.refresh_quarantine()

    def _refresh_failed(self, error: BaseException) -> None:
        self._refreshing = False
        self._tasks.error_unhandled.emit(error)

    def _show(self, read: tuple[tuple[int, ...], list[tuple[InboxItem, QImage | None]]]
              ) -> None:
        written, fetched = read
        self._refreshing = False
        self._written = written
        wanted = [item.id for item, _ in fetched]
        present = self._ids()
        for row in reversed(range(self.model.rowCount())):
            if present[row] not in wanted:
                self.model.removeRow(row)
        present = set(self._ids())
        for item, image in fetched:
            if item.id not in present and image is not None:
                self.model.appendRow(self._row(item, image))
        if self._again:
            self._again = False
            self.refresh()
        self.refreshed.emit()

    def _ids(self) -> list[int]:
        return [self.model.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.model.rowCount())]

    # --- one item -------------------------------------------------------------------

    def source_kind(self, item_id: int) -> str:
        """Where an item shown in the inbox came from (drop_folder, device, manual)."""
        row = self._row_of(item_id)
        return self.model.item(row).data(ITEM_ROLE).source_kind if row >= 0 else ""

    def mark_label_found(self, item_id: int) -> None:
        """Badge an item whose picture shows a barcode (a patient label, usually)."""
        self._labelled.add(item_id)
        self._relabel(item_id)

    def remove(self, item_ids: list[int]) -> int:
        """Take filed items out of the inbox at once; return the row the first one was in."""
        rows = sorted(r for r in (self._row_of(i) for i in item_ids) if r >= 0)
        for row in reversed(rows):
            self.model.removeRow(row)
        return rows[0] if rows else 0

    def _row_of(self, item_id: int) -> int:
        return next((row for row, known in enumerate(self._ids()) if known == item_id), -1)

    def _relabel(self, item_id: int) -> None:
        row = self._row_of(item_id)
        if row >= 0:
            self._describe(self.model.item(row))

    def _row(self, item: InboxItem, image: QImage) -> QStandardItem:
        row = QStandardItem(QIcon(QPixmap.fromImage(image)), "")
        row.setData(item.id, Qt.ItemDataRole.UserRole)
        row.setData(item, ITEM_ROLE)
        row.setEditable(False)
        self._describe(row)
        return row

    def _describe(self, row: QStandardItem) -> None:
        item: InboxItem = row.data(ITEM_ROLE)
        badges = []
        if item.had_gps:
            badges.append("⚑ had location data")
        if item.id in self._duplicates:
            badges.append("⧉ possible duplicate")
        if item.id in self._labelled:
            badges.append("▥ label barcode found")
        lines = [escaped(item.file_name),
                 f"{received_words(item.received_at)} · {SOURCE_WORDS.get(item.source_kind, '')}"]
        if badges:
            lines.append("  ".join(badges))
        row.setText("\n".join(lines))
        row.setToolTip("\n".join(lines))
        row.setAccessibleText(", ".join(lines))


def _finished_words(done: ev.Finished) -> str:
    parts = [f"{done.imported} taken in"]
    if done.duplicates:
        parts.append(f"{done.duplicates} already in the vault")
    if done.refused:
        parts.append(f"{done.refused} in quarantine")
    if done.left:
        parts.append(f"{done.left} left where they are")
    prefix = "Import stopped: " if done.cancelled else "Import finished: "
    return prefix + ", ".join(parts) + "."
