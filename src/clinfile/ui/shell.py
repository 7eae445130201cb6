"""The controller of the window: who is logged in, which page shows, when to lock.

It takes the views' requests, runs the app services through :class:`Tasks`
and shows what came back. It holds the person's session; the views never do.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from clinfile.app.desk.first_run import NewPractice, PracticeSetup, set_up_practice
from clinfile.app.desk.opening import OpenedDesk, desk_for, open_desk
from clinfile.app.desk.pictures import files_waiting
from clinfile.app.desk.workstation import WorkstationMemory, WorkstationStore
from clinfile.app.ingest.devices import DeletionPolicy
from clinfile.app.security.roles import INSTEAD, Permission, roles_in_words
from clinfile.app.security.session import Standing
from clinfile.app.vault.errors import DisabledMeanwhile, KeysChanged, VaultLocked
from clinfile.app.vault.layout import VaultLayout
from clinfile.ui.admin.view import AdminView
from clinfile.ui.desk.desk_controller import DeskController
from clinfile.ui.desk.desk_view import DeskView
from clinfile.ui.desk.device_dialog import DeviceDialog
from clinfile.ui.errors import UncaughtErrors, in_plain_words, report
from clinfile.ui.first_run_wizard import FirstRunWizard
from clinfile.ui.idle import IdleWatch, minutes_words
from clinfile.ui.main_window import MainWindow
from clinfile.ui.record.archive import ArchiveController
from clinfile.ui.record.record_controller import RecordController
from clinfile.ui.record.record_view import RecordView
from clinfile.ui.tasks import Tasks

IDLE_REASON = "Clinfile locked itself because nobody used it for {minutes}."
HAND_REASON = "Clinfile was locked."


def _vault_exists(folder: str) -> bool:
    return bool(folder) and VaultLayout(Path(folder)).index.is_file()


class Shell(QObject):
    """Runs the window for one workstation.

    Signals:
        desk_opened: someone logged in and the desk is showing.
        locked: the window is covered and the vault key dropped.
        unlocked: the same person unlocked and is back where they were.
        ready: the first page is showing (start-up finished).
    """

    desk_opened = Signal()
    locked = Signal()
    unlocked = Signal()
    ready = Signal()

    def __init__(self, store: WorkstationStore | None = None, *,
                 clock: Callable[[], float] = time.monotonic, idle_check_ms: int = 1000,
                 device_roots: list[Path] | None = None, waiting_check_ms: int = 2000,
                 vault_watch_ms: int = 2000, parent: QObject | None = None) -> None:
        """Run the window for ``store``'s workstation.

        Args:
            store: what this computer remembers (which vault, who logged in last).
            clock: the idle watch's clock; tests move it on by hand.
            idle_check_ms: how often the idle watch looks at the clock.
            device_roots: where phones and cameras are mounted (None: where this
                system mounts them); tests point it at a pretend phone.
            waiting_check_ms: how often the lock screen counts the drop folder's files.
            vault_watch_ms: how often, while someone is logged in, the window looks
                whether they were disabled elsewhere or the vault changed elsewhere.
            parent: the Qt parent.
        """
        super().__init__(parent)
        self.store = store or WorkstationStore()
        self.tasks = Tasks(self)
        self.window = MainWindow()
        self.inbox_model = QStandardItemModel(self)
        self.desk_view = DeskView(self.inbox_model)
        self.window.add_page("desk", self.desk_view)
        self.desk_controller = DeskController(self.tasks, self.desk_view, self.window.say, self)
        self.record_view = RecordView()
        self.window.add_page("record", self.record_view)
        self.record = RecordController(self.tasks, self.record_view, self.window.say, self)
        self.archive = ArchiveController(self.tasks, self.record, self.window.say, self)
        self.admin = AdminView(self.tasks)
        self.window.add_page("admin", self.admin)
        self.idle = IdleWatch(clock, check_every_ms=idle_check_ms, parent=self)
        self.errors = UncaughtErrors(self)
        self.memory = WorkstationMemory()
        self.desk: OpenedDesk | None = None
        self.wizard: FirstRunWizard | None = None
        self.device_roots = device_roots
        # libgphoto2 ports to ask for phones on (None: every USB port, where roots are None).
        self.device_ports: list[str] | None = None
        self.device_dialog: DeviceDialog | None = None
        self._hidden_dialogs: list[QWidget] = []
        self._waiting_check = QTimer(self)
        self._waiting_check.setInterval(waiting_check_ms)
        self._waiting_check.timeout.connect(self._count_waiting)
        self._vault_watch = QTimer(self)
        self._vault_watch.setInterval(vault_watch_ms)
        self._vault_watch.timeout.connect(self._watch_vault)
        self._last_act: tuple[int, int] | None = None
        self._connect()

    def _connect(self) -> None:
        w = self.window
        self.tasks.error_unhandled.connect(self._unhandled)
        self.tasks.vault_locked.connect(self._found_locked)
        self.errors.error_caught.connect(lambda error: report(error, self.window))
        w.welcome.setup_requested.connect(self.start_setup)
        w.setup_requested.connect(self.start_setup)
        w.welcome.open_requested.connect(self._ask_for_vault)
        w.open_vault_requested.connect(self._ask_for_vault)
        w.login.change_vault_requested.connect(self._ask_for_vault)
        w.login.unlock_requested.connect(self.log_in)
        w.lock_view.unlock_requested.connect(self.unlock)
        w.lock_view.log_out_requested.connect(self.log_out)
        w.lock_requested.connect(lambda: self.lock(HAND_REASON, "by hand"))
        w.log_out_requested.connect(self.log_out)
        w.closing.connect(self._closing)
        self.idle.idled.connect(self._idled)
        self.idle.active.connect(self._activity)
        self.admin.settings.folders_changed.connect(self._folders_changed)
        self.admin.settings.settings_saved.connect(self._settings_saved)
        w.add_files_action.triggered.connect(self._ask_for_files)
        w.import_device_action.triggered.connect(self.import_from_device)
        w.stop_import_action.triggered.connect(self.desk_controller.inbox.cancel_import)
        w.refresh_action.triggered.connect(self.desk_controller.inbox.refresh)
        w.find_patient_action.triggered.connect(self._find_patient)
        w.record_action.triggered.connect(self.show_records)
        w.open_record_action.triggered.connect(self.open_chosen_record)
        self.record.commands.consent_wanted.connect(self._consent_at_desk)
        self.desk_controller.filing.filed.connect(lambda _episode: self.record.refresh_today())
        filing = self.desk_controller.filing
        w.record_consent_action.triggered.connect(filing.record_consent)
        w.file_action.triggered.connect(filing.file_selection)
        w.export_action.triggered.connect(filing.export)
        w.export_instead_action.triggered.connect(
            lambda: self.window.say(INSTEAD[Permission.EXPORT_IMAGES]))
        for button, action in ((filing.file_panel.file_button, w.file_action),
                               (filing.file_panel.record_button, w.record_consent_action)):
            button.setToolTip(action.toolTip())

    # --- starting -----------------------------------------------------------------

    def start(self) -> None:
        """Show the window and find out, off the GUI thread, which vault this computer uses."""
        self.errors.install()
        self.window.show()
        self.window.say("Starting…")

        def recall() -> tuple[WorkstationMemory, bool]:
            memory = self.store.load()
            return memory, _vault_exists(memory.vault)

        self.tasks.run(recall, owner=self.window).success(self._recalled)

    def _recalled(self, found: tuple[WorkstationMemory, bool]) -> None:
        self.memory, exists = found
        self.window.say("")
        if exists:
            self._show_login()
        else:
            self.window.show_page("welcome")
            self.window.welcome.setup_button.setFocus()
        self.ready.emit()

    def _show_login(self) -> None:
        self.window.login.show_vault(self.memory.vault, self.memory.user)
        self.window.show_page("login")

    def _ask_for_vault(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self.window, "Choose the vault folder")
        if chosen:
            self.choose_vault(Path(chosen))

    def choose_vault(self, folder: Path) -> None:
        """Open the login page for the vault in ``folder``, if there is one."""
        self.tasks.run(_vault_exists, str(folder), owner=self.window).success(
            lambda exists: self._chosen(folder, exists))

    def _chosen(self, folder: Path, exists: bool) -> None:
        if not exists:
            self.window.say(f"There is no Clinfile vault in {folder}.")
            return
        self.memory = replace(self.memory, vault=str(folder), user="")
        self._show_login()

    # --- first run ----------------------------------------------------------------

    def start_setup(self) -> None:
        """Open the first-run wizard."""
        self.wizard = FirstRunWizard(self.tasks, set_up_practice, self.window)
        self.wizard.practice_created.connect(self._practice_created)
        self.wizard.open()

    def _practice_created(self, practice: NewPractice, setup: PracticeSetup) -> None:
        self._remember(vault=str(setup.vault), user=setup.admin,
                       drop_folder=str(setup.drop_folder), outbox=str(setup.outbox))
        self.tasks.run(desk_for, practice.session, owner=self.window).success(self._enter)

    # --- logging in, locking ------------------------------------------------------

    def log_in(self, user: str, password: str) -> None:
        """Unlock the vault as ``user`` in a worker (the key derivation takes a moment)."""
        self.tasks.write(open_desk, Path(self.memory.vault), user, password,
            owner=self.window).success(
            self._logged_in).failure(
            lambda error: self.window.login.show_refusal(in_plain_words(error)))

    def _logged_in(self, desk: OpenedDesk) -> None:
        self._remember(vault=self.memory.vault, user=desk.session.actor.name)
        self._enter(desk)

    @property
    def at_desk(self) -> bool:
        """Whether the person logged in works at the desk: their roles let them see images."""
        return self.desk is not None and self.desk.session.may(Permission.VIEW_IMAGES)

    def _enter(self, desk: OpenedDesk) -> None:
        """Open what the person's roles allow: the desk, the administration, or both."""
        self.desk = desk
        session, actor = desk.session, desk.session.actor
        administers = session.may(Permission.MANAGE_USERS)
        self.window.set_logged_in(True, desk=self.at_desk, admin=administers,
                                  export=session.may(Permission.EXPORT_IMAGES))
        self.window.show_identity(f"{actor.printed_name} ({roles_in_words(actor.roles)})",
                                  session.vault.layout.root)
        if administers:
            self.admin.show_for(desk, self.memory)
        if self.at_desk:
            self.window.show_page("desk")
            self.desk_controller.open(desk, self.memory.drop_folder, self.memory.outbox)
            self.record.open(desk, self.memory.outbox)
        else:
            self.window.show_page("admin")
        self.idle.start(desk.settings.auto_lock_minutes * 60)
        self._start_watching()
        # Everything alive now (the widgets' wrappers, the modules, the session)
        # lives as long as the window. Freezing it keeps Python's collector from
        # walking it all again, which otherwise held the window up for ~70 ms
        # in the middle of an import.
        gc.freeze()
        self.desk_opened.emit()

    def _activity(self) -> None:
        if self.desk is not None and not self.window.covered:
            self.desk.session.touch()

    def _idled(self) -> None:
        minutes = self.desk.settings.auto_lock_minutes if self.desk else 0
        self.lock(IDLE_REASON.format(minutes=minutes_words(minutes)), "idle")

    def lock(self, why: str, reason: str) -> None:
        """Cover the window at once, hide open dialogs, then drop the key in a worker."""
        if self.desk is None or self.window.covered:
            return
        self.idle.stop()
        self._vault_watch.stop()
        self.desk_controller.pause()
        self.record.pause()
        self._hide_dialogs()
        self.window.cover(self.desk.session.actor.printed_name, why)
        self.tasks.write(self.desk.session.lock, reason=reason, owner=self.window)
        if self.at_desk:
            self._waiting_check.start()
            self._count_waiting()
        self.locked.emit()

    def _count_waiting(self) -> None:
        if not shiboken6.isValid(self.desk_view):
            self._waiting_check.stop()  # the window closed while locked: nobody to tell
            return
        refused = self.desk_view.inbox.quarantine.refused_paths()
        self.tasks.run(files_waiting, self.memory.drop_folder, refused,
                       owner=self.window.lock_view).success(self._show_waiting)

    def _show_waiting(self, count: int) -> None:
        """Show the count only while still locked: it may arrive after unlocking or closing."""
        if self._waiting_check.isActive():
            self.window.lock_view.show_waiting(count)

    def unlock(self, password: str) -> None:
        """Check the password in a worker; on success return to where the person was."""
        self.tasks.write(self.desk.session.unlock, password, owner=self.window).success(
            lambda _: self._unlocked()).failure(
            lambda error: self.window.lock_view.show_refusal(in_plain_words(error)))

    def _unlocked(self) -> None:
        self._waiting_check.stop()
        self.window.uncover()
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        self.idle.start(self.desk.settings.auto_lock_minutes * 60)
        self._start_watching()
        if self.at_desk:
            self.desk_controller.resume()
            self.record.resume()
        self.unlocked.emit()

    def log_out(self, reason: str = "logged out") -> None:
        """End the session; the next person logs in with their own password."""
        desk, self.desk = self.desk, None
        self.idle.stop()
        self._waiting_check.stop()
        self._vault_watch.stop()
        self._hide_dialogs()
        self.desk_controller.close()
        self.record.close()
        self.archive.close()
        for dialog in self._hidden_dialogs:
            dialog.close()
        self._hidden_dialogs = []
        if desk is not None:
            self.tasks.write(desk.session.lock, reason=reason, owner=self.window)
        self.window.set_logged_in(False)
        self.window.show_identity("", None)
        self.window.say("")
        self._show_login()

    def _hide_dialogs(self) -> None:
        for widget in self.window.findChildren(QDialog):
            if widget.isVisible():
                widget.hide()
                self._hidden_dialogs.append(widget)

    def _unhandled(self, error: BaseException) -> None:
        if isinstance(error, VaultLocked):
            return  # the window has heard of it already, through Tasks.vault_locked
        report(error, self.window)

    # --- the vault changed elsewhere ----------------------------------------------

    def _found_locked(self, error: VaultLocked) -> None:
        """Cover the window at once, then find out whether the person was disabled.

        Work still under way when the person locked or logged out meets the
        locked vault: only its answer is lost, and there is nothing to say.
        Otherwise the vault locked under the person (the keys were changed
        elsewhere): every patient's data is hidden before anything else, and
        the key file then says whether they may unlock again or were shut out.
        """
        if self.desk is None:
            return
        self.lock(str(error) if isinstance(error, KeysChanged) else HAND_REASON, "locked")
        self.tasks.run(self.desk.session.standing, owner=self.window).success(self._stood)

    def _start_watching(self) -> None:
        self._last_act = None
        self._vault_watch.start()
        self._watch_vault()

    def _watch_vault(self) -> None:
        """Look, without the key, whether the person was disabled or the vault changed elsewhere."""
        if self.desk is None or self.window.covered:
            return
        self.tasks.run(self.desk.session.standing, owner=self.window).success(self._stood)
        if not self.at_desk:
            self.tasks.run(files_waiting, self.memory.drop_folder,
                           owner=self.admin).success(self.admin.show_waiting)

    def _stood(self, standing: Standing) -> None:
        if self.desk is None:
            return
        if standing.shut_out:
            self._shut_out()
            return
        if self.window.covered:
            return
        if self._last_act is not None and standing.last_act != self._last_act:
            self.admin.vault_changed()
        self._last_act = standing.last_act

    def _shut_out(self) -> None:
        """The person was disabled elsewhere: hide everything, and say so on the log-in page."""
        self.log_out("disabled by an admin")
        self.window.login.show_refusal(str(DisabledMeanwhile()))

    # --- settings and memory ------------------------------------------------------

    def _remember(self, **changes: str) -> None:
        self.memory = replace(self.memory, **changes)
        self.tasks.run(self.store.remember, **changes, owner=self.window)

    def _folders_changed(self, drop_folder: str, outbox: str) -> None:
        self._remember(drop_folder=drop_folder, outbox=outbox)
        self.desk_controller.drop_folder = drop_folder
        self.desk_controller.filing.outbox = outbox
        self.record.commands.outbox = outbox
        self.desk_controller.inbox.watch(drop_folder)

    def _find_patient(self) -> None:
        self.window.show_page("desk")
        self.desk_controller.panel.search_edit.setFocus()
        self.desk_controller.panel.search_edit.selectAll()

    def show_records(self) -> None:
        """Show the patients' records page, ready to find a patient if none is open."""
        self.window.show_page("record")
        if self.record.record is None:
            self.record.find()
        else:
            self.record_view.timeline.setFocus()

    def open_chosen_record(self) -> None:
        """Open the record of the patient chosen on the desk (or find one, if none is)."""
        self.window.show_page("record")
        chosen = self.desk_controller.patient
        if chosen is None:
            self.record.find()
        else:
            self.record.open_patient(chosen.patient.id)

    def _consent_at_desk(self, purpose) -> None:
        """Consent is recorded at the desk: take the person there, saying what to do."""
        name = self.record.record.name if self.record.record else "the patient"
        self.window.show_page("desk")
        self._find_patient()
        self.window.say(f"Find {name}, then record their consent for {purpose.label} "
                        "or print its form (Ctrl+K).")

    def _ask_for_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self.window, "Add pictures to the inbox")
        if chosen:
            self.desk_controller.import_files([Path(name) for name in chosen])

    def import_from_device(self) -> None:
        """Open the phone-or-camera dialog; it reads the practice's deletion setting afresh."""
        if self.desk is None:
            return
        if self.device_dialog is None:
            self.device_dialog = DeviceDialog(self.tasks, self.desk_controller.inbox,
                                              self.window.say, roots=self.device_roots,
                                              parent=self.window)
        self.device_dialog.ports = self.device_ports
        self.device_dialog.start()

    def _settings_saved(self, settings) -> None:
        if self.device_dialog is not None:
            self.device_dialog.show_policy(DeletionPolicy(settings.device_deletion))
        if self.desk is not None:
            self.desk = OpenedDesk(self.desk.session, settings)
            if self.desk_controller.desk is not None:
                self.desk_controller.follow(self.desk)
            self.desk.session.idle_seconds = settings.auto_lock_minutes * 60
            self.idle.start(settings.auto_lock_minutes * 60)

    def _closing(self) -> None:
        self.idle.stop()
        self._waiting_check.stop()
        self._vault_watch.stop()
        self.desk_controller.pause()
        if self.desk is not None:
            self.tasks.write(self.desk.session.lock, reason="window closed", owner=self.window)
        self.tasks.wait_for_all()
        self.errors.uninstall()
