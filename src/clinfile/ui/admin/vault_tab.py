"""Care of the vault: verify it, back it up, seal the audit trail, and change its keys.

Changing the keys is quick (the index and the key file); re-keying the
pictures that follow runs in a worker with its progress shown, can be
stopped between files, and is offered again whenever some are left.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinfile.app.desk.maintenance import back_up, verify
from clinfile.app.desk.opening import OpenedDesk
from clinfile.app.security.keys import (
    change_keys,
    rekey_in_steps,
    seal_now,
    seal_state,
    waiting_to_rekey,
)
from clinfile.ui.errors import in_plain_words
from clinfile.ui.look import named
from clinfile.ui.tasks import Task, Tasks


class VaultTab(QWidget):
    """Verify the vault and back it up."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._desk: OpenedDesk | None = None
        self.verify_button = named(QPushButton("Verify the vault"), "Verify the vault",
                                   "Checks every page, picture, audit entry and key")
        self.backup_button = named(QPushButton("Back up to a folder…"), "Back up the vault")
        self.seal_button = named(QPushButton("Seal the audit trail now"),
                                 "Seal the audit trail now",
                                 "Signs the newest entry so nobody can quietly rewrite the trail")
        self.keys_button = named(QPushButton("Change the vault's keys…"),
                                 "Change the vault's keys",
                                 "After a leaked password or a lost recovery sheet")
        self.rekey_button = named(QPushButton("Go on re-keying pictures"),
                                  "Go on re-keying pictures")
        self.stop_button = named(QPushButton("Stop re-keying"), "Stop re-keying")
        self.seal_line = named(QLabel(""), "Audit seal")
        self.seal_line.setWordWrap(True)
        self.rekey_line = named(QLabel(""), "Re-keying")
        self.rekey_line.setWordWrap(True)
        self.rekey_bar = named(QProgressBar(), "Re-keying progress")
        self.report = named(QPlainTextEdit(), "Vault check results")
        self.report.setReadOnly(True)
        self._rekeying: Task | None = None
        buttons = QHBoxLayout()
        for button in (self.verify_button, self.backup_button, self.seal_button,
                       self.keys_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        rekey = QHBoxLayout()
        for widget in (self.rekey_bar, self.rekey_button, self.stop_button):
            rekey.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.seal_line)
        layout.addWidget(self.rekey_line)
        layout.addLayout(rekey)
        layout.addWidget(self.report)
        self.verify_button.clicked.connect(self.verify)
        self.backup_button.clicked.connect(self._ask_backup)
        self.seal_button.clicked.connect(self.seal)
        self.keys_button.clicked.connect(self._ask_change_keys)
        self.rekey_button.clicked.connect(self.rekey)
        self.stop_button.clicked.connect(self.stop_rekey)
        self._show_rekey(waiting=False)

    def show_for(self, desk: OpenedDesk) -> None:
        """Work on this session's vault; say how far it is sealed, go on with what waits."""
        self._desk = desk
        self._tasks.run(seal_state, desk.session, owner=self).success(self._sealed_state)\
            .failure(self._failed)
        self._tasks.run(waiting_to_rekey, desk.session, owner=self).success(self._resume_rekey)\
            .failure(self._failed)

    def _resume_rekey(self, waiting: int) -> None:
        """At an admin's login, go on re-keying what a stopped or crashed run left."""
        if waiting > 0:
            self.go_on_rekeying()

    def go_on_rekeying(self) -> None:
        """Re-key what waits, unless already doing so (the keys changed in another tab)."""
        if self._desk is not None and self._rekeying is None:
            self.rekey()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Look again for pictures left to re-key (a user disabled meanwhile changes keys)."""
        super().showEvent(event)
        if self._desk is not None and self._rekeying is None:
            self._tasks.run(waiting_to_rekey, self._desk.session, owner=self).success(
                lambda waiting: self._show_rekey(waiting=waiting > 0)).failure(self._failed)

    def seal(self) -> None:
        """Sign the trail's newest entry now."""
        self._tasks.write(seal_now, self._desk.session, owner=self).success(
            self._sealed).failure(self._failed)

    def change_keys(self, reason: str) -> None:
        """Give the vault a new master key, then re-key the pictures in the background."""
        self.keys_button.setEnabled(False)
        self.report.setPlainText("Changing the vault's keys…")
        self._tasks.write(change_keys, self._desk.session, reason,
            owner=self).success(self._keys_changed)\
            .failure(self._failed)

    def rekey(self) -> None:
        """Re-key what waits under an older key, file by file, with progress."""
        self._show_rekey(waiting=True, running=True)
        session = self._desk.session
        self._rekeying = self._tasks.stream(lambda: rekey_in_steps(session), owner=self,
                                            writes=True).progress(self._rekey_progressed).success(self._rekey_ended).failure(self._failed)

    def stop_rekey(self) -> None:
        """Stop after the file being re-keyed; the rest waits for "Go on"."""
        if self._rekeying is not None:
            self._rekeying.cancel()

    def verify(self) -> None:
        """Check the whole vault in a worker and show what was found."""
        self.report.setPlainText("Checking the vault…")
        self.verify_button.setEnabled(False)
        self._tasks.run(verify, self._desk.session, owner=self).success(self._verified).failure(
            self._failed)

    def back_up_to(self, folder: Path) -> None:
        """Bring the encrypted copy in ``folder`` up to date (only what changed is copied)."""
        self.report.setPlainText(f"Backing up to {folder}…")
        self._tasks.run(back_up, self._desk.session, folder, owner=self).success(
            lambda done: self.report.setPlainText(
                f"The encrypted copy in {done.root} is up to date. {done.summary()}"))\
            .failure(self._failed)

    def _ask_backup(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Choose the backup folder: the one used last time, or a new, empty one")
        if chosen:
            self.back_up_to(Path(chosen))

    def _verified(self, report) -> None:
        self.verify_button.setEnabled(True)
        if report.ok:
            text = f"All checks passed ({len(report.checked)} parts checked)."
        else:
            text = "Problems found:\n" + "\n".join(f"• {problem}" for problem in report.problems)
        self.report.setPlainText("\n".join([text, *report.notes]))

    def _failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.keys_button.setEnabled(True)
        self.report.setPlainText(in_plain_words(error))

    def _sealed(self, report) -> None:
        """Say the seal was made, and how far the trail is sealed now."""
        if report.sealed is not None:
            self.report.setPlainText(f"Sealed the audit trail up to row {report.sealed.seq}.")
        self._sealed_state((report, False))

    def _sealed_state(self, state) -> None:
        report, due = state
        self.seal_line.setText(report.summary())
        if due:
            box = QMessageBox(QMessageBox.Icon.Question, "Seal the audit trail",
                              "The audit trail has not been sealed for a day. Seal it now, so "
                              "nobody can quietly rewrite what happened?",
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                              self)
            box.setObjectName("Seal the audit trail")
            box.button(QMessageBox.StandardButton.Yes).setText("Seal now")
            box.accepted.connect(self.seal)
            self.seal_prompt = box
            box.open()

    def _ask_change_keys(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Change the vault's keys",
                          "Give the vault a new key? Everyone keeps their password. Other "
                          "open windows will ask their user to log in again. Pictures are "
                          "re-keyed in the background afterwards; you can go on working.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("Change the vault's keys")
        box.button(QMessageBox.StandardButton.Yes).setText("Change the keys")
        box.accepted.connect(lambda: self.change_keys("asked for by an admin"))
        self.keys_box = box
        box.open()

    def _keys_changed(self, _result) -> None:
        self.keys_button.setEnabled(True)
        self.report.setPlainText("The vault has a new key. Old key files and passwords open "
                                 "nothing written from now on. Re-keying the pictures…")
        self.rekey()

    def _rekey_progressed(self, step) -> None:
        self.rekey_bar.setMaximum(max(1, step.total))
        self.rekey_bar.setValue(step.done)
        where = f" — now {step.current}" if step.current else ""
        self.rekey_line.setText(f"Re-keying pictures: {step.done / 1e6:.0f} of "
                                f"{step.total / 1e6:.0f} MB{where}")

    def _rekey_ended(self, last) -> None:
        self._rekeying = None
        finished = last is not None and last.finished
        self._show_rekey(waiting=not finished)
        if finished:
            self.rekey_line.setText("Every picture is under the current key; old keys open "
                                    "nothing at all.")

    def _show_rekey(self, *, waiting: bool, running: bool = False) -> None:
        self.rekey_bar.setVisible(waiting or running)
        self.rekey_button.setVisible(waiting and not running)
        self.stop_button.setVisible(running)
        if waiting and not running:
            self.rekey_line.setText("Some pictures are still under the vault's previous key. "
                                    "Re-keying goes on where it stopped.")
