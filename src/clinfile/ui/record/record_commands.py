"""What a person does with a record's pictures: compare, correct, export, print, withdraw.

Each command asks the core in a worker and shows its answer: corrections go
through the filing service's role checks and are audited; exports and
summaries pass the consent gate, and a refusal is explained as on the desk;
a withdrawal of consent lists what already left under it, to follow up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from clinfile.app.consent.model import Consent
from clinfile.app.consent.service import ConsentService
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.desk.exports import ExportRequest, check_export, export_record
from clinfile.app.desk.forms import write_consent_form
from clinfile.app.incidents.service import IncidentService
from clinfile.app.record.corrections import Correction, correct_pictures
from clinfile.app.record.model import PatientRecord, RecordPicture
from clinfile.app.record.outputs import write_summary
from clinfile.app.record.service import moment
from clinfile.app.record.withdrawal import WithdrawalSaid, withdraw_and_say
from clinfile.app.security.roles import INSTEAD, PRINT_CONSENT_FORM, Permission
from clinfile.app.uses.gate import UseRefused
from clinfile.ui.admin.forms import keys_back_to
from clinfile.ui.admin.incident_dialog import IncidentDialog
from clinfile.ui.admin.save_dialog import ask_where_to_save, in_outbox
from clinfile.ui.desk.export_dialog import ExportDialog
from clinfile.ui.desk.refusal_dialog import RefusalDialog
from clinfile.ui.errors import in_plain_words, report
from clinfile.ui.printing import ask_and_print
from clinfile.ui.record.compare_view import CompareDialog, comparison, same_site
from clinfile.ui.record.correct_dialog import CorrectDialog
from clinfile.ui.record.record_view import RecordView
from clinfile.ui.record.thumbnails import small_image
from clinfile.ui.record.withdraw_dialog import WithdrawDialog, WithdrawnDialog
from clinfile.ui.tasks import Tasks

COMPARE_TIP = "Show the chosen pictures of one site side by side (Enter on a picture)"
CORRECT_TIP = ("Move the chosen pictures to the right patient, or fix their body site, kind or "
               "description")
EXPORT_TIP = "Export the chosen pictures, if the patient's consent allows the use"
SUMMARY_TIP = "Print the record-attachment summary of the chosen pictures again"
FORM_TIP = "Print the consent form the chosen picture was filed on again"
WITHDRAW_TIP = ("Record that the patient withdrew a consent, and see what was already sent "
                "under it, to follow up")
INCIDENT_TIP = ("Record that an export of the chosen picture reached the wrong person, a "
                "privacy breach, for the practice manager")
# Pictures compared are decoded no larger than this: sharp on a 4K screen,
# and a few of them, not the whole record, held at once.
COMPARE_EDGE = 2400


class RecordCommands(QObject):
    """The buttons above the timeline, and the dialogs they open.

    Signals:
        corrected(list): a correction was made (what was done, in words).
        exported(object): chosen pictures were exported (the ``Written``).
        export_refused(object): the consent gate refused (the ``UseRefused``).
        consent_wanted(object): the person asked to record the consent for this purpose.
        incident_reported(object): a wrongly sent picture was reported (the ``Incident``).
        incident_summary_saved(object): the reporter saved its summary (the path).
        withdrawn(object): a consent was withdrawn (the ``WithdrawalSaid``).
    """

    corrected = Signal(list)
    exported = Signal(object)
    export_refused = Signal(object)
    consent_wanted = Signal(object)
    incident_reported = Signal(object)
    incident_summary_saved = Signal(object)
    withdrawn = Signal(object)

    def __init__(self, owner, tasks: Tasks, view: RecordView) -> None:
        super().__init__(owner)
        self._owner = owner
        self._tasks = tasks
        self._view = view
        self.outbox = ""
        self.export_folder = ""
        self.compare_dialog: CompareDialog | None = None
        self.correct_dialog: CorrectDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.refusal_dialog: RefusalDialog | None = None
        self.incident_dialog: IncidentDialog | None = None
        self.incident_box: QMessageBox | None = None
        self.summary_dialog: QFileDialog | None = None
        self.withdraw_dialog: WithdrawDialog | None = None
        self.withdrawn_dialog: WithdrawnDialog | None = None
        self.compare_button = view.add_command("&Compare", "Compare pictures", COMPARE_TIP)
        self.correct_button = view.add_command("Co&rrect…", "Correct the filing", CORRECT_TIP)
        self.export_button = view.add_command(
            "E&xport…", "Export the chosen pictures", EXPORT_TIP)
        self.summary_button = view.add_command(
            "Print &summary…", "Print the summary of the chosen pictures", SUMMARY_TIP)
        self.form_button = view.add_command(
            PRINT_CONSENT_FORM.replace("consent", "c&onsent", 1) + "…", PRINT_CONSENT_FORM,
            FORM_TIP)
        self.incident_button = view.add_command(
            "R&eport wrongly sent…", "Report a wrongly sent picture",
            INCIDENT_TIP)
        self.withdraw_button = view.add_command(
            "With&draw consent…", "Withdraw a consent", WITHDRAW_TIP)
        view.timeline.opened.connect(lambda _id: self.compare())
        self.compare_button.clicked.connect(self.compare)
        self.correct_button.clicked.connect(self.correct)
        self.export_button.clicked.connect(self.export)
        self.summary_button.clicked.connect(self.print_summary)
        self.form_button.clicked.connect(self.print_consent_form)
        self.incident_button.clicked.connect(self.report_incident)
        self.withdraw_button.clicked.connect(self.withdraw)

    def chosen(self, pictures: list[RecordPicture]) -> None:
        """Offer what may be done with these pictures, by the person's roles."""
        chosen = bool(pictures) and all(p.shown for p in pictures)
        gone = gone_words(pictures)
        self.compare_button.setEnabled(chosen)
        self.compare_button.setToolTip(gone or COMPARE_TIP)
        desk = self._owner.desk
        for button, permission, instead, tip in (
                (self.correct_button, Permission.CORRECT_FILING,
                 "A clinician corrects a filing; ask one to check it.", CORRECT_TIP),
                (self.export_button, Permission.EXPORT_IMAGES,
                 INSTEAD[Permission.EXPORT_IMAGES], EXPORT_TIP),
                (self.summary_button, Permission.PRINT_FORMS, "", SUMMARY_TIP)):
            allowed = desk is not None and desk.session.may(permission)
            button.setEnabled(chosen and allowed)
            button.setToolTip(gone or (instead if chosen and not allowed and instead else tip))
        if gone and len(pictures) > 1:
            self._owner.tell(gone)
        may_print = desk is not None and desk.session.may(Permission.PRINT_FORMS)
        why_not = _why_no_form(pictures, may_print)
        self.form_button.setEnabled(not why_not)
        self.form_button.setToolTip(why_not or FORM_TIP)
        exported = chosen and all(p.exports for p in pictures)
        may_report = desk is not None and desk.session.may(Permission.REPORT_INCIDENT)
        self.incident_button.setEnabled(exported and may_report)
        self.incident_button.setToolTip(
            INCIDENT_TIP if not chosen or exported and may_report else
            "Never exported from the vault, so it cannot have gone to the wrong person."
            if not exported else
            "Your role does not record it; tell the practice manager at once.")
        self.withdraw_button.setEnabled(
            self._owner.record is not None and desk is not None
            and desk.session.may(Permission.RECORD_WITHDRAWAL))

    def _back_to_timeline(self) -> None:
        """Give the keyboard back to the timeline when a dialog closes, so Alt keys work again."""
        keys_back_to(self._view.timeline)

    # --- compare ------------------------------------------------------------------------

    def compare(self) -> None:
        """Compare the chosen pictures of one site, or the chosen one with the one before it."""
        chosen = [p for p in self._view.timeline.chosen() if p.shown]
        if self._owner.record is None or not chosen:
            self._owner.tell("Choose the pictures to compare on the timeline first.")
            return
        site = _site_pictures(self._owner.record, chosen[0])
        shown, problem = comparison(site, chosen)
        if problem:
            self._owner.tell(problem)
            return
        dialog = CompareDialog(site, shown, self._view.window())
        dialog.wanted.connect(lambda image_id: self._load_large(dialog, image_id))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_timeline)
        self.compare_dialog = dialog
        window = self._view.window().geometry()
        dialog.resize(window.width() * 9 // 10, window.height() * 9 // 10)
        dialog.open()
        dialog.start()
        dialog.panes[0].setFocus()

    def follow(self, record: PatientRecord) -> None:
        """Say in an open Compare which of its pictures the record, read again, no longer shows."""
        dialog = self.compare_dialog
        if dialog is None or not shiboken6.isValid(dialog) or not dialog.isVisible():
            return
        now = {p.image_id: p for p in (*record.pictures, *record.moved_away)}
        for pane in dialog.panes:
            picture = now.get(pane.picture.image_id)
            if picture is not None and not picture.shown:
                dialog.say_gone(picture.image_id, picture.gone_words())

    def _load_large(self, dialog: CompareDialog, image_id: int) -> None:
        service, record = self._owner.service, self._owner.record
        if service is None or record is None:
            return
        patient_id = record.patient_id
        self._tasks.run(lambda: small_image(service.display_copy(image_id, patient_id),
                                            COMPARE_EDGE),
                        owner=dialog).success(
            lambda image: dialog.set_image(image_id, image)).failure(
            lambda error: self._not_large(dialog, image_id, error))

    def _not_large(self, dialog: CompareDialog, image_id: int, error: BaseException) -> None:
        """Say in the pane why the picture is not shown; the record learns of it too."""
        dialog.say_gone(image_id, in_plain_words(error))
        self._owner.failed(error)

    # --- correct ------------------------------------------------------------------------

    def correct(self) -> None:
        """Open the form that corrects the chosen pictures' filing."""
        chosen = [p for p in self._view.timeline.chosen() if p.shown]
        if self._owner.record is None or not chosen:
            self._owner.tell("Choose the pictures to correct on the timeline first.")
            return
        record = self._owner.record
        dialog = CorrectDialog(chosen, record.patient_id, record.name, self._view.window())
        typing = QTimer(dialog)
        typing.setSingleShot(True)
        typing.setInterval(120)
        typing.timeout.connect(lambda: self._search_for(dialog))
        dialog.query_changed.connect(lambda _text: typing.start())
        dialog.correction_asked.connect(
            lambda correction: self._correct(dialog, [p.image_id for p in chosen], correction))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_timeline)
        self.correct_dialog = dialog
        dialog.open()
        dialog.kind.setFocus()

    def _search_for(self, dialog: CorrectDialog) -> None:
        text = dialog.patient_panel.search_edit.text()
        if self._owner.patients is None or not text.strip():
            return
        self._tasks.run(self._owner.patients.search, text, owner=dialog).success(
            lambda result: self._found_for(dialog, text, result))

    def _found_for(self, dialog: CorrectDialog, text: str, result) -> None:
        dialog.show_found(text, result)
        self._owner.searched.emit(result)

    def _correct(self, dialog: CorrectDialog, ids: list[int], correction: Correction) -> None:
        session = self._owner.desk.session
        dialog.correct_button.setEnabled(False)
        self._tasks.write(correct_pictures, session, self._owner.record.patient_id, ids,
                          correction, owner=dialog).success(
            lambda done: self._corrected(dialog, ids, done)).failure(
            lambda error: self._not_corrected(dialog, error))

    def _corrected(self, dialog: CorrectDialog, ids: list[int], done: list[str]) -> None:
        dialog.accept()
        words = "Corrected: " + "; ".join(done) + "."
        self._owner.tell(words)
        self.corrected.emit(done)
        self._owner.reopen(tuple(ids), words)

    def _not_corrected(self, dialog: CorrectDialog, error: BaseException) -> None:
        dialog.correct_button.setEnabled(True)
        dialog.show_problem(in_plain_words(error))

    # --- export and print -----------------------------------------------------------

    def export(self) -> None:
        """Ask what the chosen pictures are for, then export them if the consent allows it."""
        chosen = [p for p in self._view.timeline.chosen() if p.shown]
        if self._owner.record is None or not chosen:
            self._owner.tell("Choose the pictures to export on the timeline first.")
            return
        dialog = ExportDialog(self._owner.record.name, self._view.window())
        count = len(chosen)
        dialog.export_button.setText(f"Export {count} picture{'s' if count != 1 else ''}…")
        dialog.accepted.connect(lambda: self._export_chosen(dialog, chosen))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_timeline)
        self.export_dialog = dialog
        dialog.open()

    def _export_chosen(self, dialog: ExportDialog, chosen: list[RecordPicture]) -> None:
        """Check the consent allows it first; only then ask where to."""
        patient_id, ids = self._owner.record.patient_id, tuple(p.image_id for p in chosen)
        purpose, recipient = dialog.chosen_purpose, dialog.chosen_recipient
        file_format, session = dialog.chosen_format, self._owner.desk.session
        self._tasks.run(check_export, session, patient_id, purpose, recipient, ids,
            owner=self._view).success(
            lambda _allowed: self._ask_folder(
                lambda folder: ExportRequest(patient_id, purpose, recipient, file_format,
                                             folder, ids))).failure(
            lambda error: self._refused(purpose, error, "Not exported"))

    def _ask_folder(self, request_to: Callable[[Path], ExportRequest]) -> None:
        """Ask where to, starting in the folder used last, or else the outbox; then export."""
        folder = QFileDialog.getExistingDirectory(self._view.window(),
                                                  "Choose a folder for the export",
                                                  self.export_folder or self.outbox)
        if not folder or self._owner.desk is None:
            return
        self.export_folder = folder
        request = request_to(Path(folder))
        self._tasks.run(export_record, self._owner.desk.session, request, owner=self._view).success(
            lambda written: self._exported(written, request.image_ids)).failure(
            lambda error: self._refused(request.purpose, error, "Not exported"))

    def _exported(self, written, ids: tuple[int, ...]) -> None:
        count = len(written.paths)
        words = (f"Exported {count} file{'s' if count != 1 else ''} to "
                 f"{written.paths[0].parent}.")
        self._owner.tell(words)
        self.exported.emit(written)
        self._owner.reopen(ids, words)

    def _refused(self, purpose: Purpose, error: BaseException, title: str) -> None:
        """Explain a refusal as the desk does: why, what would allow it, and the form."""
        if not isinstance(error, UseRefused):
            report(error, self._view.window(), title)
            return
        self._owner.tell(f"{title}: {error.decision.reason}.")
        record = self._owner.record
        dialog = RefusalDialog(record.name if record else "the patient", purpose,
                               error.decision, self._view.window())
        dialog.form_requested.connect(lambda: self.consent_wanted.emit(purpose))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_timeline)
        self.refusal_dialog = dialog
        self.export_refused.emit(error)
        dialog.open()

    def print_summary(self) -> None:
        """Print the record-attachment summary of the chosen pictures again."""
        chosen = [p.image_id for p in self._view.timeline.chosen() if p.shown]
        if self._owner.desk is None or not chosen:
            return
        session = self._owner.desk.session
        task = ask_and_print(self._view.window(), self._tasks,
                             lambda path: write_summary(session, chosen, path))
        if task is not None:
            task.success(lambda _path: self._owner.tell("The summary was sent to the printer.")
                         ).failure(lambda error: self._refused(Purpose.CLINICAL_CARE, error,
                                                               "Not printed"))

    def print_consent_form(self) -> None:
        """Print again the consent form the chosen picture was filed on."""
        chosen = self._view.timeline.chosen()
        if self._owner.desk is None or len(chosen) != 1 or not chosen[0].consent_code:
            return
        session, code = self._owner.desk.session, chosen[0].consent_code
        task = ask_and_print(self._view.window(), self._tasks,
                             lambda path: write_consent_form(session, code, path))
        if task is not None:
            task.success(lambda _path: self._owner.tell(
                f"The consent form {code} was sent to the printer."))


    # --- a picture sent to the wrong person ---------------------------------------------

    def report_incident(self) -> None:
        """Read the chosen pictures' exports in a worker, then open the report form."""
        chosen = [p.image_id for p in self._view.timeline.chosen() if p.exports]
        if self._owner.desk is None or not chosen:
            return
        service = IncidentService(self._owner.desk.session)
        self._tasks.run(service.exports, image_ids=chosen, owner=self._view).success(
            lambda exports: self._ask_incident(service, exports, tuple(chosen))).failure(
            self._owner.failed)

    def _ask_incident(self, service: IncidentService, exports, chosen: tuple[int, ...]) -> None:
        dialog = IncidentDialog(exports, self._view.window(), of_one_record=True)
        dialog.accepted.connect(lambda: self._tasks.write(
            service.report, dialog.report, owner=self._view).success(
            lambda incident: self._incident_recorded(service, incident, chosen)).failure(
            self._owner.failed))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_timeline)
        self.incident_dialog = dialog
        dialog.open()

    def _incident_recorded(self, service: IncidentService, incident,
                           chosen: tuple[int, ...]) -> None:
        words = (f"Incident {incident.row.id} is recorded and linked to the export in the audit "
                 "trail. Print its one-page summary for the practice manager.")
        self._owner.tell(words)
        self.incident_reported.emit(incident)
        self._owner.reopen(chosen, words)
        self._offer_summary(service, incident.row.id, words)

    def _offer_summary(self, service: IncidentService, incident_id: int, words: str) -> None:
        """Say the report is recorded and offer its summary to print or save, to hand over.

        Whoever reported it may print this one summary; the list of every
        report stays in the practice manager's Admin view.
        """
        box = QMessageBox(QMessageBox.Icon.Information, "Incident recorded", words,
                          QMessageBox.StandardButton.Close, self._view.window())
        printing = box.addButton("&Print the summary…", QMessageBox.ButtonRole.ActionRole)
        saving = box.addButton("Sa&ve the summary as PDF…", QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(printing)

        def make(path: Path) -> Path:
            return service.write_summary(incident_id, path)

        def answered(button) -> None:
            if button is printing:
                task = ask_and_print(self._view.window(), self._tasks, make)
                if task is not None:
                    task.success(lambda _path: self._owner.tell(
                        f"The summary of incident {incident_id} was sent to the printer."
                    )).failure(self._owner.failed)
            elif button is saving:
                self.summary_dialog = ask_where_to_save(
                    self._view.window(), "Save the incident summary",
                    in_outbox(self.outbox, f"Incident {incident_id} summary.pdf"),
                    "PDF documents (*.pdf)",
                    lambda path: self._tasks.run(make, path, owner=self._view).success(
                        self._summary_saved).failure(self._owner.failed))
            else:
                self._back_to_timeline()

        box.buttonClicked.connect(answered)
        box.finished.connect(box.deleteLater)
        self.incident_box = box
        box.open()

    def _summary_saved(self, path: Path) -> None:
        self._owner.tell(f"The incident summary is saved to {path}.")
        self.incident_summary_saved.emit(path)

    # --- a consent withdrawn ------------------------------------------------------------

    def withdraw(self) -> None:
        """Read the patient's consents in a worker, then ask which one and what is taken back."""
        record, desk = self._owner.record, self._owner.desk
        if record is None or desk is None:
            return
        chosen = self._view.timeline.chosen()
        code = chosen[0].consent_code if len(chosen) == 1 else ""
        self._tasks.run(ConsentService(desk.session).for_patient, record.patient_id,
                        owner=self._view).success(
            lambda consents: self._ask_withdrawal(consents, record.name, code)).failure(
            self._owner.failed)

    def _ask_withdrawal(self, consents: list[Consent], patient: str, code: str) -> None:
        dialog = WithdrawDialog(consents, patient, code, self._view.window())
        dialog.withdrawal_asked.connect(lambda: self._withdraw(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_timeline)
        self.withdraw_dialog = dialog
        dialog.open()
        dialog.consent_box.setFocus()

    def _withdraw(self, dialog: WithdrawDialog) -> None:
        """Record the withdrawal by the core's one rule; the form stays open until it is."""
        self._tasks.write(withdraw_and_say, self._owner.desk.session, dialog.chosen_code,
                          dialog.chosen_purposes, reason=dialog.reason, owner=dialog).success(
            lambda said: self._withdrawn(dialog, said)).failure(
            lambda error: dialog.show_problem(in_plain_words(error)))

    def _withdrawn(self, dialog: WithdrawDialog, said: WithdrawalSaid) -> None:
        """Say what the withdrawal leaves to follow up, and show the record's new limits."""
        dialog.accept()
        words = (f"Consent {said.result.consent.code} is withdrawn for {said.purposes_words}. "
                 f"{said.follow_up}")
        self._owner.tell(words)
        self._owner.reopen(tuple(p.image_id for p in self._view.timeline.chosen()), words)
        shown = WithdrawnDialog(said, self._view.window())
        shown.finished.connect(shown.deleteLater)
        shown.finished.connect(self._back_to_timeline)
        self.withdrawn_dialog = shown
        window = self._view.window().geometry()
        shown.fit(window.width() * 2 // 3, window.height() * 4 // 5)
        shown.open()
        shown.close_button.setFocus()
        self.withdrawn.emit(said)


def _why_no_form(pictures: list[RecordPicture], may_print: bool) -> str:
    """Why the consent form cannot be printed for these pictures, or "" when it can."""
    if not may_print:
        return "Your role does not print consent forms; ask a receptionist or a clinician."
    if len(pictures) != 1:
        return ("Choose one picture on the timeline to print the consent form it was filed on."
                if not pictures else
                "Choose just one picture: each may have been filed on a different consent.")
    picture = pictures[0]
    if not picture.here:
        return ("It was moved to another patient's record; print the form from that "
                "record.")
    if not picture.shown:
        return "It was deleted at the end of its keeping time."
    if not picture.consent_code:
        return f"There is no consent form to print for it ({picture.consent})."
    return ""


def _site_pictures(record: PatientRecord, picture: RecordPicture) -> list[RecordPicture]:
    """Every picture of the same site in the record that can be shown, newest first."""
    same = [p for p in record.pictures if p.shown and same_site(p, picture)]
    return sorted(same, key=lambda p: (moment(p.taken.sorts_as), p.image_id), reverse=True)


def gone_words(pictures: list[RecordPicture]) -> str:
    """Why nothing can be done with a choice that holds pictures no longer in the record.

    A picture moved or deleted elsewhere stays chosen when the record is read
    again, so that its details say what became of it; the commands then wait,
    and say so, rather than sit greyed with no reason given.
    """
    gone = sum(not p.shown for p in pictures)
    if not gone:
        return ""
    if len(pictures) == 1:
        return "The chosen picture is no longer in this record, so there is nothing to do with it."
    verb = "is" if gone == 1 else "are"
    return (f"{gone} of the {len(pictures)} chosen pictures {verb} no longer in this record, "
            "so Compare, Correct, Export and Print summary wait: choose the pictures again on "
            "the timeline.")
