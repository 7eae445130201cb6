"""Opening a patient's record: the search, the timeline, its thumbnails, the chosen picture.

The record's facts come from one worker call; the thumbnails follow in a
stream of small batches, in the timeline's order, so the first screenful
shows while the rest are still being read. Opening another record stops
the stream of the one before.

Another workstation may file, move, correct or delete a picture while its
record is open here. The window learns of it two ways: every few seconds a
worker asks whether the writes the record shows have moved on since it was
read (:meth:`RecordService.written`), and the core answers a read of a
picture gone meanwhile (choosing it, comparing it) with :class:`PictureGone`.
Either way the record is read again and shown where the person left it
(the same pictures chosen, the same scroll, the keyboard where it was, an
open Compare still open), says in words what changed, and the search of
earlier filings is asked again, so nothing shows a picture as present once
the vault says it is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.desk.opening import OpenedDesk
from clinfile.app.patients.service import PatientService
from clinfile.app.record.finding import FindRequest, filed_today, find_filings
from clinfile.app.record.model import PatientRecord, RecordPicture
from clinfile.app.record.service import PictureGone, RecordService
from clinfile.ui.errors import in_plain_words
from clinfile.ui.record.finding_panels import chosen_date
from clinfile.ui.record.picture_details import PREVIEW_EDGE
from clinfile.ui.record.record_commands import RecordCommands, gone_words
from clinfile.ui.record.record_view import RecordView
from clinfile.ui.record.thumbnails import decoded_batches, small_image
from clinfile.ui.record.timeline import THUMBNAIL_EDGE, TimelineRows
from clinfile.ui.tasks import Pool, Task, Tasks

LOADING_END = "their small pictures are loading…"
LOADING = "Showing {count} picture{s}; " + LOADING_END
# How often an open record asks whether it changed since it was read.
CHECK_MS = 2000


class RecordController(QObject):
    """The record page for one session.

    Signals:
        searched(object): a search's result is on show.
        record_shown(object): a record is on the timeline (the :class:`PatientRecord`).
        thumbnails_shown(int): every thumbnail of the open record is in place (how many).
        today_shown(list): today's filings at this workstation are listed.
        filings_found(object): a search of earlier filings answered (the ``Found``).
    """

    searched = Signal(object)
    record_shown = Signal(object)
    thumbnails_shown = Signal(int)
    today_shown = Signal(list)
    filings_found = Signal(object)

    def __init__(self, tasks: Tasks, view: RecordView, say: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.view = view
        self._say = say
        self.desk: OpenedDesk | None = None
        self.service: RecordService | None = None
        self.patients: PatientService | None = None
        self.record: PatientRecord | None = None
        self._thumbnails: Task | None = None
        self._after_opening = ""
        self._expected: tuple[int, ...] = ()
        self._find: FindRequest | None = None
        self._pending: list[int] = []
        self._reading: Task | None = None
        self._looking = False
        self._watch = QTimer(view)
        self._watch.setInterval(CHECK_MS)
        self._watch.timeout.connect(self._look_for_changes)
        self._typing = QTimer(view.patient_panel)
        self._typing.setSingleShot(True)
        self._typing.setInterval(120)
        self._typing.timeout.connect(self._search_now)
        panel = view.patient_panel
        panel.query_changed.connect(lambda _text: self._typing.start())
        panel.candidate_chosen.connect(lambda c: self.open_patient(c.patient.id))
        view.timeline.chosen_changed.connect(self._chosen)
        view.today.refresh_requested.connect(self.refresh_today)
        view.today.list.opened.connect(self._jump)
        view.find_panel.find_requested.connect(self.find_filings)
        view.find_panel.list.opened.connect(self._jump)
        view.finding.currentChanged.connect(self._tab_changed)
        self.commands = RecordCommands(self, tasks, view)

    # --- the session --------------------------------------------------------------------

    def open(self, desk: OpenedDesk, outbox: str = "") -> None:
        """Serve a person who has just logged in."""
        self.desk = desk
        self.commands.outbox = outbox
        self.service = RecordService(desk.session)
        self.patients = PatientService(desk.session)
        self._forget()
        self._watch.start()

    def close(self) -> None:
        """The person logged out: forget every record and picture shown."""
        self._watch.stop()
        self._forget()
        self.desk = None
        self.commands.export_folder = ""
        self.service = None
        self.patients = None
        self._find = None

    def pause(self) -> None:
        """The vault is locking: stop reading thumbnails; what is shown stays, hidden."""
        self._watch.stop()
        self._stop_thumbnails()

    def resume(self) -> None:
        """The same person unlocked: read the thumbnails the lock interrupted."""
        self._watch.start()
        if self.record is not None:
            timeline = self.view.timeline
            self._load_thumbnails([i for i in timeline.picture_ids()
                                   if timeline.picture(i).shown
                                   and not timeline.thumbnail_shown(i)])

    def _forget(self) -> None:
        self._stop_thumbnails()
        self.record = None
        self.view.timeline.clear()
        self.view.details.show_nothing()
        self.view.banner.show_none()
        self.view.patient_panel.clear()
        self.view.status.setText("")

    # --- finding and opening ------------------------------------------------------------

    def find(self) -> None:
        """Put the keyboard in the search box, ready to type a name."""
        self.view.finding.setCurrentWidget(self.view.patient_panel)
        self.view.patient_panel.search_edit.setFocus()
        self.view.patient_panel.search_edit.selectAll()

    def _search_now(self) -> None:
        if self.patients is None:
            return
        text = self.view.patient_panel.search_edit.text()
        if not text.strip():
            self.view.patient_panel.clear_candidates()
            return
        self._tasks.run(self.patients.search, text, owner=self.view).success(
            lambda result: self._found(text, result))

    def _found(self, text: str, result) -> None:
        self.view.patient_panel.show_result(text, result)
        self.searched.emit(result)

    def open_patient(self, patient_id: int, chosen: tuple[int, ...] = (),
                     again: bool = False, opening: bool = True) -> None:
        """Open a patient's record in a worker, then choose these pictures on it.

        ``again``: it is the open record, read again because it changed; the
        person is not told it is opening, and keeps their place in it.
        ``opening``: the person opens it, rather than it being read again
        after their own correction; what they look at is audited afresh.
        """
        if self.service is None:
            return
        if not again:
            self.view.status.setText("Opening the record…")
        service, timeline = self.service, self.view.timeline
        opening = opening and not again
        self._reading = self._tasks.run(
            lambda: timeline.rows_of(service.record(patient_id, opening=opening)),
            owner=timeline).success(
            lambda rows: self._show(rows, chosen, again)).failure(self.failed)

    def reopen(self, chosen: tuple[int, ...] = (), words: str = "") -> None:
        """Read the open record again (after a correction), keeping these pictures chosen.

        ``words`` (what was corrected) stay in view once the record is shown again.
        """
        if self.record is not None:
            self._after_opening = words
            self._expected = chosen
            self.open_patient(self.record.patient_id, chosen, opening=False)

    def look_again(self) -> None:
        """Read the open record again, where the person left it: a picture in it changed."""
        if self.record is not None:
            self.open_patient(self.record.patient_id,
                              tuple(p.image_id for p in self.view.timeline.chosen()), again=True)

    def _look_for_changes(self) -> None:
        """Ask, in a worker, whether the open record changed since it was read.

        Nothing is asked while the page is hidden, while the record is being
        read, or while a change made in this window has not told its answer:
        that change's own words say what it did. A look that fails (the
        session locking meanwhile) says nothing; the person's next act meets
        the same problem and says it.
        """
        record, service = self.record, self.service
        if (record is None or service is None or self._looking or not self.view.isVisible()
                or self._reading is not None and not self._reading.done
                or self._tasks.changing()):
            return
        self._looking = True
        self._tasks.run(service.written, record.patient_id, owner=self.view).success(
            lambda written: self._looked(record, written)).failure(
            lambda _error: self._looked(record, record.written))

    def _looked(self, record: PatientRecord, written: tuple[int, ...]) -> None:
        """Read the record again if the vault has moved on since it was read."""
        self._looking = False
        if record is self.record and written != record.written and not self._tasks.changing():
            self.look_again()

    def _show(self, rows: TimelineRows, chosen: tuple[int, ...], again: bool = False) -> None:
        record = rows.record
        if again and (self.record is None or self.record.patient_id != record.patient_id):
            return  # another record was opened meanwhile
        self._stop_thumbnails()
        changed = _changed_elsewhere(self.record, record, self._expected)
        self._expected = ()
        self.record = record
        self.view.banner.show_record(record)
        timeline = self.view.timeline
        ids = [p.image_id for p in record.pictures if p.shown]
        words = " ".join(w for w in (self._after_opening, changed) if w)
        self._after_opening = ""
        if again:
            timeline.show_again(rows, list(chosen))
            ids = [i for i in ids if not timeline.thumbnail_shown(i)]
            if words:
                self.view.status.setText(" ".join(w for w in (words, gone_words(timeline.chosen()))
                                                  if w))
            self.commands.follow(record)
        else:
            timeline.show_rows(rows)
            self.view.details.show_nothing(_empty_words(record))
            loading = LOADING.format(count=record.count, s="s" if record.count != 1 else "")
            self.view.status.setText(words or (loading if ids else ""))
        if changed:
            self._say(changed)
            self._find_again()
        self._load_thumbnails(ids)
        if not again:
            first = [p.image_id for p in record.pictures[:1]]
            timeline.choose(list(chosen) or first)
            timeline.setFocus()
        self.record_shown.emit(record)

    def failed(self, error: BaseException) -> None:
        """Say in plain words why something asked of the record did not happen.

        A picture found gone (deleted or moved elsewhere) has the record read again.
        """
        self.view.status.setText(in_plain_words(error))
        self._say(in_plain_words(error))
        if isinstance(error, PictureGone):
            self.look_again()

    # --- thumbnails ---------------------------------------------------------------------

    def _load_thumbnails(self, ids: list[int]) -> None:
        if not ids:
            if self.view.status.text().endswith(LOADING_END):
                self.view.status.setText("")
            self.thumbnails_shown.emit(len(self.view.timeline.picture_ids()))
            return
        service = self.service
        edge = round(THUMBNAIL_EDGE * self.view.devicePixelRatioF())
        self._pending = list(ids)
        task = self._tasks.stream(lambda: decoded_batches(service.thumbnails, ids, edge),
                                  owner=self.view, writes=False, pool=Pool.GENERAL)
        task.progress(lambda batch: self._arrived(task, batch))
        task.failure(lambda error: self._thumbnails_failed(task, error))
        self._thumbnails = task

    def _thumbnails_failed(self, task: Task, error: BaseException) -> None:
        """Say why thumbnails stopped, unless stopped on purpose (a lock, another record)."""
        if task is self._thumbnails:
            self._thumbnails = None
            self.failed(error)

    def _arrived(self, task: Task, batch) -> None:
        if task is not self._thumbnails:
            return
        timeline = self.view.timeline
        ratio = self.view.devicePixelRatioF()
        for _image_id, image in batch:
            if image is not None:
                image.setDevicePixelRatio(ratio)
        timeline.set_thumbnails(batch)
        self._pending = self._pending[len(batch):]
        if not self._pending:
            self._thumbnails = None
            if self.view.status.text().endswith(LOADING_END):
                self.view.status.setText("")
            self.thumbnails_shown.emit(len(timeline.picture_ids()))

    def _stop_thumbnails(self) -> None:
        if self._thumbnails is not None:
            self._thumbnails.cancel()
            self._thumbnails = None
        self._pending = []

    # --- the chosen picture -------------------------------------------------------------

    def _chosen(self, ids: list[int]) -> None:
        self.commands.chosen([self.view.timeline.picture(i) for i in ids])
        details = self.view.details
        if len(ids) != 1:
            details.show_nothing(f"{len(ids)} pictures chosen." if ids else
                                 _empty_words(self.record))
            return
        picture = self.view.timeline.picture(ids[0])
        details.show_picture(picture)
        if picture.shown and self.service is not None and self.record is not None:
            service, patient_id = self.service, self.record.patient_id
            self._tasks.run(lambda: small_image(
                service.preview(picture.image_id, patient_id),
                round(PREVIEW_EDGE * self.view.devicePixelRatioF())), owner=self.view).success(
                lambda image: self._preview(picture.image_id, image)).failure(self.failed)

    # --- today and earlier filings ---------------------------------------------------

    def refresh_today(self) -> None:
        """Read again what was filed today at this workstation."""
        if self.desk is None:
            return
        self._tasks.run(filed_today, self.desk.session, owner=self.view).success(
            self._today_read).failure(self.failed)

    def _today_read(self, lines) -> None:
        self.view.today.show_lines(lines)
        self.today_shown.emit(lines)

    def find_filings(self) -> None:
        """Look for earlier filings with what the Find form says."""
        if self.desk is None:
            return
        panel = self.view.find_panel
        request = FindRequest(
            words=panel.words.text(),
            patient_id=self.record.patient_id if self.record and panel.this_patient.isChecked()
            else None,
            since=chosen_date(panel.since), until=chosen_date(panel.until),
            site=panel.site.currentData() or "",
            kind=ImageKind(panel.kind.currentData()) if panel.kind.currentData() else None)
        panel.summary.setText("Looking…")
        self._find = request
        self._ask(request, focus=True)

    def _find_again(self) -> None:
        """Ask the last search of earlier filings again, its pictures having changed."""
        if self.desk is None or self._find is None:
            return
        self._ask(self._find, focus=False)

    def _ask(self, request: FindRequest, *, focus: bool) -> None:
        self._tasks.run(find_filings, self.desk.session, request, owner=self.view).success(
            lambda found: self._found_filings(request, found, focus)).failure(self.failed)

    def _found_filings(self, request: FindRequest, found, focus: bool) -> None:
        """Show a search's answer, unless a newer search was asked meanwhile: its answer follows."""
        if request is not self._find:
            return
        self.view.find_panel.show_found(found)
        if focus:
            self.view.find_panel.list.setFocus()
        self.filings_found.emit(found)

    def _jump(self, line) -> None:
        """Open the record of a listed filing's patient, with its picture chosen.

        The list is asked again at the same time: the line may tell of a
        picture moved or deleted since the search answered.
        """
        self.open_patient(line.patient_id, (line.image_id,))
        self._find_again()

    def _tab_changed(self, _index: int) -> None:
        if self.view.finding.currentWidget() is self.view.today:
            self.refresh_today()

    def tell(self, words: str) -> None:
        """Say what happened, under the timeline and in the status bar."""
        self.view.status.setText(words)
        self._say(words)

    def _preview(self, image_id: int, image) -> None:
        chosen = self.view.timeline.chosen()
        if len(chosen) == 1 and chosen[0].image_id == image_id and image is not None:
            image.setDevicePixelRatio(self.view.devicePixelRatioF())
            self.view.details.show_preview(image)


