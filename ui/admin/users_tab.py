"""Who may log in, with what role: the users tab of the practice manager's area."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.security.roles import roles_in_words
from app.security.users import UserRow, UserService
from ui.admin.user_dialogs import FullNameDialog, NewUserDialog, RolesDialog
from ui.errors import in_plain_words
from ui.look import named, note, set_tone
from ui.tasks import Tasks


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
