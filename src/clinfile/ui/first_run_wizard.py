"""The first-run wizard: the vault, its first admin, the practice's folders and policy.

Four short pages. Each folder is checked as the person types, in a worker,
the same way ``clinfile init`` checks it; the vault is made only on the
third page's "Create the vault", and the last page shows the recovery key
once, with the sheet to print or save.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clinfile.app.desk.first_run import (
    LocationVerdict,
    NewPractice,
    PracticeSetup,
    check_admin,
    check_vault_folder,
    check_working_folder,
    save_recovery_sheet,
)
from clinfile.app.paths import default_vault_dir
from clinfile.ui.errors import in_plain_words
from clinfile.ui.idle import count_minutes
from clinfile.ui.look import named, note, primary, scaled, set_tone
from clinfile.ui.printing import ask_and_print, ask_and_save
from clinfile.ui.tasks import Tasks


class FolderField(QWidget):
    """A folder path with a Browse button and a verdict checked in a worker as it changes.

    Signals:
        judged: a new verdict arrived for the current text.
    """

    judged = Signal()

    def __init__(self, tasks: Tasks, judge, accessible: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._judge = judge
        self.verdict: LocationVerdict | None = None
        self._judged_text = ""
        self.edit = QLineEdit()
        named(self.edit, accessible)
        browse = QPushButton("Browse…")
        named(browse, f"Choose the {accessible.lower()}")
        browse.clicked.connect(self._browse)
        self.message = note("")
        named(self.message, f"{accessible}: check result")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.message)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._check)
        self.edit.textChanged.connect(self._changed)

    @property
    def path(self) -> Path:
        """The folder as typed."""
        return Path(self.edit.text().strip())

    def usable(self) -> bool:
        """Whether the current text has been checked and may be used."""
        return (self.verdict is not None and self.verdict.usable
                and self._judged_text == self.edit.text().strip())

    def _changed(self) -> None:
        self.verdict = None
        self.message.setText("Checking…")
        set_tone(self.message, "quiet")
        self.judged.emit()
        self._debounce.start()

    def _check(self) -> None:
        typed = self.edit.text().strip()
        self._tasks.run(self._judge, Path(typed), owner=self).success(
            lambda verdict: self._show(typed, verdict))

    def _show(self, typed: str, verdict: LocationVerdict) -> None:
        if typed != self.edit.text().strip():
            return
        self.verdict = verdict
        self._judged_text = typed
        if verdict.refusal:
            self.message.setText(verdict.refusal)
            set_tone(self.message, "error")
        elif verdict.warnings:
            self.message.setText(" ".join(verdict.warnings))
            set_tone(self.message, "warning")
        else:
            self.message.setText("This folder is fine.")
            set_tone(self.message, "ok")
        self.judged.emit()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose a folder", self.edit.text())
        if chosen:
            self.edit.setText(chosen)


class VaultPage(QWizardPage):
    """Where the vault lives."""

    def __init__(self, tasks: Tasks) -> None:
        super().__init__()
        self.setTitle("Where should the vault be kept?")
        self.setSubTitle("The vault holds every picture, encrypted. Keep it on this computer's "
                         "own disk — not in Dropbox, OneDrive, Google Drive or iCloud.")
        self.folder = FolderField(tasks, check_vault_folder, "Vault folder")
        self.folder.judged.connect(self.completeChanged)
        layout = QFormLayout(self)
        layout.addRow("&Vault folder", self.folder)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Suggest the usual place the first time."""
        if not self.folder.edit.text():
            self.folder.edit.setText(str(default_vault_dir()))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Go on only once the folder has been checked and may be used."""
        return self.folder.usable()


class AdminPage(QWizardPage):
    """The first admin: usually the practice manager."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Who looks after Clinfile?")
        self.setSubTitle("The first admin adds the other users and sets the practice's rules. "
                         "Use a short sentence as the password: easy to remember, hard to guess.")
        self.full_name_edit = QLineEdit()
        named(self.full_name_edit, "Admin full name", "Printed on consent forms and summaries")
        self.full_name_edit.setPlaceholderText("as printed on forms, e.g. Jo Bloggs")
        self.name_edit = QLineEdit()
        named(self.name_edit, "Admin user name")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        named(self.password_edit, "Admin password")
        self.again_edit = QLineEdit()
        self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        named(self.again_edit, "Admin password again")
        self.message = note("", "warning")
        named(self.message, "Admin check result")
        layout = QFormLayout(self)
        layout.addRow("&Full name", self.full_name_edit)
        layout.addRow("Admin &user name", self.name_edit)
        layout.addRow("&Password", self.password_edit)
        layout.addRow("Password &again", self.again_edit)
        layout.addRow(self.message)
        for edit in (self.full_name_edit, self.name_edit, self.password_edit, self.again_edit):
            edit.textChanged.connect(self._changed)

    def problem(self) -> str:
        """What is wrong with the name or password, or ''."""
        return check_admin(self.name_edit.text(), self.password_edit.text(),
                           self.again_edit.text(), self.full_name_edit.text())

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Go on only with a good name and the same good password twice."""
        return not self.problem()

    def _changed(self) -> None:
        typed = self.name_edit.text() or self.password_edit.text()
        self.message.setText(self.problem() if typed else "")
        self.completeChanged.emit()


class PracticePage(QWizardPage):
    """The drop folder, the outbox and the practice's policy; ends by creating the vault."""

    def __init__(self, tasks: Tasks) -> None:
        super().__init__()
        self.setTitle("How does the practice work?")
        self.setSubTitle("Pictures patients email in are saved to the drop folder; Clinfile "
                         "takes them into the vault and empties it. Summaries for the clinical "
                         "record are written to the outbox.")
        self.drop = FolderField(tasks, lambda p: check_working_folder(p, "drop folder"),
                                "Drop folder")
        self.outbox = FolderField(tasks, lambda p: check_working_folder(p, "outbox"), "Outbox")
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(1, 60)
        self.auto_lock.setValue(5)
        count_minutes(self.auto_lock)
        named(self.auto_lock, "Lock after minutes without use")
        self.written = QCheckBox("Clinical photos need signed, written consent before filing")
        named(self.written, "Require written consent for clinical photos")
        self.written.setToolTip("Otherwise a clinician may record the patient's verbal consent.")
        for field in (self.drop, self.outbox):
            field.judged.connect(self.completeChanged)
        layout = QFormLayout(self)
        layout.addRow("&Drop folder", self.drop)
        layout.addRow("&Outbox", self.outbox)
        layout.addRow("&Lock after", self.auto_lock)
        layout.addRow(self.written)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Create the vault")

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Suggest folders beside the user's documents."""
        home = Path.home() / "Clinfile"
        if not self.drop.edit.text():
            self.drop.edit.setText(str(home / "Drop folder"))
        if not self.outbox.edit.text():
            self.outbox.edit.setText(str(home / "Outbox"))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Go on only once both folders are checked and may be used."""
        return self.drop.usable() and self.outbox.usable()


class RecoveryPage(QWizardPage):
    """Makes the vault, then shows the recovery key once, with the sheet to print or save."""

    def __init__(self, wizard: FirstRunWizard, tasks: Tasks) -> None:
        super().__init__()
        self._wizard = wizard
        self._tasks = tasks
        self.setTitle("Keep the recovery key safe")
        self.status = note("Creating the vault…")
        named(self.status, "Set-up progress")
        self.key_label = QLabel("")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setWeight(QFont.Weight.Bold)
        self.key_label.setFont(mono)
        scaled(self.key_label, 1.5, bold=True)
        self.key_label.setWordWrap(True)
        named(self.key_label, "Recovery key")
        self.print_button = QPushButton("Print the recovery sheet…")
        named(self.print_button, "Print the recovery sheet")
        self.save_button = QPushButton("Save the sheet as PDF…")
        named(self.save_button, "Save the recovery sheet as PDF")
        self.sheet_message = note("")
        named(self.sheet_message, "Recovery sheet result")
        self.kept = QCheckBox("I have printed the sheet or written the key down, and will keep "
                              "it locked away from this computer")
        named(self.kept, "Recovery key kept safe")
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.key_label)
        layout.addWidget(note("If every admin forgets their password, this key is the only way "
                              "back into the vault. It is shown only now."))
        layout.addLayout(buttons)
        layout.addWidget(self.sheet_message)
        layout.addWidget(self.kept)
        layout.addStretch(1)
        for widget in (self.print_button, self.save_button, self.kept):
            widget.setEnabled(False)
        self.kept.toggled.connect(self.completeChanged)
        self.print_button.clicked.connect(self._print)
        self.save_button.clicked.connect(self._save)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Create the vault as soon as the page shows."""
        self._tasks.write(self._wizard.make_practice, self._wizard.setup(), owner=self).success(
            self._created).failure(self._failed)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Finish only once the vault exists and the key is in safe keeping."""
        return self._wizard.practice is not None and self.kept.isChecked()

    def _created(self, practice: NewPractice) -> None:
        self._wizard.practice = practice
        warnings = " ".join(practice.warnings)
        self.status.setText("The vault is ready. " + warnings if warnings else
                            "The vault is ready. This is its recovery key:")
        set_tone(self.status, "warning" if warnings else "ok")
        self.key_label.setText(practice.recovery_key)
        for widget in (self.print_button, self.save_button, self.kept):
            widget.setEnabled(True)
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.status.setText("The vault could not be made: " + in_plain_words(error)
                            + " Go back and choose another folder.")
        set_tone(self.status, "error")

    def _make_sheet(self, path: Path) -> Path:
        practice = self._wizard.practice
        return save_recovery_sheet(practice.session.vault, practice.recovery_key, path)

    def _print(self) -> None:
        task = ask_and_print(self, self._tasks, self._make_sheet)
        if task is not None:
            task.success(lambda _: self._sheet_done("The recovery sheet was sent to the "
                                                    "printer.")).failure(self._sheet_failed)

    def _save(self) -> None:
        task = ask_and_save(self, self._tasks, self._make_sheet,
                            Path.home() / "Clinfile recovery sheet.pdf")
        if task is not None:
            task.success(lambda path: self._sheet_done(
                f"Saved to {path}. Print it, then delete the file.")).failure(self._sheet_failed)

    def _sheet_done(self, text: str) -> None:
        self.sheet_message.setText(text)
        set_tone(self.sheet_message, "ok")

    def _sheet_failed(self, error: BaseException) -> None:
        self.sheet_message.setText(in_plain_words(error))
        set_tone(self.sheet_message, "error")


class FirstRunWizard(QWizard):
    """Sets up Clinfile for a practice.

    Signals:
        practice_created(object, object): the :class:`NewPractice` (its admin logged
            in) and the :class:`PracticeSetup` it was made from, once the wizard finishes.
    """

    practice_created = Signal(object, object)

    def __init__(self, tasks: Tasks, make_practice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up Clinfile")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.make_practice = make_practice
        self.practice: NewPractice | None = None
        self.vault_page = VaultPage(tasks)
        self.admin_page = AdminPage()
        self.practice_page = PracticePage(tasks)
        self.recovery_page = RecoveryPage(self, tasks)
        for page in (self.vault_page, self.admin_page, self.practice_page, self.recovery_page):
            self.addPage(page)
        primary(self.button(QWizard.WizardButton.FinishButton))
        self.setButtonText(QWizard.WizardButton.FinishButton, "Start using Clinfile")
        self.resize(760, 560)
        self.accepted.connect(self._finished)

    def setup(self) -> PracticeSetup:
        """What the person chose, as a frozen copy for the worker."""
        return PracticeSetup(
            vault=self.vault_page.folder.path,
            admin=self.admin_page.name_edit.text(),
            password=self.admin_page.password_edit.text(),
            drop_folder=self.practice_page.drop.path,
            outbox=self.practice_page.outbox.path,
            auto_lock_minutes=self.practice_page.auto_lock.value(),
            written_consent_for_clinical_photos=self.practice_page.written.isChecked(),
            admin_full_name=self.admin_page.full_name_edit.text(),
        )

    def _finished(self) -> None:
        if self.practice is not None:
            self.practice_created.emit(self.practice, self.setup())
