"""Opening a patient's record: the search, the timeline, its thumbnails, the chosen picture.

The record's facts come from one worker call; the thumbnails follow in a
stream of small batches, in the timeline's order, so the first screenful
shows while the rest are still being read. Opening another record stops
the stream of the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from app.consent.gate import UseRefused
from app.consent.vocabulary import ImageKind, Purpose
from app.desk.exports import ExportRequest, export_record
from app.desk.forms import write_consent_form
from app.desk.opening import OpenedDesk
from app.patients.service import PatientService
from app.record.corrections import Correction, correct_pictures
from app.record.finding import FindRequest, filed_today, find_filings
from app.record.model import PatientRecord, RecordPicture
from app.record.outputs import write_summary
from app.record.service import RecordService, moment
from app.security.roles import INSTEAD, Permission
from ui.desk.export_dialog import ExportDialog
from ui.desk.refusal_dialog import RefusalDialog
from ui.errors import in_plain_words, report
from ui.printing import ask_and_print
from ui.record.compare_view import CompareDialog, comparison, same_site
from ui.record.correct_dialog import CorrectDialog
from ui.record.finding_panels import chosen_date
from ui.record.picture_details import PREVIEW_EDGE
from ui.record.record_view import RecordView
from ui.record.thumbnails import decoded_batches, small_image
from ui.record.timeline import THUMBNAIL_EDGE, TimelineRows
from ui.tasks import Pool, Task, Tasks

# Pictures compared are decoded no larger than this: sharp on a 4K screen,
# and a few of them, not the whole record, held at once.
COMPARE_EDGE = 2400
LOADING_END = "their small pictures are loading…"
LOADING = "Showing {count} picture{s}; " + LOADING_END


class RecordController(QObject):
    """The record page for one session.

    Signals:
        searched(object): a search's result is on show.
        record_shown(object): a record is on the timeline (the :class:`PatientRecord`).
        thumbnails_shown(int): every thumbnail of the open record is in place (how many).
        corrected(list): a correction was made (what was done, in words).
        exported(object): chosen pictures were exported (the ``Written``).
        export_refused(object): the consent gate refused (the ``UseRefused``).
        consent_wanted(object): the person asked to record the consent for this purpose.
        today_shown(list): today's filings at this workstation are listed.
        filings_found(object): a search of earlier filings answered (the ``Found``).
    """

    searched = Signal(object)
    record_shown = Signal(object)
    thumbnails_shown = Signal(int)
    corrected = Signal(list)
    exported = Signal(object)
    export_refused = Signal(object)
    consent_wanted = Signal(object)
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
        self.compare_dialog: CompareDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.refusal_dialog: RefusalDialog | None = None
        self.outbox = ""
        self.export_folder = ""
        self.correct_dialog: CorrectDialog | None = None
        self._pending: list[int] = []
        self._typing = QTimer(self)
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
        view.timeline.opened.connect(lambda _id: self.compare())
        self.compare_button = view.add_command(
            "&Compare", "Compare pictures",
            "Show the chosen pictures of one site side by side (Enter on a picture)")
        self.correct_button = view.add_command(
            "Co&rrect…", "Correct the filing",
            "Move the chosen pictures to the right patient, or fix their body site, kind or "
            "description")
        self.export_button = view.add_command(
            "E&xport…", "Export the chosen pictures",
            "Export the chosen pictures, if the patient's consent allows the use")
        self.summary_button = view.add_command(
            "Print &summary…", "Print the summary of the chosen pictures",
            "Print the record-attachment summary of the chosen pictures again")
        self.form_button = view.add_command(
            "Print c&onsent form…", "Print the consent form",
            "Print the consent form the chosen picture was filed on again")
        view.finish_commands()
        self.compare_button.clicked.connect(self.compare)
        self.correct_button.clicked.connect(self.correct)
        self.export_button.clicked.connect(self.export)
        self.summary_button.clicked.connect(self.print_summary)
        self.form_button.clicked.connect(self.print_consent_form)

    # --- the session --------------------------------------------------------------------

    def open(self, desk: OpenedDesk, outbox: str = "") -> None:
        """Serve a person who has just logged in."""
        self.desk = desk
        self.outbox = outbox
        self.service = RecordService(desk.session)
        self.patients = PatientService(desk.session)
        self._forget()

    def close(self) -> None:
        """The person logged out: forget every record and picture shown."""
        self._forget()
        self.desk = None
        self.export_folder = ""
        self.service = None
        self.patients = None

    def pause(self) -> None:
        """The vault is locking: stop reading thumbnails; what is shown stays, hidden."""
        self._stop_thumbnails()

    def resume(self) -> None:
        """The same person unlocked: read the thumbnails the lock interrupted."""
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
            self.view.patient_panel.candidates.clear()
            return
        self._tasks.run(self.patients.search, text).success(
            lambda result: self._found(text, result))

    def _found(self, text: str, result) -> None:
        self.view.patient_panel.show_result(text, result)
        self.searched.emit(result)

    def open_patient(self, patient_id: int, chosen: tuple[int, ...] = ()) -> None:
        """Open a patient's record in a worker, then choose these pictures on it."""
        if self.service is None:
            return
        self.view.status.setText("Opening the record…")
        service, timeline = self.service, self.view.timeline
        self._tasks.run(lambda: timeline.rows_of(service.record(patient_id))).tied_to(
            timeline).success(lambda rows: self._show(rows, chosen)).failure(self._failed)

    def reopen(self, chosen: tuple[int, ...] = (), words: str = "") -> None:
        """Read the open record again (after a correction), keeping these pictures chosen.

        ``words`` (what was corrected) stay in view once the record is shown again.
        """
        if self.record is not None:
            self._after_opening = words
            self.open_patient(self.record.patient_id, chosen)

    def _show(self, rows: TimelineRows, chosen: tuple[int, ...]) -> None:
        self._stop_thumbnails()
        record = rows.record
        self.record = record
        self.view.banner.show_record(record)
        self.view.timeline.show_rows(rows)
        self.view.details.show_nothing(_empty_words(record))
        ids = [p.image_id for p in record.pictures if p.shown]
        loading = LOADING.format(count=record.count, s="s" if record.count != 1 else "")
        self.view.status.setText(self._after_opening or (loading if ids else ""))
        self._after_opening = ""
        self._load_thumbnails(ids)
        first = [p.image_id for p in record.pictures[:1]]
        self.view.timeline.choose(list(chosen) or first)
        self.view.timeline.setFocus()
        self.record_shown.emit(record)

    def _failed(self, error: BaseException) -> None:
        self.view.status.setText(in_plain_words(error))
        self._say(in_plain_words(error))

    # --- thumbnails ---------------------------------------------------------------------

    def _load_thumbnails(self, ids: list[int]) -> None:
        if not ids:
            self.view.status.setText("")
            self.thumbnails_shown.emit(len(self.view.timeline.picture_ids()))
            return
        service = self.service
        edge = round(THUMBNAIL_EDGE * self.view.devicePixelRatioF())
        self._pending = list(ids)
        task = self._tasks.stream(lambda: decoded_batches(service.thumbnails, ids, edge),
                                  pool=Pool.GENERAL)
        task.tied_to(self.view).progress(lambda batch: self._arrived(task, batch))
        task.failure(self._failed)
        self._thumbnails = task

    def _arrived(self, task: Task, batch) -> None:
        if task is not self._thumbnails:
            return
        timeline = self.view.timeline
        ratio = self.view.devicePixelRatioF()
        for image_id, image in batch:
            if image is not None:
                image.setDevicePixelRatio(ratio)
            timeline.set_thumbnail(image_id, image)
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
        pictures = [self.view.timeline.picture(i) for i in ids]
        chosen = bool(ids) and all(p.shown for p in pictures)
        self.compare_button.setEnabled(chosen)
        for button, permission, instead in (
                (self.correct_button, Permission.CORRECT_FILING,
                 "A clinician corrects a filing; ask one to check it."),
                (self.export_button, Permission.EXPORT_IMAGES,
                 INSTEAD[Permission.EXPORT_IMAGES]),
                (self.summary_button, Permission.PRINT_FORMS, "")):
            allowed = self.desk is not None and self.desk.session.may(permission)
            button.setEnabled(chosen and allowed)
            if chosen and not allowed and instead:
                button.setToolTip(instead)
        self.form_button.setEnabled(len(pictures) == 1 and chosen
                                    and bool(pictures[0].consent_code))
        details = self.view.details
        if len(ids) != 1:
            details.show_nothing(f"{len(ids)} pictures chosen." if ids else
                                 _empty_words(self.record))
            return
        picture = self.view.timeline.picture(ids[0])
        details.show_picture(picture)
        if picture.shown and self.service is not None:
            service = self.service
            self._tasks.run(lambda: small_image(
                dict(service.thumbnails([picture.image_id]))[picture.image_id],
                round(PREVIEW_EDGE * self.view.devicePixelRatioF()))).tied_to(
                self.view).success(lambda image: self._preview(picture.image_id, image))

    # --- compare ------------------------------------------------------------------------

    def compare(self) -> None:
        """Compare the chosen pictures of one site, or the chosen one with the one before it."""
        chosen = [p for p in self.view.timeline.chosen() if p.shown]
        if self.record is None or not chosen:
            self._tell("Choose the pictures to compare on the timeline first.")
            return
        site = _site_pictures(self.record, chosen[0])
        shown, problem = comparison(site, chosen)
        if problem:
            self._tell(problem)
            return
        dialog = CompareDialog(site, shown, self.view.window())
        dialog.wanted.connect(lambda image_id: self._load_large(dialog, image_id))
        dialog.finished.connect(dialog.deleteLater)
        self.compare_dialog = dialog
        window = self.view.window().geometry()
        dialog.resize(window.width() * 9 // 10, window.height() * 9 // 10)
        dialog.open()
        dialog.start()
        dialog.panes[0].setFocus()

    def _load_large(self, dialog: CompareDialog, image_id: int) -> None:
        service = self.service
        if service is None:
            return
        self._tasks.run(lambda: small_image(service.display_copy(image_id), COMPARE_EDGE)
                        ).tied_to(dialog).success(
            lambda image: dialog.set_image(image_id, image)).failure(self._failed)

    # --- correct ------------------------------------------------------------------------

    def correct(self) -> None:
        """Open the form that corrects the chosen pictures' filing."""
        chosen = [p for p in self.view.timeline.chosen() if p.shown]
        if self.record is None or not chosen:
            self._tell("Choose the pictures to correct on the timeline first.")
            return
        dialog = CorrectDialog(chosen, self.record.name, self.view.window())
        typing = QTimer(dialog)
        typing.setSingleShot(True)
        typing.setInterval(120)
        typing.timeout.connect(lambda: self._search_for(dialog))
        dialog.query_changed.connect(lambda _text: typing.start())
        dialog.correction_asked.connect(
            lambda correction: self._correct(dialog, [p.image_id for p in chosen], correction))
        dialog.finished.connect(dialog.deleteLater)
        self.correct_dialog = dialog
        dialog.open()
        dialog.kind.setFocus()

    def _search_for(self, dialog: CorrectDialog) -> None:
        text = dialog.patient_panel.search_edit.text()
        if self.patients is None or not text.strip():
            return
        self._tasks.run(self.patients.search, text).tied_to(dialog).success(
            lambda result: self._found_for(dialog, text, result))

    def _found_for(self, dialog: CorrectDialog, text: str, result) -> None:
        dialog.patient_panel.show_result(text, result)
        self.searched.emit(result)

    def _correct(self, dialog: CorrectDialog, ids: list[int], correction: Correction) -> None:
        session = self.desk.session
        dialog.correct_button.setEnabled(False)
        self._tasks.write(correct_pictures, session, ids, correction).tied_to(dialog).success(
            lambda done: self._corrected(dialog, ids, done)).failure(
            lambda error: self._not_corrected(dialog, error))

    def _corrected(self, dialog: CorrectDialog, ids: list[int], done: list[str]) -> None:
        dialog.accept()
        words = "Corrected: " + "; ".join(done) + "."
        self._tell(words)
        self.corrected.emit(done)
        self.reopen(tuple(ids), words)

    def _not_corrected(self, dialog: CorrectDialog, error: BaseException) -> None:
        dialog.correct_button.setEnabled(True)
        dialog.show_problem(in_plain_words(error))

    # --- export and print -----------------------------------------------------------

    def export(self) -> None:
        """Ask what the chosen pictures are for, then export them if the consent allows it."""
        chosen = [p for p in self.view.timeline.chosen() if p.shown]
        if self.record is None or not chosen:
            self._tell("Choose the pictures to export on the timeline first.")
            return
        dialog = ExportDialog(self.record.name, self.view.window())
        count = len(chosen)
        dialog.export_button.setText(f"Export {count} picture{'s' if count != 1 else ''}…")
        dialog.accepted.connect(lambda: self._export_chosen(dialog, chosen))
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()

    def _export_chosen(self, dialog: ExportDialog, chosen: list[RecordPicture]) -> None:
        folder = QFileDialog.getExistingDirectory(self.view.window(),
                                                  "Choose a folder for the export",
                                                  self.export_folder or self.outbox)
        if not folder:
            return
        self.export_folder = folder
        request = ExportRequest(self.record.patient_id, dialog.chosen_purpose,
                                dialog.chosen_recipient, dialog.chosen_format, Path(folder),
                                tuple(p.image_id for p in chosen))
        ids = request.image_ids
        self._tasks.run(export_record, self.desk.session, request).success(
            lambda written: self._exported(written, ids)).failure(
            lambda error: self._refused(request.purpose, error, "Not exported"))

    def _exported(self, written, ids: tuple[int, ...]) -> None:
        count = len(written.paths)
        words = (f"Exported {count} file{'s' if count != 1 else ''} to "
                 f"{written.paths[0].parent}.")
        self._tell(words)
        self.exported.emit(written)
        self.reopen(ids, words)

    def _refused(self, purpose: Purpose, error: BaseException, title: str) -> None:
        """Explain a refusal as the desk does: why, what would allow it, and the form."""
        if not isinstance(error, UseRefused):
            report(error, self.view.window(), title)
            return
        self._tell(f"{title}: {error.decision.reason}.")
        dialog = RefusalDialog(self.record.name if self.record else "the patient", purpose,
                               error.decision, self.view.window())
        dialog.form_requested.connect(lambda: self.consent_wanted.emit(purpose))
        dialog.finished.connect(dialog.deleteLater)
        self.refusal_dialog = dialog
        self.export_refused.emit(error)
        dialog.open()

    def print_summary(self) -> None:
        """Print the record-attachment summary of the chosen pictures again."""
        chosen = [p.image_id for p in self.view.timeline.chosen() if p.shown]
        if self.desk is None or not chosen:
            return
        session = self.desk.session
        task = ask_and_print(self.view.window(), self._tasks,
                             lambda path: write_summary(session, chosen, path))
        if task is not None:
            task.success(lambda _path: self._tell("The summary was sent to the printer.")
                         ).failure(lambda error: self._refused(Purpose.CLINICAL_CARE, error,
                                                               "Not printed"))

    def print_consent_form(self) -> None:
        """Print again the consent form the chosen picture was filed on."""
        chosen = self.view.timeline.chosen()
        if self.desk is None or len(chosen) != 1 or not chosen[0].consent_code:
            return
        session, code = self.desk.session, chosen[0].consent_code
        task = ask_and_print(self.view.window(), self._tasks,
                             lambda path: write_consent_form(session, code, path))
        if task is not None:
            task.success(lambda _path: self._tell(
                f"The consent form {code} was sent to the printer."))

    # --- today and earlier filings ---------------------------------------------------

    def refresh_today(self) -> None:
        """Read again what was filed today at this workstation."""
        if self.desk is None:
            return
        self._tasks.run(filed_today, self.desk.session).tied_to(self.view).success(
            self._today_read).failure(self._failed)

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
        self._tasks.run(find_filings, self.desk.session, request).tied_to(self.view).success(
            self._found_filings).failure(self._failed)

    def _found_filings(self, found) -> None:
        self.view.find_panel.show_found(found.lines, found.matched)
        self.view.find_panel.list.setFocus()
        self.filings_found.emit(found)

    def _jump(self, line) -> None:
        """Open the record of a listed filing's patient, with its picture chosen."""
        self.open_patient(line.patient_id, (line.image_id,))

    def _tab_changed(self, _index: int) -> None:
        if self.view.finding.currentWidget() is self.view.today:
            self.refresh_today()

    def _tell(self, words: str) -> None:
        self.view.status.setText(words)
        self._say(words)

    def _preview(self, image_id: int, image) -> None:
        chosen = self.view.timeline.chosen()
        if len(chosen) == 1 and chosen[0].image_id == image_id and image is not None:
            image.setDevicePixelRatio(self.view.devicePixelRatioF())
            self.view.details.show_preview(image)


def _site_pictures(record: PatientRecord, picture: RecordPicture) -> list[RecordPicture]:
    """Every picture of the same site in the record that can be shown, newest first."""
    same = [p for p in record.pictures if p.shown and same_site(p, picture)]
    return sorted(same, key=lambda p: (moment(p.when), p.image_id), reverse=True)


def _empty_words(record: PatientRecord | None) -> str:
    if record is None:
        return "Find the patient to open their record."
    if record.count == 0:
        return "No pictures are filed in this patient's record."
    return "Choose a picture on the timeline to see its details; Shift or Ctrl chooses several."

