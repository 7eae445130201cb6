"""The dialogs that add a user, change one's roles or printed name, and use the recovery key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.security.roles import Role
from clinfile.app.security.users import new_password_problem, new_user_problem
from clinfile.app.vault.recovery import RecoveryKeyMistyped, normalise
from clinfile.ui.look import named, note, scaled, set_tone

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


class NewPasswordDialog(QDialog):
    """A new password for one named person, typed twice, as when the user was added.

    The same form sets a password and lets a disabled user back in; its
    title, its first line and its button say which, and whose.
    """

    def __init__(self, person: str, *, enabling: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Let {person} back in" if enabling
                            else f"New password for {person}")
        self.whose = named(note(
            f"{person} is disabled. With a new password they can log in again." if enabling
            else f"The new password is for {person}."), "Whose password")
        self.password_edit = named(QLineEdit(), f"New password for {person}")
        self.again_edit = named(QLineEdit(), f"New password for {person} again")
        for edit in (self.password_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._check)
        self.message = named(note("", "warning"), "What is missing")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Let them back in" if enabling else "Set the password")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.whose)
        form.addRow("New &password", self.password_edit)
        form.addRow("Password a&gain", self.again_edit)
        form.addRow(self.message)
        form.addRow(buttons)
        self._check()

    def _check(self) -> None:
        problem = new_password_problem(self.password_edit.text(), self.again_edit.text())
        self.message.setText(problem)
        self.save_button.setEnabled(not problem)


class RecoveryResetDialog(QDialog):
    """The printed recovery key and a new password, typed twice, for one user.

    "Reset password" stays greyed out, with the reason beside it, until the
    key is typed without a mistake and the password would do. Whether the key
    opens this vault is known only once it is tried, so the dialog stays open
    until then: a wrong key is said here, and what was typed is kept to correct.

    Signals:
        reset_asked: the person pressed "Reset password"; answer with
            ``succeeded`` or ``failed``.
    """

    reset_asked = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reset the password of {name}")
        self.key_edit = named(QLineEdit(), "Recovery key",
                              "As printed on the recovery sheet; case and dashes do not matter")
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        _fit_whole_key(self.key_edit)
        self.password_edit = named(QLineEdit(), f"New password for {name}")
        self.again_edit = named(QLineEdit(), f"New password for {name} again")
        for edit in (self.password_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._check)
        self.message = named(note("", "warning"), "What is missing")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.reset_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.reset_button.setText("Reset password")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(note("Type the key from the recovery sheet kept in the practice's safe. "
                         f"{name} can log in with the new password at once, even if disabled."))
        form.addRow("Recovery &key", self.key_edit)
        form.addRow("New &password", self.password_edit)
        form.addRow("Password a&gain", self.again_edit)
        form.addRow(self.message)
        form.addRow(buttons)
        self.key_edit.textChanged.connect(self._check)
        self._trying = False
        self._check()

    def accept(self) -> None:
        """Ask for the reset, and stay open until it is known to have worked."""
        if self._trying or not self.reset_button.isEnabled():
            return
        self._trying = True
        self.message.setText("Trying the recovery key…")
        set_tone(self.message, "")
        self.reset_button.setEnabled(False)
        self.reset_asked.emit()

    def reject(self) -> None:
        """Cancel, but not while the key is being tried: its answer must be seen."""
        if not self._trying:
            super().reject()

    def succeeded(self) -> None:
        """The password was reset: close."""
        self._trying = False
        super().accept()

    def failed(self, text: str) -> None:
        """Say why the reset was refused, keeping everything typed."""
        self._trying = False
        self._check()
        self.message.setText(text)
        set_tone(self.message, "error")
        self.key_edit.setFocus()

    def _check(self) -> None:
        problem = (_key_problem(self.key_edit.text())
                   or new_password_problem(self.password_edit.text(), self.again_edit.text()))
        self.message.setText(problem)
        set_tone(self.message, "warning")
        self.reset_button.setEnabled(not problem and not self._trying)


def _key_problem(typed: str) -> str:
    """What is wrong with a typed recovery key, caught before the slow try."""
    if not typed.strip():
        return "Type the recovery key."
    try:
        normalise(typed)
    except RecoveryKeyMistyped as mistake:
        return str(mistake)
    return ""


def _fit_whole_key(edit: QLineEdit) -> None:
    """Write the key in fixed-width letters, with room for all of it and its dashes."""
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    widest = edit.fontMetrics().horizontalAdvance("W" * len(edit.placeholderText()))
    edit.setMinimumWidth(widest + 4 * edit.fontMetrics().averageCharWidth())


class NewRecoveryKeyDialog(QDialog):
    """The new recovery key, shown this once, with its sheet to print or save.

    Signals:
        print_asked, save_asked: the person wants the sheet printed or saved as PDF.
    """

    print_asked = Signal()
    save_asked = Signal()

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("The new recovery key")
        self.key_label = named(QLabel(key), "New recovery key")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setWeight(QFont.Weight.Bold)
        self.key_label.setFont(mono)
        scaled(self.key_label, 1.4, bold=True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = named(QPushButton("&Print the recovery sheet…"),
                                  "Print the recovery sheet")
        self.save_button = named(QPushButton("&Save the sheet as PDF…"),
                                 "Save the recovery sheet as PDF")
        self.message = named(note(""), "Recovery sheet result")
        self.kept = named(QCheckBox("I have printed the sheet or written the key down, and "
                                    "will keep it &locked away from this computer"),
                          "Recovery key kept safe")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setEnabled(False)
        buttons.rejected.connect(self.reject)
        sheet = QHBoxLayout()
        sheet.addWidget(self.print_button)
        sheet.addWidget(self.save_button)
        sheet.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note("The old recovery sheet no longer opens the vault; destroy it. "
                              "This is the new key, shown only now:", "warning"))
        layout.addWidget(self.key_label)
        layout.addLayout(sheet)
        layout.addWidget(self.message)
        layout.addWidget(self.kept)
        layout.addWidget(buttons)
        self.kept.toggled.connect(self.close_button.setEnabled)
        self.print_button.clicked.connect(self.print_asked)
        self.save_button.clicked.connect(self.save_asked)

    def reject(self) -> None:
        """Close only once the person says the key is in safe keeping."""
        if self.kept.isChecked():
            super().reject()
