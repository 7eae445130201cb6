"""Errors in plain words, and the last line of defence for the ones nobody expected.

The app services raise exceptions whose text is written for people (a
refused location, a wrong password, a consent that does not cover a use);
:mod:`clinfile.app.errors` says which they are, and they are shown as they
are. Anything else is a fault in Clinfile: the person is told plainly that
nothing was lost, and the details go to the log, not the screen, so no
patient detail is shown in a stack trace.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("clinfile.ui")

_UNEXPECTED = ("Something went wrong inside Clinfile. Nothing in the vault was lost or "
               "changed half-way. If it happens again, tell the practice manager; the "
               "details were written to Clinfile's log.")


def in_plain_words(error: BaseException) -> str:
    """Return what to tell a person about ``error``.

    The words for a fault say its details were written to Clinfile's log,
    so they are written here, where those words are chosen: a tab that
    shows the words in its own label would otherwise leave the log empty.
    """
    from clinfile.app.errors import in_words
    from clinfile.app.vault.errors import DiskFull, disk_full

    if is_fault(error):
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
        return _UNEXPECTED
    if disk_full(error):
        return str(DiskFull())
    return in_words(error) or _UNEXPECTED


def is_fault(error: BaseException) -> bool:
    """Whether ``error`` is a fault in Clinfile rather than something a person can act on."""
    from clinfile.app.errors import MEANT_FOR_PEOPLE
    from clinfile.app.vault.errors import disk_full

    return not (isinstance(error, MEANT_FOR_PEOPLE) or disk_full(error))


def report(error: BaseException, parent: QWidget | None, title: str = "Clinfile") -> None:
    """Show the person what ``error`` means for them (a fault's details go to the log)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, in_plain_words(error),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Problem")
    box.open()


class UncaughtErrors(QObject):
    """Routes exceptions that escape a slot to the log and a dialog instead of a crash.

    Signals:
        error_caught: an exception escaped; the window shows it.
    """

    error_caught = Signal(object)

    def install(self) -> None:
        """Become ``sys.excepthook`` for the life of the window."""
        sys.excepthook = self._hook

    def uninstall(self) -> None:
        """Give the interpreter its own hook back."""
        sys.excepthook = sys.__excepthook__

    def _hook(self, kind: type[BaseException], error: BaseException,
              trace: TracebackType | None) -> None:
        log.error("uncaught error:\n%s", "".join(traceback.format_exception(kind, error, trace)))
        self.error_caught.emit(error)
