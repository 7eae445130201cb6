"""The practice manager's area: users, the practice's settings, and care of the vault.

Every change goes through the same services as the command line, which
check the role and audit it; this view only shows and asks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.desk.first_run import check_working_folder
from app.desk.maintenance import back_up, verify
from app.desk.opening import OpenedDesk
from app.desk.workstation import WorkstationMemory
from app.patients.service import PatientService
from app.security.roles import Role, roles_in_words
from app.security.users import UserRow, UserService, new_user_problem
from app.settings import SettingsService
from ui.errors import in_plain_words
from ui.first_run_wizard import FolderField
from ui.idle import count_minutes
from ui.look import heading, named, note, primary, set_tone
from ui.patient_list_tab import PatientListTab
from ui.tasks import Tasks

ROLE_LABELS = {Role.RECEPTION: "&Reception: takes in and files what patients send",
               Role.CLINICIAN: "&Clinician: also files clinical photos and exports",
               Role.ADMIN: "&Admin: users, settings, audit, verify and back up"}


class RolesBox(QGroupBox):
    """One tick box per role; a person may hold several (a solo GP: admin and clinician)."""

    changed = Signal()

    def __init__(self, held: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__("Roles", parent)
        named(self, "Roles", "Tick every role the person holds")
        self.boxes: dict[Role, QCheckBox] = {}
        column = QVBoxLayout(self)
        for role, label in ROLE_LABELS.items():
            box = named(QCheckBox(label), f"Role {role}")
            box.setChecked(str(role) in held)
            box.toggled.connect(self.changed)
            self.boxes[role] = box
            column.addWidget(box)

    @property
    def chosen(self) -> list[str]:
        """The ticked roles' words."""
        return [str(role) for role, box in self.boxes.items() if box.isChecked()]


