"""The filing desk's controller: what is selected, what is shown, what gets filed.

It owns the desk's parts (inbox, preview, patient, filing) for one session
and runs every service call through :class:`Tasks`. The shell tells it when
someone logs in, when the vault locks and unlocks, and when they log out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from app.desk.opening import OpenedDesk
from app.desk.patient_search import PatientSearch
from app.desk.pictures import InboxPictures
from ui.desk.desk_view import DeskView
from ui.desk.inbox_controller import InboxController
from ui.desk.patient_panel import PatientPanel
from ui.tasks import Tasks


def _decoded_copies(pictures: InboxPictures, ids: list[int]) -> list[tuple[QImage, str]]:
    return [(QImage.fromData(data), item.file_name)
            for item, data in pictures.display_copies(ids)]


class DeskController(QObject):
    """Runs the filing desk.

    Signals:
        previewed(list): the ids now shown large.
        searched(object): a search's result is on show.
        patient_chosen(object): the person chose the patient to file to.
    """

    previewed = Signal(list)
    searched = Signal(object)
    patient_chosen = Signal(object)

    def __init__(self, tasks: Tasks, view: DeskView, say: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.view = view
        self.inbox = InboxController(tasks, view.inbox, say, self)
        self.desk: OpenedDesk | None = None
        self.drop_folder = ""
        self._selected: list[int] = []
        self.search: PatientSearch | None = None
        self.patient = None
        self.panel = PatientPanel()
        view.add_to_side(self.panel, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(120)
        self._typing.timeout.connect(self._search_now)
        view.files_dropped.connect(self.import_files)
        view.inbox.selection_changed.connect(self._selection_changed)
        self.panel.query_changed.connect(lambda _text: self._typing.start())
        self.panel.candidate_chosen.connect(self.choose_patient)

    def open(self, desk: OpenedDesk, drop_folder: str) -> None:
        """Serve a person who has just logged in."""
        self.desk = desk
        self.drop_folder = drop_folder
        self.search = PatientSearch(desk.session)
        self.view.preview.clear()
        self.forget_patient()
        self.inbox.open(desk.session, desk.settings)
        self.inbox.watch(drop_folder)

    def pause(self) -> None:
        """The vault is locking: stop reading and importing; keep the work on screen hidden."""
        self.inbox.pause()

    def resume(self) -> None:
        """The same person unlocked: carry on watching and catch up with the inbox."""
        self.inbox.watch(self.drop_folder)
        self.inbox.refresh()

    def close(self) -> None:
        """The person logged out: forget everything shown."""
        self.inbox.close()
        self.view.preview.clear()
        self.forget_patient()
        self.desk = None
        self.search = None

    def choose_patient(self, candidate) -> None:
        """The person chose whose record the selection goes to: show it, large."""
        self.patient = candidate
        p = candidate.patient
        born = "unknown"
        if p.birth_date:
            year, month, day = p.birth_date.split("-")
            born = f"{day}/{month}/{year}"
        self.view.banner.show_patient(candidate.display_name, born, p.record_number or "",
                                      candidate.distinguishing)
        self.patient_chosen.emit(candidate)

    def forget_patient(self) -> None:
        """No patient chosen (a new item, or after filing)."""
        self.patient = None
        self.view.banner.show_none()
        self.panel.clear()

    def _search_now(self) -> None:
        if self.search is None:
            return
        text = self.panel.search_edit.text()
        if not text.strip():
            self.panel.candidates.clear()
            return
        self._tasks.run(self.search.search, text).success(lambda result: self._found(text, result))

    def _found(self, text: str, result) -> None:
        self.panel.show_result(text, result)
        self.searched.emit(result)

    def import_files(self, paths: list[Path]) -> None:
        """Take files dragged onto the window into the vault."""
        self.inbox.import_files(paths)

    def _selection_changed(self, ids: list[int]) -> None:
        self._selected = ids
        if not ids or self.desk is None:
            self.view.preview.clear()
            return
        pictures = InboxPictures(self.desk.session)
        self._tasks.run(_decoded_copies, pictures, ids).success(
            lambda shown: self._show(ids, shown))

    def _show(self, ids: list[int], shown: list[tuple[QImage, str]]) -> None:
        if ids != self._selected:
            return
        self.view.preview.show_images(shown)
        if self.patient is None and shown and self.search is not None:
            hint = self.search.hint_from_file_name(shown[0][1])
            if hint:
                self.panel.suggest(hint)
        self.previewed.emit(ids)
