"""The filing desk's controller: what is selected, what is shown, whose it is.

It owns the desk's parts (inbox, preview, patient, filing) for one session
and runs every service call through :class:`Tasks`. The shell tells it when
someone logs in, when the vault locks and unlocks, and when they log out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from clinfile.app.desk.opening import OpenedDesk
from clinfile.app.desk.pictures import InboxItem, InboxPictures
from clinfile.app.desk.suggestions import clue_words, read_labels, suggest
from clinfile.app.escaping import escaped
from clinfile.app.filing.choice import PatientChoice
from clinfile.app.patients.matching import MatchResult
from clinfile.app.patients.service import PatientService
from clinfile.ui.desk.desk_view import DeskView
from clinfile.ui.desk.filing_controller import FilingController
from clinfile.ui.desk.inbox_controller import InboxController
from clinfile.ui.desk.patient_panel import PatientPanel
from clinfile.ui.tasks import Tasks


@dataclass(frozen=True)
class Opened:
    """Pictures decoded for the preview, with what they say about their patient."""

    ids: tuple[int, ...]
    items: tuple[InboxItem, ...]
    images: tuple[QImage, ...]
    labelled: frozenset[int]
    suggestion: MatchResult | None
    clue_words: str


def _open_pictures(pictures: InboxPictures, patients: PatientService, ids: list[int],
                   want_suggestion: bool) -> Opened:
    """Read, decode and look for patient labels in a worker; QImage is safe off the GUI thread."""
    copies = pictures.display_copies(ids)
    labelled = frozenset(item.id for item, data in copies if read_labels(data))
    suggestion, words = None, ""
    if want_suggestion and copies:
        first, data = copies[0]
        suggestion = suggest(patients, first.file_name, data, first.id in labelled)
        words = clue_words(first.file_name, first.id in labelled)
    return Opened(tuple(ids), tuple(item for item, _ in copies),
                  tuple(QImage.fromData(data) for _, data in copies), labelled, suggestion,
                  words)


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
        self.patients: PatientService | None = None
        self.patient = None
        self.choice: PatientChoice | None = None
        self.panel = PatientPanel()
        view.add_to_side(self.panel, 1)
        self.filing = FilingController(tasks, view, self.inbox, say, self)
        # The pause after typing belongs to the search box: once the window is gone it
        # must not fire into the box's deleted text.
        self._typing = QTimer(self.panel)
        self._typing.setSingleShot(True)
        self._typing.setInterval(120)
        self._typing.timeout.connect(self._search_now)
        view.files_dropped.connect(self.import_files)
        view.inbox.selection_changed.connect(self._selection_changed)
        self.panel.query_changed.connect(lambda _text: self._typing.start())
        self.panel.candidate_chosen.connect(self.choose_patient)
        self.filing.filed.connect(lambda _episode: self.forget_patient())

    def open(self, desk: OpenedDesk, drop_folder: str, outbox: str) -> None:
        """Serve a person who has just logged in."""
        self.desk = desk
        self.drop_folder = drop_folder
        self.patients = PatientService(desk.session)
        # Should loading ahead fail, the first search loads again and says why.
        self._tasks.run(self.patients.load_ahead, owner=self.view).failure(lambda _error: None)
        self.view.preview.clear()
        self.forget_patient()
        self.filing.open(desk, outbox)
        self.inbox.outbox = outbox
        self.inbox.open(desk.session, desk.settings)
        self.inbox.watch(drop_folder)

    def follow(self, desk: OpenedDesk) -> None:
        """The practice's settings changed: use them from now on, keeping the work on screen."""
        self.desk = desk
        self.filing.desk = desk
        self.inbox.follow(desk.settings)

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
        self.filing.close()
        self.desk = None
        self.patients = None

    def choose_patient(self, candidate) -> None:
        """The person chose whose record the selection goes to: show it, large."""
        self.patient = candidate
        p = candidate.patient
        self.choice = PatientChoice(p.id, frozenset(self._selected))
        born = "unknown"
        if p.birth_date:
            year, month, day = p.birth_date.split("-")
            born = f"{day}/{month}/{year}"
        self.view.banner.show_patient(candidate.display_name, born, p.record_number or "",
                                      candidate.distinguishing)
        self.filing.patient_chosen(candidate, born)
        self.patient_chosen.emit(candidate)

    def forget_patient(self, what_next: str = "Search below and choose the patient.") -> None:
        """No patient chosen (a new item, or after filing); the banner says ``what_next``."""
        self.patient = None
        self.choice = None
        self.view.banner.show_none(what_next)
        self.panel.clear()
        self.filing.patient_chosen(None, "")

    def _search_now(self) -> None:
        if self.patients is None:
            return
        text = self.panel.search_edit.text()
        if not text.strip():
            self.panel.clear_candidates()
            return
        self._tasks.run(self.patients.search, text, owner=self.view).success(
            lambda result: self._found(text, result))

    def _found(self, text: str, result) -> None:
        self.panel.show_result(text, result)
        self.searched.emit(result)

    def import_files(self, paths: list[Path]) -> None:
        """Take files dragged onto the window into the vault."""
        self.inbox.import_files(paths)

    def _selection_changed(self, ids: list[int]) -> None:
        """Follow a new selection; the pictures of the one before leave the preview at once.

        Decoding takes a moment or more, and a person choosing the patient by
        looking at the preview must never see the previous pictures meanwhile.
        """
        changed = ids != self._selected
        self._selected = ids
        widened_from = None
        if self.choice is not None and not self.choice.holds_for(ids):
            widened_from = self.patient if self.choice.pictures & set(ids) else None
            these = "this picture" if len(ids) == 1 else f"these {len(ids)} pictures"
            self.forget_patient(f"Search again for {these}." if widened_from is not None else
                                "Search below and choose the patient.")
        sources = {self.inbox.source_kind(item_id) for item_id in ids}
        self.filing.selection_changed(ids, sources.pop() if len(sources) == 1 else "")
        if widened_from is not None:
            self.filing.file_panel.say(_widened_words(widened_from.display_name, len(ids)),
                                       "warning")
        if not ids or self.desk is None:
            self.view.preview.clear()
            return
        if changed:
            self.view.preview.clear("Opening the selected pictures…")
        pictures = InboxPictures(self.desk.session)
        self._tasks.run(_open_pictures, pictures, self.patients, ids,
                        self.patient is None, owner=self.view).success(self._show)

    def _show(self, opened: Opened) -> None:
        """Show decoded pictures, unless the selection moved on while they were decoded."""
        if list(opened.ids) != self._selected:
            return
        self.view.preview.show_images(list(zip(opened.images,
                                               (escaped(i.file_name) for i in opened.items),
                                               strict=True)))
        for item_id in opened.labelled:
            self.inbox.mark_label_found(item_id)
        if self.patient is None and opened.suggestion is not None:
            self.panel.suggest(opened.suggestion, opened.clue_words)
            self.searched.emit(opened.suggestion)
        self.previewed.emit(list(opened.ids))


def _widened_words(name: str, count: int) -> str:
    """Why adding a picture to the selection cleared the patient and the description.

    The wrong-patient guard (PatientChoice) keeps a choice to the pictures it
    was made for: the added picture may be someone else's, so it is said
    aloud rather than carried over or dropped in silence.
    """
    return (f"The added picture may be someone else's, so {escaped(name)} and the description "
            f"were cleared. Choose the patient for all {count} pictures (Ctrl+F).")