class NewUserDialog(QDialog):
    """Login name, full name, roles and first password (typed twice) of a new user.

    "Add user" stays greyed out, with the reason beside it, until the answers
    would make a user; the core checks them again when the user is added.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a user")
        self.name_edit = named(QLineEdit(), "New user's login name")
        self.full_name_edit = named(QLineEdit(), "New user's full name",
                                    "Printed on consent forms and summaries")
        self.full_name_edit.setPlaceholderText("as printed on forms, e.g. Dr Ana Silva")
        self.roles = RolesBox()
        self.password_edit = named(QLineEdit(), "New user's password")
        self.again_edit = named(QLineEdit(), "New user's password again")
        for edit in (self.password_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._check)
        self.message = named(note("", "warning"), "What is missing")
        form = QFormLayout(self)
        form.addRow("&Login name", self.name_edit)
        form.addRow("&Full name", self.full_name_edit)
        form.addRow(self.roles)
        form.addRow("&Password", self.password_edit)
        form.addRow("Password a&gain", self.again_edit)
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add user")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for edit in (self.name_edit, self.full_name_edit):
            edit.textChanged.connect(self._check)
        self.roles.changed.connect(self._check)
        self._check()

    def _check(self) -> None:
        problem = new_user_problem(self.name_edit.text(), self.full_name_edit.text(),
                                   self.roles.chosen, self.password_edit.text(),
                                   self.again_edit.text())
        self.message.setText(problem)
        self.add_button.setEnabled(not problem)


class RolesDialog(QDialog):
    """Which roles one user holds."""

    def __init__(self, name: str, held: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Roles of {name}")
        self.roles = RolesBox(held)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Save roles")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.roles)
        layout.addWidget(buttons)
        self.roles.changed.connect(lambda: self.save_button.setEnabled(bool(self.roles.chosen)))


class FullNameDialog(QDialog):
    """The name printed for a user on forms, summaries and the lock screen."""

    def __init__(self, name: str, full_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Full name of {name}")
        self.full_name_edit = named(QLineEdit(full_name), f"Full name of {name}",
                                    "Printed on consent forms and summaries")
        self.full_name_edit.setPlaceholderText("as printed on forms, e.g. Dr Ana Silva")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Save full name")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Full name", self.full_name_edit)
        form.addRow(buttons)


class UsersTab(QWidget):
    """Who may log in, with what role."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._service: UserService | None = None
        self._users: dict[str, UserRow] = {}
        self.table = named(QTableWidget(0, 5), "Users")
        self.table.setHorizontalHeaderLabels(["Login name", "Full name", "Roles", "State",
                                              "Password changed"])
        # Each column as wide as its heading and entries, the last taking the rest:
        # equal shares cut "Password changed" on a narrow window.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.add_button = named(QPushButton("Add a user…"), "Add a user")
        self.roles_button = named(QPushButton("Roles…"), "Change the selected user's roles")
        self.full_name_button = named(QPushButton("Full name…"),
                                      "Set the selected user's full name")
        self.disable_button = named(QPushButton("Disable"), "Disable the selected user")
        self.password_button = named(QPushButton("Set password…"),
                                     "Set the selected user's password")
        self.message = named(note(""), "Users message")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.roles_button, self.full_name_button,
                       self.disable_button, self.password_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self._add)
        self.roles_button.clicked.connect(self._change_roles)
        self.full_name_button.clicked.connect(self._change_full_name)
        self.disable_button.clicked.connect(self._disable)
        self.password_button.clicked.connect(self._set_password)

    def show_for(self, service: UserService) -> None:
        """Load the users of this session's vault."""
        self._service = service
        self.refresh()

    def refresh(self) -> None:
        """Read the users again."""
        self._tasks.run(self._service.list).success(self._show).failure(self._failed)

    def _show(self, users) -> None:
        self._users = {user.name: user for user in users}
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            cells = (user.name, user.full_name, roles_in_words(user.roles).capitalize(),
                     "Disabled" if user.disabled else "Active", user.password_changed_at[:10])
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _selected_name(self) -> str:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else ""

    def _add(self) -> None:
        dialog = NewUserDialog(self)
        self.add_dialog = dialog
        dialog.accepted.connect(lambda: self._add_from(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_table)
        dialog.open()

    def _add_from(self, dialog: NewUserDialog) -> None:
        name = dialog.name_edit.text().strip()
        self._tasks.write(self._service.add, name, dialog.roles.chosen,
                          dialog.password_edit.text(), dialog.full_name_edit.text()).success(
            lambda user: self._done(f"{user.full_name} can now log in as {user.name}, "
                                    f"as {roles_in_words(user.roles)}.")).failure(self._failed)

    def _change_roles(self) -> None:
        user = self._users.get(self._selected_name())
        if user is None:
            return
        dialog = RolesDialog(user.name, user.roles, self)
        self.roles_dialog = dialog
        dialog.accepted.connect(lambda: self._tasks.write(
            self._service.set_roles, user.name, dialog.roles.chosen).success(
            lambda changed: self._done(f"{changed.name} is now "
                                       f"{roles_in_words(changed.roles)}.")).failure(
            self._failed))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_table)
        dialog.open()

    def _change_full_name(self) -> None:
        user = self._users.get(self._selected_name())
        if user is None:
            return
        dialog = FullNameDialog(user.name, user.full_name, self)
        self.full_name_dialog = dialog
        dialog.accepted.connect(lambda: self._tasks.write(
            self._service.set_full_name, user.name, dialog.full_name_edit.text()).success(
            lambda changed: self._done(f"{changed.name} is printed as "
                                       f"{changed.full_name or changed.name}.")).failure(
            self._failed))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(self._back_to_table)
        dialog.open()

    def _back_to_table(self) -> None:
        """Return the keyboard to the window, so its shortcuts work again at once."""
        self.window().activateWindow()
        self.table.setFocus()

    def _disable(self) -> None:
        name = self._selected_name()
        if name:
            self._tasks.write(self._service.disable, name).success(
                lambda _: self._done(f"{name} can no longer log in.")).failure(self._failed)

    def _set_password(self) -> None:
        name = self._selected_name()
        if not name:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(f"New password for {name}")
        edit = named(QLineEdit(), f"New password for {name}")
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form = QFormLayout(dialog)
        form.addRow("New &password", edit)
        form.addRow(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._tasks.write(self._service.change_password, name, edit.text()).success(
                lambda _: self._done(f"{name}'s password was changed.")).failure(self._failed)

    def _done(self, text: str) -> None:
        self.message.setText(text)
        set_tone(self.message, "ok")
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")


class SettingsTab(QWidget):
    """The practice's policy, shared by every workstation, and this computer's folders.

    Signals:
        folders_changed(str, str): the drop folder and outbox for this computer.
        settings_saved(object): the practice settings as stored.
    """

    folders_changed = Signal(str, str)
    settings_saved = Signal(object)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._desk: OpenedDesk | None = None
        self.auto_lock = named(QSpinBox(), "Lock after minutes without use")
        self.auto_lock.setRange(1, 60)
        count_minutes(self.auto_lock)
        self.max_megabytes = named(QSpinBox(), "Largest file to take in, megabytes")
        self.max_megabytes.setRange(1, 2048)
        self.max_megabytes.setSuffix(" MB")
        self.max_megapixels = named(QSpinBox(), "Largest picture to take in, megapixels")
        self.max_megapixels.setRange(50, 500)
        self.max_megapixels.setSuffix(" megapixels")
        self.written = named(QCheckBox("Clinical photos need signed, written consent"),
                             "Require written consent for clinical photos")
        self.drop = FolderField(tasks, lambda p: check_working_folder(p, "drop folder"),
                                "Drop folder")
        self.outbox = FolderField(tasks, lambda p: check_working_folder(p, "outbox"), "Outbox")
        self.save_button = named(primary(QPushButton("Save settings")), "Save settings")
        self.message = named(note(""), "Settings message")
        form = QFormLayout(self)
        form.addRow(heading("The practice", 1.2))
        form.addRow("&Lock after", self.auto_lock)
        form.addRow("Largest &file", self.max_megabytes)
        form.addRow("Largest &picture", self.max_megapixels)
        form.addRow(self.written)
        form.addRow(heading("This computer", 1.2))
        form.addRow("&Drop folder", self.drop)
        form.addRow("&Outbox", self.outbox)
        form.addRow(self.save_button)
        form.addRow(self.message)
        self.save_button.clicked.connect(self._save)

    def show_for(self, desk: OpenedDesk, memory: WorkstationMemory) -> None:
        """Show the settings as they stand."""
        self._desk = desk
        self.auto_lock.setValue(desk.settings.auto_lock_minutes)
        self.max_megabytes.setValue(desk.settings.max_import_megabytes)
        self.max_megapixels.setValue(desk.settings.max_import_megapixels)
        self.written.setChecked(desk.policy.written_consent_for_clinical_photos)
        self.drop.edit.setText(memory.drop_folder)
        self.outbox.edit.setText(memory.outbox)

    def _save(self) -> None:
        session = self._desk.session
        values = {"auto_lock_minutes": self.auto_lock.value(),
                  "max_import_megabytes": self.max_megabytes.value(),
                  "max_import_megapixels": self.max_megapixels.value(),
                  "written_consent_for_clinical_photos": self.written.isChecked()}
        self._tasks.write(SettingsService(session).change, **values).success(
            self._saved).failure(self._failed)
        if self.drop.usable() and self.outbox.usable():
            self.folders_changed.emit(str(self.drop.path), str(self.outbox.path))

    def _saved(self, settings) -> None:
        self.message.setText("Saved.")
        set_tone(self.message, "ok")
        self.settings_saved.emit(settings)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(in_plain_words(error))
        set_tone(self.message, "error")


class VaultTab(QWidget):
    """Verify the vault and back it up."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._desk: OpenedDesk | None = None
        self.verify_button = named(QPushButton("Verify the vault"), "Verify the vault",
                                   "Checks every page, picture, audit entry and key")
        self.backup_button = named(QPushButton("Back up to a folder…"), "Back up the vault")
        self.report = named(QPlainTextEdit(), "Vault check results")
        self.report.setReadOnly(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.backup_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.report)
        self.verify_button.clicked.connect(self.verify)
        self.backup_button.clicked.connect(self._ask_backup)

    def show_for(self, desk: OpenedDesk) -> None:
        """Work on this session's vault."""
        self._desk = desk

    def verify(self) -> None:
        """Check the whole vault in a worker and show what was found."""
        self.report.setPlainText("Checking the vault…")
        self.verify_button.setEnabled(False)
        self._tasks.run(verify, self._desk.session).success(self._verified).failure(self._failed)

    def back_up_to(self, folder: Path) -> None:
        """Write an encrypted copy of the vault into ``folder``."""
        self.report.setPlainText(f"Backing up to {folder}…")
        self._tasks.run(back_up, self._desk.session, folder).success(
            lambda root: self.report.setPlainText(f"An encrypted copy was written to {root}."))\
            .failure(self._failed)

    def _ask_backup(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose an empty folder for the backup")
        if chosen:
            self.back_up_to(Path(chosen))

    def _verified(self, report) -> None:
        self.verify_button.setEnabled(True)
        if report.ok:
            self.report.setPlainText(f"All checks passed ({len(report.checked)} parts checked).")
        else:
            self.report.setPlainText("Problems found:\n" + "\n".join(
                f"• {problem}" for problem in report.problems))

    def _failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.report.setPlainText(in_plain_words(error))


class AdminView(QWidget):
    """Users, settings and the vault, in three tabs."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.users = UsersTab(tasks)
        self.settings = SettingsTab(tasks)
        self.vault = VaultTab(tasks)
        self.patients = PatientListTab(tasks)
        self.tabs.addTab(self.users, "&Users")
        self.tabs.addTab(self.patients, "&Patient list")
        self.tabs.addTab(self.settings, "&Settings")
        self.tabs.addTab(self.vault, "&Vault")
        named(self.tabs, "Practice administration")
        layout = QVBoxLayout(self)
        self.heading = heading("Practice administration", 1.4)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs)

    def show_for(self, desk: OpenedDesk, memory: WorkstationMemory) -> None:
        """Fill every tab for this admin's session."""
        self.users.show_for(UserService(desk.session))
        self.patients.show_for(PatientService(desk.session))
        self.settings.show_for(desk, memory)
        self.vault.show_for(desk)