def _changed_elsewhere(before: PatientRecord | None, after: PatientRecord,
                      expected: tuple[int, ...]) -> str:
    """What changed in the record since it was shown, read again: pictures gone, added, corrected.

    Pictures this window itself just changed (``expected``) are left out: the
    person knows, and is told what was done.
    """
    if before is None or before.patient_id != after.patient_id:
        return ""
    now = {p.image_id: p for p in (*after.pictures, *after.moved_away)}
    was = {p.image_id for p in (*before.pictures, *before.moved_away)}
    kept = [(p, now[p.image_id]) for p in before.pictures
            if p.shown and p.image_id not in expected and p.image_id in now]
    gone = [it.gone_words(_described(then)) for then, it in kept if not it.shown]
    corrected = [then for then, it in kept if it.shown and it.history != then.history]
    added = [p for p in after.pictures if p.image_id not in was and p.image_id not in expected]
    return " ".join((*gone, *_told(corrected, "corrected"), *_told(added, "added to this record")))


def _told(pictures: list[RecordPicture], what: str) -> list[str]:
    """'The picture of the face taken 02/03/2024 was corrected.', or how many, for several."""
    if len(pictures) == 1:
        return [f"{_described(pictures[0])} was {what}."]
    return [f"{len(pictures)} pictures were {what}."] if pictures else []


def _described(picture: RecordPicture) -> str:
    """'The picture of the left ankle taken 13/08/2005': the person has no number to look up."""
    return f"The picture of the {picture.body_site.label} {picture.taken.said()}"


def _empty_words(record: PatientRecord | None) -> str:
    if record is None:
        return "Find the patient to open their record."
    if record.count == 0:
        return "No pictures are filed in this patient's record."
    return "Choose a picture on the timeline to see its details; Shift or Ctrl chooses several."

