"""Who may log in, with what role, and the recovery key: the users tab."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.clock import local_time
from clinfile.app.desk.first_run import save_recovery_sheet
from clinfile.app.security.recovery import renew_recovery_key, reset_with_recovery_key
from clinfile.app.security.roles import roles_in_words
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserRow, UserService
from clinfile.ui.admin.forms import keys_back_to, open_form
from clinfile.ui.admin.save_dialog import ask_where_to_save
from clinfile.ui.admin.user_dialogs import (
    FullNameDialog,
    NewPasswordDialog,
    NewRecoveryKeyDialog,
    NewUserDialog,
    RecoveryResetDialog,
    RolesDialog,
)
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import named, note, set_tone, table
from clinfile.ui.printing import ask_and_print
from clinfile.ui.tasks import Tasks


def _say(dialog: NewRecoveryKeyDialog, text: str, tone: str) -> None:
    dialog.message.setText(text)
    set_tone(dialog.message, tone)


class UsersTab(QWidget):
    """Who may log in, with what role.

    Disabling someone or renewing the recovery key changes the vault's
    keys; ``keys_changed`` then says so, for the pictures to be re-keyed at once.
    """

    keys_changed = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._session: Session | None = None
        self._service: UserService | None = None
        self._users: dict[str, UserRow] = {}
        self.table = table(5, "Users")
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
        self.add_button = named(QPushButton("A&dd a user…"), "Add a user")
        self.roles_button = named(QPushButton("R&oles…"), "Change the selected user's roles")
        self.full_name_button = named(QPushButton("Full na&me…"),
                                      "Set the selected user's full name")
        self.disable_button = named(QPushButton("Disa&ble…"), "Disable the selected user")
        self.password_button = named(QPushButton("Set pass&word…"),
                                     "Set the selected user's password")
        self.enable_button = named(QPushButton("&Enable…"),
                                   "Let the selected disabled user log in again")
        self.reset_button = named(QPushButton("Reset with recovery &key…"),
                                  "Reset the selected user's password with the recovery key")
        self.renew_button = named(QPushButton("&New recovery key…"),
                                  "Replace the recovery key and its printed sheet")
        self.message = named(note(""), "Users message")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.roles_button, self.full_name_button,
                       self.disable_button, self.enable_button, self.password_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        recovery = QHBoxLayout()
        recovery.addWidget(self.reset_button)
        recovery.addWidget(self.renew_button)
        recovery.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addLayout(recovery)
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self._add)
        self.roles_button.clicked.connect(self._change_roles)
        self.full_name_button.clicked.connect(self._change_full_name)
        self.disable_button.clicked.connect(self._ask_disable)
        self.password_button.clicked.connect(self._set_password)
        self.enable_button.clicked.connect(self._enable)
        self.reset_button.clicked.connect(self._reset_with_key)
        self.renew_button.clicked.connect(self._ask_renew)

    def show_for(self, session: Session) -> None:
        """Load the users of this session's vault."""
        self._session = session
        self._service = UserService(session)
        self.refresh()

    def refresh(self) -> None:
        """Read the users again."""
        self._tasks.run(self._service.list, owner=self).success(self._show).failure(self._failed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Read the users again each time the tab is shown: some may have been added elsewhere."""
        super().showEvent(event)
        if self._service is not None:
            self.refresh()

    def _show(self, users) -> None:
        """Fill the table, keeping the person chosen before chosen still."""
        chosen = self._selected_name()
        self._users = {user.name: user for user in users}
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            cells = (user.name, user.full_name, roles_in_words(user.roles).capitalize(),
                     "Disabled" if user.disabled else "Active",
                     local_time(user.password_changed_at))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if user.name == chosen:
                self.table.selectRow(row)

    def _selected_name(self) -> str:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else ""

    def _add(self) -> None:
        dialog = NewUserDialog(self)
        self.add_dialog = open_form(dialog, self.table, lambda: self._add_from(dialog))

    def _add_from(self, dialog: NewUserDialog) -> None:
        name = dialog.name_edit.text().strip()
        self._tasks.write(self._service.add, name, dialog.roles.chosen,
                          dialog.password_edit.text(), dialog.full_name_edit.text(),
                              owner=self).success(
            lambda user: self._done(f"{user.full_name} can now log in as {user.name}, "
                                    f"as {roles_in_words(user.roles)}.")).failure(self._failed)

    def _change_roles(self) -> None:
        user = self._users.get(self._selected_name())
        if user is None:
            return
        dialog = RolesDialog(user.name, user.roles, self)
        self.roles_dialog = open_form(dialog, self.table, lambda: self._tasks.write(
            self._service.set_roles, user.name, dialog.roles.chosen, owner=self).success(
            lambda changed: self._done(f"{changed.name} is now "
                                       f"{roles_in_words(changed.roles)}.")).failure(
            self._failed))

    def _change_full_name(self) -> None:
        user = self._users.get(self._selected_name())
        if user is None:
            return
        dialog = FullNameDialog(user.name, user.full_name, self)
        self.full_name_dialog = open_form(dialog, self.table, lambda: self._tasks.write(
            self._service.set_full_name, user.name, dialog.full_name_edit.text(),
            owner=self).success(
            lambda changed: self._done(f"{changed.name} is printed as "
                                       f"{changed.full_name or changed.name}.")).failure(
            self._failed))

    def _ask_disable(self) -> None:
        name = self._selected_name()
        if not name:
            return
        self.disable_box = self._confirm(
            f"Disable {name}?",
            f"{name} will no longer be able to log in. Their pictures, consents and audit "
            "entries stay. An admin can let them back in later with Enable, which gives them "
            "a new password.",
            "Disable", lambda: self._tasks.write(self._service.disable, name, owner=self).success(
                lambda _: self._disabled(name)).failure(self._failed))

    def _disabled(self, name: str) -> None:
        self._done(f"{name} can no longer log in. The pictures are being re-keyed (see the "
                   "Vault tab), so a key file they kept opens nothing.")
        self.keys_changed.emit()

    def _reset_with_key(self) -> None:
        name = self._selected_name()
        if not name:
            return
        dialog = RecoveryResetDialog(name, self)
        self.reset_dialog = dialog
        dialog.reset_asked.connect(lambda: self._tasks.write(
            reset_with_recovery_key, self._session, dialog.key_edit.text(), name,
            dialog.password_edit.text(), owner=dialog).success(
            lambda _: self._reset_done(dialog, name)).failure(
            lambda error: dialog.failed(in_plain_words(error))))
        open_form(dialog, self.table)

    def _reset_done(self, dialog: RecoveryResetDialog, name: str) -> None:
        dialog.succeeded()
        self._done(f"{name} can log in with the new password.")

    def _ask_renew(self) -> None:
        self.renew_box = self._confirm(
            "Make a new recovery key?",
            "The printed recovery sheet will stop working at once. Do this when the sheet is "
            "lost or someone may have seen it, and have paper ready for the new one.",
            "Make a new key", lambda: self._tasks.write(
                renew_recovery_key, self._session, owner=self).success(self._show_new_key)
            .failure(self._failed))

    def _show_new_key(self, key: str) -> None:
        self._done("A new recovery key was made; the old sheet no longer works.")
        self.keys_changed.emit()
        dialog = NewRecoveryKeyDialog(key, self)
        self.new_key_dialog = dialog
        vault = self._session.vault
        dialog.save_asked.connect(lambda: self._save_sheet(dialog, vault, key))
        dialog.print_asked.connect(lambda: self._print_sheet(dialog, vault, key))
        open_form(dialog, self.table)

    def _save_sheet(self, dialog: NewRecoveryKeyDialog, vault, key: str) -> None:
        dialog.sheet_dialog = ask_where_to_save(
            dialog, "Save the recovery sheet", Path.home() / "Clinfile recovery sheet.pdf",
            "PDF documents (*.pdf)", lambda path: self._tasks.run(
                save_recovery_sheet, vault, key, path, owner=dialog).success(
                lambda saved: _say(dialog, f"Saved to {saved}. Print it, then delete the file.",
                                   "ok")).failure(
                lambda error: _say(dialog, in_plain_words(error), "error")))
        dialog.sheet_dialog.finished.connect(dialog.activateWindow)

    def _print_sheet(self, dialog: NewRecoveryKeyDialog, vault, key: str) -> None:
        task = ask_and_print(dialog, self._tasks,
                             lambda path: save_recovery_sheet(vault, key, path))
        if task is not None:
            task.success(lambda _: _say(dialog, "The recovery sheet was sent to the printer.",
                                        "ok")).failure(
                lambda error: _say(dialog, in_plain_words(error), "error"))

    def _confirm(self, title: str, text: str, yes: str, then) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Cancel, self)
        go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: then() if button is go else None)
        box.finished.connect(lambda _result: keys_back_to(self.table))
        box.open()
        return box

    def _set_password(self) -> None:
        user = self._users.get(self._selected_name())
        if user is None:
            return
        dialog = NewPasswordDialog(_person(user), enabling=False, parent=self)
        self.password_dialog = open_form(dialog, self.table, lambda: self._tasks.write(
            self._service.change_password, user.name, dialog.password_edit.text(),
            owner=self).success(
            lambda _: self._done(f"{_person(user)} has a new password.")).failure(
            self._failed))

    def _enable(self) -> None:
        user = self._users.get(self._selected_name())
        if user is None:
            return
        if not user.disabled:
            self._failed_words(f"{_person(user)} is not disabled; nothing to enable.")
            return
        dialog = NewPasswordDialog(_person(user), enabling=True, parent=self)
        self.enable_dialog = open_form(dialog, self.table, lambda: self._tasks.write(
            self._service.enable, user.name, dialog.password_edit.text(),
            owner=self).success(
            lambda _: self._done(f"{_person(user)} can log in again, with the new password."))
            .failure(self._failed))

    def _done(self, text: str) -> None:
        self.message.setText(text)
        set_tone(self.message, "ok")
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self._failed_words(in_plain_words(error))

    def _failed_words(self, text: str) -> None:
        self.message.setText(text)
        set_tone(self.message, "error")


def _person(user: UserRow) -> str:
    """A user as a practice manager knows them: full name, then the login name."""
    return f"{user.full_name} ({user.name})" if user.full_name else user.name
