"""The window's frame: menus with their shortcuts, the pages, and the status bar.

The frame decides nothing: it shows one page at a time and turns menu
choices into signals. Covering it with the lock page hides every picture
and patient detail at once, and uncovering returns to the page the person
was on, with whatever they had half done still in place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from clinfile.ui.lock_view import LockView
from clinfile.ui.login_view import LoginView
from clinfile.ui.look import ElidedLabel, named
from clinfile.ui.shortcuts_dialog import ShortcutsDialog, shortcut_rows
from clinfile.ui.welcome_view import WelcomeView


def with_shortcut(action: QAction, shortcut: QKeySequence | QKeySequence.StandardKey | str,
                  tip: str = "") -> QAction:
    """Give an action its shortcut, and say it in the tooltip too."""
    action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip or action.text().replace('&', '').rstrip('…')} ({keys})")
    return action


# The size the window opens at, when the screen has room for it.
FIRST_SIZE = QSize(1280, 800)


class MainWindow(QMainWindow):
    """The one main window.

    Signals:
        lock_requested: the person asked to lock now.
        log_out_requested: the person asked to log out.
        setup_requested: the person asked to set up a new vault.
        open_vault_requested: the person asked to open another vault.
        closing: the window is about to close; stop work and lock first.
    """

    lock_requested = Signal()
    log_out_requested = Signal()
    setup_requested = Signal()
    open_vault_requested = Signal()
    closing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clinfile")
        self.resize(FIRST_SIZE)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.welcome = WelcomeView()
        self.login = LoginView()
        self.lock_view = LockView()
        self._scrollers: dict[str, QScrollArea] = {}
        for name, view in (("welcome", self.welcome), ("login", self.login),
                           ("lock", self.lock_view)):
            self.add_page(name, view)
        self._covered_page = ""
        self._build_menus()
        self._build_status_bar()
        self.set_logged_in(False)

    # --- pages -------------------------------------------------------------------

    def add_page(self, name: str, view: QWidget) -> None:
        """Add a page the window can show by name, scrolled where the window is smaller.

        A page never sets the window's smallest size: one that needs more room
        than the screen has (the desk at 200 % on a laptop) scrolls instead, and
        a longer message on it never makes the window grow past the screen.
        """
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.viewport().setAutoFillBackground(False)
        scroller.setWidget(view)
        self._scrollers[name] = scroller
        self.pages.addWidget(scroller)

    def show_page(self, name: str) -> None:
        """Show one page."""
        self.pages.setCurrentWidget(self._scrollers[name])
        self.desk_action.setChecked(name == "desk")
        self.record_action.setChecked(name == "record")
        self.admin_action.setChecked(name == "admin")

    def current_page(self) -> str:
        """The name of the page on show."""
        current = self.pages.currentWidget()
        return next((name for name, scroller in self._scrollers.items()
                     if scroller is current), "")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Open no larger than the screen's free space, frame and all."""
        super().showEvent(event)
        room = self.screen().availableGeometry()
        frame = self.frameGeometry().size() - self.size()
        fitting = self.size().boundedTo(room.size() - frame)
        if fitting != self.size():
            self.resize(fitting)
        if not room.contains(self.frameGeometry()):
            self.move(room.topLeft())

    def cover(self, user: str, why: str) -> None:
        """Hide everything behind the lock page, remembering where the person was."""
        if self.current_page() != "lock":
            self._covered_page = self.current_page()
        self.lock_view.show_locked(user, why)
        self.show_page("lock")
        self.say("Locked: the drop folder will be watched again after unlocking.")
        self._set_menus_enabled(False)

    def uncover(self) -> None:
        """Return to the page the person was on before the lock."""
        self._set_menus_enabled(True)
        self.say("")
        self.show_page(self._covered_page or "desk")
        self._covered_page = ""

    @property
    def covered(self) -> bool:
        """Whether the lock page is covering the window."""
        return self.current_page() == "lock"

    # --- menus --------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.setup_action = file_menu.addAction("Set up a &new vault…")
        self.setup_action.triggered.connect(self.setup_requested)
        self.open_action = file_menu.addAction("&Open another vault…")
        self.open_action.triggered.connect(self.open_vault_requested)
        file_menu.addSeparator()
        self.lock_action = with_shortcut(QAction("&Lock now", self), "Ctrl+L",
                                         "Lock Clinfile and hide every picture")
        self.lock_action.triggered.connect(self.lock_requested)
        file_menu.addAction(self.lock_action)
        self.log_out_action = file_menu.addAction("Log &out")
        self.log_out_action.triggered.connect(self.log_out_requested)
        file_menu.addSeparator()
        quit_action = with_shortcut(QAction("&Quit", self), QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.file_menu = file_menu

        self.inbox_menu = bar.addMenu("&Inbox")
        self.add_files_action = with_shortcut(QAction("&Add pictures…", self), "Ctrl+O",
                                              "Add picture files to the inbox")
        self.import_device_action = with_shortcut(
            QAction("Import from &phone or camera…", self), "Ctrl+I",
            "Import photos from a phone or camera plugged in with its cable")
        self.stop_import_action = with_shortcut(QAction("&Stop the import", self), "Ctrl+.")
        self.refresh_action = with_shortcut(QAction("&Refresh", self), "F5")
        for action in (self.add_files_action, self.import_device_action,
                       self.stop_import_action, self.refresh_action):
            self.inbox_menu.addAction(action)
        self.filing_menu = bar.addMenu("Filin&g")
        self.find_patient_action = with_shortcut(QAction("&Find patient", self), "Ctrl+F")
        self.record_consent_action = with_shortcut(
            QAction("Record &consent…", self), "Ctrl+K",
            "Record what the patient agreed to, or print the consent form")
        self.file_action = with_shortcut(QAction("&File to the patient", self), "Ctrl+Return",
                                         "File the selected pictures to the chosen patient")
        self.file_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.export_action = with_shortcut(QAction("&Export the patient's pictures…", self),
                                           "Ctrl+E")
        self.export_instead_action = with_shortcut(
            QAction("&Export: a clinician exports pictures", self), "Ctrl+E",
            "What you can do instead of exporting")
        self.open_record_action = with_shortcut(
            QAction("Open the patient's &record", self), "Ctrl+R",
            "Look back at the chosen patient's pictures")
        for action in (self.find_patient_action, self.record_consent_action, self.file_action,
                       self.open_record_action):
            self.filing_menu.addAction(action)
        self.filing_menu.addSeparator()
        self.filing_menu.addAction(self.export_action)
        self.filing_menu.addAction(self.export_instead_action)

        view_menu = bar.addMenu("&View")
        self.desk_action = with_shortcut(QAction("&Filing desk", self), "Ctrl+1")
        self.desk_action.setCheckable(True)
        self.desk_action.triggered.connect(lambda: self.show_page("desk"))
        self.admin_action = with_shortcut(QAction("Practice &admin", self), "Ctrl+2")
        self.admin_action.setCheckable(True)
        self.admin_action.triggered.connect(lambda: self.show_page("admin"))
        self.record_action = with_shortcut(QAction("Patients' &records", self), "Ctrl+3",
                                           "Look back at a patient's pictures")
        self.record_action.setCheckable(True)
        view_menu.addAction(self.desk_action)
        view_menu.addAction(self.record_action)
        view_menu.addAction(self.admin_action)
        self.view_menu = view_menu

        help_menu = bar.addMenu("&Help")
        self.shortcuts_action = with_shortcut(QAction("&Keyboard shortcuts", self), "F1")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)
        self.shortcuts_dialog: ShortcutsDialog | None = None
        QApplication.instance().installEventFilter(self)

    def _menu_actions(self) -> list[QAction]:
        return [action for menu in self.menuBar().findChildren(QMenu)
                for action in menu.actions()]

    def show_shortcuts(self) -> None:
        """Show every key the window answers to now (Help › Keyboard shortcuts, F1)."""
        self.shortcuts_dialog = ShortcutsDialog(shortcut_rows(self._menu_actions()), self)
        self.shortcuts_dialog.finished.connect(self.shortcuts_dialog.deleteLater)
        self.shortcuts_dialog.open()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Let the window's own shortcuts win over a text box's editing keys.

        On Linux a text box takes Ctrl+E (end of line) and Ctrl+K (delete to
        the end) for itself, so Export and Record consent did nothing while
        the search box had the keyboard. A key that is one of this window's
        commands is the command, wherever the focus is in the window.
        """
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QWidget)
                and watched.window() is self and self._is_command(event)):
            event.ignore()
            return True
        return False

    def _is_command(self, event: QKeyEvent) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(action.isEnabled() and action.isVisible() and pressed in action.shortcuts()
                   for action in self._menu_actions())

    def _set_menus_enabled(self, enabled: bool) -> None:
        for menu in (self.inbox_menu, self.filing_menu, self.view_menu):
            menu.setEnabled(enabled)
        for action in (self.setup_action, self.open_action, self.lock_action):
            action.setEnabled(enabled)

    def set_logged_in(self, logged_in: bool, *, desk: bool = False, admin: bool = False,
                      export: bool = False) -> None:
        """Offer only what the person's roles allow: the desk, the administration, export.

        Nobody logged in sees the desk's menus greyed out; someone logged in
        sees only the menus of the places they may go.
        """
        for menu in (self.inbox_menu, self.filing_menu):
            menu.setEnabled(logged_in)
            menu.menuAction().setVisible(desk or not logged_in)
        self.lock_action.setEnabled(logged_in)
        self.log_out_action.setEnabled(logged_in)
        self.desk_action.setVisible(desk)
        self.desk_action.setEnabled(logged_in and desk)
        self.record_action.setVisible(desk)
        self.record_action.setEnabled(logged_in and desk)
        self.admin_action.setVisible(admin)
        self.admin_action.setEnabled(logged_in and admin)
        self.export_action.setVisible(export)
        self.export_instead_action.setVisible(not export)
        self.setup_action.setEnabled(not logged_in)
        self.open_action.setEnabled(not logged_in)

    # --- status bar ---------------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.who = named(QLabel(""), "Logged in as")
        self.where = named(QLabel(""), "Vault location")
        # What is going on matters more than where the vault is: the activity
        # takes the room, cut with … before the vault label (its whole text in
        # the tooltip), and the vault shows by its folder name (the full path
        # in its tooltip).
        self.activity = named(ElidedLabel(), "Import activity")
        self.statusBar().addWidget(self.who)
        self.statusBar().addWidget(self.activity, 1)
        self.statusBar().addPermanentWidget(self.where)

    def show_identity(self, who: str, vault: Path | None) -> None:
        """Say who is logged in to which vault (nobody, with no vault)."""
        self.who.setText(who)
        self.where.setText(f"Vault: {vault.name}" if vault else "")
        self.where.setToolTip(str(vault) if vault else "")

    def say(self, text: str) -> None:
        """Show a line about what is going on in the status bar."""
        self.activity.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Tell the controller to stop work and lock before the window goes."""
        self.closing.emit()
        super().closeEvent(event)
