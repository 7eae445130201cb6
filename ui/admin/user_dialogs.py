"""The dialogs that add a user and change one's roles or printed name."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.security.roles import Role
from app.security.users import new_user_problem
from ui.look import named, note

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
