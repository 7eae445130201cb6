"""Describing, consenting, filing and exporting: the second half of the desk.

The person describes the selected pictures, records or chooses the consent
they are filed on, and files them with one key. Every decision is the
core's: the filing service refuses a clinical photo without a basis the
practice accepts, the consent service refuses what a role may not record,
and the consent gate refuses an export the patient has not agreed to. This
controller shows those answers in plain words and, after a filing, makes
the summary PDF for the clinical record and moves the inbox on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from clinfile.app import clock
from clinfile.app.consent.deciders import expected_decider
from clinfile.app.consent.model import Consent
from clinfile.app.consent.rules import filing_basis_problem
from clinfile.app.consent.service import ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.desk.exports import ExportRequest, check_export, export_record
from clinfile.app.desk.forms import write_consent_form
from clinfile.app.desk.opening import OpenedDesk
from clinfile.app.filing.consents import consents_to_file_on
from clinfile.app.filing.model import ConsentBasis
from clinfile.app.filing.service import FilingError, FilingService, LeftTheInbox
from clinfile.app.filing.words import consent_people_words, consent_reach_words, consent_words
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.uses.gate import UseRefused
from clinfile.ui.admin.save_dialog import in_outbox
from clinfile.ui.desk.classify_panel import ClassifyPanel
from clinfile.ui.desk.consent_dialog import ConsentDialog
from clinfile.ui.desk.desk_view import DeskView
from clinfile.ui.desk.export_dialog import ExportDialog
from clinfile.ui.desk.file_panel import FilePanel
from clinfile.ui.desk.inbox_controller import InboxController
from clinfile.ui.desk.refusal_dialog import RefusalDialog
from clinfile.ui.errors import in_plain_words, report
from clinfile.ui.printing import ask_and_print, ask_and_save
from clinfile.ui.tasks import Tasks


def _pictures(count: int) -> str:
    return f"{count} picture{'s' if count != 1 else ''}"


class FilingController(QObject):
    """Classify, consent, File, and Export for one session.

    Signals:
        consent_recorded(object): a consent was recorded (the :class:`Consent`).
        filed(object): pictures were filed (the :class:`FiledEpisode`).
        summary_written(object): the summary PDF is in the outbox (the ``Written``).
        filing_refused(str): the core refused a filing; the reason in words.
        export_refused(object): the consent gate refused an export (the ``UseRefused``).
        exported(object): an export was written (the ``Written``).
    """

    consent_recorded = Signal(object)
    filed = Signal(object)
    summary_written = Signal(object)
    filing_refused = Signal(str)
    export_refused = Signal(object)
    exported = Signal(object)

    def __init__(self, tasks: Tasks, view: DeskView, inbox: InboxController,
                 say: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._view = view
        self._inbox = inbox
        self._say = say
        self.desk: OpenedDesk | None = None
        self.outbox = ""
        self.export_folder = ""
        self.classify = ClassifyPanel()
        self.file_panel = FilePanel()
        view.add_below_preview(self.classify)
        view.add_to_side(self.file_panel)
        self.selected: list[int] = []
        self.patient = None
        self._born = ""
        self._recorded_consents: list[Consent] = []
        self._consents: list[Consent] = []
        self.consent_dialog: ConsentDialog | None = None
        self.refusal_dialog: RefusalDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.classify.kind_changed.connect(lambda _kind: self._offer_consents())
        self.file_panel.consents.currentIndexChanged.connect(lambda _index: self._show_basis())
        self.file_panel.record_button.clicked.connect(self.record_consent)
        self.file_panel.file_button.clicked.connect(self.file_selection)
        self._show_basis()

    # --- the session ------------------------------------------------------------------

    def open(self, desk: OpenedDesk, outbox: str) -> None:
        """Serve a person who has just logged in."""
        self.desk = desk
        self.outbox = outbox
        self.classify.clear()
        self.file_panel.say("")

    def close(self) -> None:
        """The person logged out: forget what they typed and where they exported."""
        self.classify.clear()
        self.file_panel.say("")
        self.desk = None
        self.export_folder = ""

    def selection_changed(self, ids: list[int], source_kind: str) -> None:
        """New pictures selected: say how many go together, suggest their kind.

        What the panel said about the pictures before (filed, refused, what to
        do first) is not about these, so it goes.
        """
        if ids != self.selected:
            self.file_panel.say("")
        self.selected = ids
        if ids:
            self.classify.show_selection(ids, source_kind)
        self._show_basis()

    def patient_chosen(self, candidate, born: str) -> None:
        """The patient to file to changed: load their consents in a worker.

        What the panel said was about filing to the patient before (or to none),
        so it goes.
        """
        if candidate is not self.patient:
            self.file_panel.say("")
        self.patient = candidate
        self._born = born
        self._recorded_consents = []
        self._consents = []
        self.file_panel.show_consents([])
        self._show_basis()
        if candidate is not None and self.desk is not None:
            self._load_consents(candidate.patient.id)

    def _load_consents(self, patient_id: int, chosen: int | None = None) -> None:
        service = ConsentService(self.desk.session)
        self._tasks.run(service.for_patient, patient_id, owner=self._view).success(
            lambda consents: self._consents_loaded(patient_id, consents, chosen))

    def _consents_loaded(self, patient_id: int, consents: list[Consent],
                         chosen: int | None) -> None:
        if self.patient is None or self.patient.patient.id != patient_id:
            return
        self._recorded_consents = consents
        self._offer_consents(chosen)

    def _offer_consents(self, chosen: int | None = None) -> None:
        """Offer the patient's consents that a filing of the chosen kind may name."""
        chosen = chosen if chosen is not None else self.file_panel.chosen_consent
        policy = self.desk.policy if self.desk else None
        self._consents = consents_to_file_on(self.classify.chosen_kind, self._recorded_consents,
                                             today=clock.today(), policy=policy)
        self.file_panel.show_consents(self._consents, chosen)
        self._show_basis()

    def _chosen_consent(self) -> Consent | None:
        chosen = self.file_panel.chosen_consent
        return next((c for c in self._consents if c.id == chosen), None)

    def _show_basis(self) -> None:
        kind = self.classify.chosen_kind
        consent = self._chosen_consent()
        policy = self.desk.policy if self.desk else None
        problem = filing_basis_problem(kind, consent, today=clock.today(), policy=policy)
        if problem is not None:
            self.file_panel.show_basis(f"Needs consent: {problem}. Record it with Record "
                                       "consent (Ctrl+K).", "warning")
        elif consent is not None:
            self.file_panel.show_basis(f"Filed on the consent below, "
                                       f"{consent_people_words(consent)}; for "
                                       f"{consent_reach_words(consent)}.", "ok")
        else:
            self.file_panel.show_basis(
                f"Consent basis: {ConsentBasis.for_kind(kind).label}.", "ok")
        self.file_panel.file_button.setText(self._button_words())

    def _button_words(self) -> str:
        """What the File button would do now, in the words the banner above it agrees with."""
        if not self.selected:
            return "Select the pictures to file"
        if self.patient is None:
            return f"Choose the patient to file {_pictures(len(self.selected))}"
        return f"File {_pictures(len(self.selected))} to {self.patient.display_name}"

    # --- consent ----------------------------------------------------------------------

    def record_consent(self) -> None:
        """Open the consent dialog for the chosen patient and the selected pictures."""
        if not self._ready_for("record consent"):
            return
        dialog = self._consent_dialog(self.classify.chosen_kind)
        dialog.image_ids = frozenset(self.selected)
        dialog.open()

    def _consent_dialog(self, kind: ImageKind) -> ConsentDialog:
        expected = expected_decider(self.patient.patient.birth_date, clock.today())
        dialog = ConsentDialog(self.patient.display_name, self.patient.patient.id, kind,
                               self.desk.session.actor.printed_name, expected,
                               self._view.window())
        dialog.submitted.connect(lambda request, then: self._submitted(dialog, request, then))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_filing)
        self.consent_dialog = dialog
        return dialog

    def _submitted(self, dialog: ConsentDialog, request, then: str) -> None:
        if dialog.recorded is not None:
            self._after_recording(dialog, dialog.recorded, then)
            return
        service = ConsentService(self.desk.session)
        self._tasks.write(service.record, request, owner=self._view).success(
            lambda consent: self._recorded(dialog, consent, then)).failure(
            lambda error: dialog.show_refusal(in_plain_words(error)))

    def _recorded(self, dialog: ConsentDialog, consent: Consent, then: str) -> None:
        dialog.recorded = consent
        self.file_panel.say("")
        self._say(f"Consent recorded for {self._patient_words()}: {consent_words(consent)}.")
        self._load_consents(consent.patient_id, consent.id)
        self.consent_recorded.emit(consent)
        self._after_recording(dialog, consent, then)

    def _after_recording(self, dialog: ConsentDialog, consent: Consent, then: str) -> None:
        if not then:
            dialog.accept()
            return
        session = self.desk.session

        def make(path: Path) -> Path:
            return write_consent_form(session, consent.code, path)

        if then == "print":
            task = ask_and_print(dialog, self._tasks, make)
        else:
            suggested = in_outbox(self.outbox, f"consent-form-{consent.code}.pdf")
            task = ask_and_save(dialog, self._tasks, make, suggested)
        if task is None:
            dialog.show_done(f"Consent recorded (code {consent.code}); the form was not "
                             "printed yet.")
            return
        task.success(lambda _: self._form_done(dialog, consent, then)).failure(
            lambda error: dialog.show_refusal(in_plain_words(error)))

    def _form_done(self, dialog: ConsentDialog, consent: Consent, then: str) -> None:
        done = "sent to the printer" if then == "print" else "saved"
        self._say(f"The consent form {consent.code} for {self._patient_words()} was {done}. "
                  "When it comes back signed, photograph it into the drop folder.")
        dialog.accept()

    def _back_to_filing(self) -> None:
        """Return the keyboard to the desk, so the next key (Ctrl+Return) files."""
        window = self._view.window()
        window.activateWindow()
        self.file_panel.file_button.setFocus()

    # --- filing -----------------------------------------------------------------------

    def file_selection(self) -> None:
        """File the selected pictures to the chosen patient as one episode."""
        if not self._ready_for("file"):
            return
        request = self.classify.request(tuple(self.selected), self.patient.patient.id,
                                        self.file_panel.chosen_consent)
        words = (f"{_pictures(len(request.image_ids))} to {self._patient_words()} "
                 f"({self.classify.summary()})")
        self.file_panel.say(f"Filing {words}…")
        service = FilingService(self.desk.session)
        self._tasks.write(service.file, request, owner=self._view).success(
            lambda episode: self._filed(episode, words)).failure(self._not_filed)

    def _not_filed(self, error: BaseException) -> None:
        text = in_plain_words(error)
        if isinstance(error, LeftTheInbox):
            self._inbox.remove(list(error.image_ids))
            self._inbox.refresh()
        self.file_panel.say(text, "error")
        if isinstance(error, FilingError) and error.field:
            self.classify.point_to(error.field)
        self._say(text if text.startswith("Not filed") else f"Not filed: {text}")
        self.filing_refused.emit(text)

    def _filed(self, episode, words: str) -> None:
        """Move the inbox on to the next picture, then confirm the filing beside the button.

        The confirmation stays there only until the person selects other pictures.
        """
        ids = [image.image_id for image in episode.images]
        row = self._inbox.remove(ids)
        self.classify.clear()
        self.filed.emit(episode)
        self._inbox.refresh()
        self._view.inbox.select_row(min(row, self._inbox.model.rowCount() - 1))
        self._view.inbox.list.setFocus()
        confirmation = f"Filed {words} as one episode."
        self.file_panel.say(confirmation + " Making the summary PDF…", "ok")
        self._say(confirmation + " Making the summary PDF…")
        following = list(self.selected)
        outbox = Path(self.outbox) if self.outbox else None
        reports = ReportService(self.desk.session)
        self._tasks.run(reports.summary, Selection(image_ids=tuple(ids)), out=outbox,
            owner=self._view).success(
            lambda written: self._summarised(confirmation, written, following)).failure(
            lambda error: self._unsummarised(confirmation, error, following))

    def _summarised(self, confirmation: str, written, following: list[int]) -> None:
        names = ", ".join(path.name for path in written.paths)
        line = f"{confirmation} Summary PDF in the outbox: {names}."
        self._say_after_filing(line, "ok", following)
        self.summary_written.emit(written)

    def _unsummarised(self, confirmation: str, error: BaseException,
                      following: list[int]) -> None:
        line = f"{confirmation} The summary PDF was not made: {in_plain_words(error)}"
        self._say_after_filing(line, "warning", following)

    def _say_after_filing(self, line: str, tone: str, following: list[int]) -> None:
        """Say how a filing ended: beside the button only while nothing else was selected since."""
        if self.selected == following:
            self.file_panel.say(line, tone)
        self._say(line)

    # --- export -------------------------------------------------------------------------

    def export(self) -> None:
        """Ask what the chosen patient's pictures are for, then export them if allowed."""
        if self.desk is None:
            return
        if self.patient is None:
            self._say("Choose the patient whose pictures to export first (Ctrl+F).")
            return
        dialog = ExportDialog(self.patient.display_name, self._view.window())
        dialog.accepted.connect(lambda: self._export_chosen(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()

    def _export_chosen(self, dialog: ExportDialog) -> None:
        """Check the consent allows it first; only then ask where to."""
        patient_id = self.patient.patient.id
        purpose, recipient = dialog.chosen_purpose, dialog.chosen_recipient
        file_format = dialog.chosen_format
        self._tasks.run(check_export, self.desk.session, patient_id, purpose, recipient,
                        owner=self._view).success(
            lambda _allowed: self._ask_folder(
                lambda folder: ExportRequest(patient_id, purpose, recipient, file_format,
                                             folder))).failure(
            lambda error: self._export_failed(purpose, recipient, error))

    def _ask_folder(self, request_to: Callable[[Path], ExportRequest]) -> None:
        """Ask where to, starting in the folder used last, or else the outbox."""
        folder = QFileDialog.getExistingDirectory(self._view.window(),
                                                  "Choose a folder for the export",
                                                  self.export_folder or self.outbox)
        if not folder:
            return
        self.export_folder = folder
        self.export_to(request_to(Path(folder)))

    def export_to(self, request: ExportRequest) -> None:
        """Export the chosen patient's pictures as asked, or explain why they may not go."""
        self._tasks.run(export_record, self.desk.session, request, owner=self._view).success(
            self._exported).failure(
            lambda error: self._export_failed(request.purpose, request.recipient, error))

    def _exported(self, written) -> None:
        count = len(written.paths)
        self._say(f"Exported {count} file{'s' if count != 1 else ''} to "
                  f"{written.paths[0].parent}.")
        self.exported.emit(written)

    def _export_failed(self, purpose: Purpose, recipient: Recipient,
                       error: BaseException) -> None:
        if not isinstance(error, UseRefused):
            report(error, self._view.window(), "Not exported")
            return
        self._say(f"Not exported: {error.decision.reason}.")
        dialog = RefusalDialog(self.patient.display_name, purpose, error.decision,
                               self._view.window())
        dialog.form_requested.connect(lambda: self._form_for(purpose, recipient))
        dialog.finished.connect(dialog.deleteLater)
        self.refusal_dialog = dialog
        self.export_refused.emit(error)
        dialog.open()

    def _form_for(self, purpose: Purpose, recipient: Recipient) -> None:
        dialog = self._consent_dialog(ImageKind.CLINICAL_PHOTO)
        group = recipient.group or RecipientClass.SPECIALIST
        dialog.preset(Method.WRITTEN, {purpose}, {group})
        dialog.open()

    # --- helpers ----------------------------------------------------------------------

    def _ready_for(self, what: str) -> bool:
        if self.desk is None:
            return False
        if not self.selected and what == "file":
            self.file_panel.say("Select the pictures to file in the inbox first.", "warning")
            return False
        if self.patient is None:
            self.file_panel.say(f"Choose the patient first, then {what} (Ctrl+F finds them).",
                                "warning")
            return False
        return True

    def _patient_words(self) -> str:
        return f"{self.patient.display_name} (born {self._born})" if self.patient else ""

