"""Noticing that nobody has touched the computer, so the vault can lock itself.

The AMA guide asks that a device holding clinical images locks when not in
use. Any key press, click or wheel turn anywhere in the application counts
as activity; the clock is injectable so tests need not wait minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSpinBox

_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.Drop,
}


class IdleWatch(QObject):
    """Emits :attr:`idled` once when there has been no input for the allowed time.

    Signals:
        idled: the allowed idle time passed without any input.
        active: there was input (the session notes it, postponing its own lock).
    """

    idled = Signal()
    active = Signal()

    def __init__(self, clock: Callable[[], float] = time.monotonic, *,
                 check_every_ms: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._limit = 5 * 60.0
        self._last = clock()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self._check)

    def start(self, limit_seconds: float) -> None:
        """Watch for ``limit_seconds`` of quiet, starting now."""
        self._limit = limit_seconds
        self._last = self._clock()
        self._armed = True
        QApplication.instance().installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (while locked or logged out)."""
        self._armed = False
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Note any input as activity; never swallow the event."""
        if self._armed and event.type() in _ACTIVITY:
            self._last = self._clock()
            self.active.emit()
        return False

    def _check(self) -> None:
        if self._armed and self._clock() - self._last >= self._limit:
            self._armed = False
            self._timer.stop()
            self.idled.emit()


def minutes_words(minutes: int) -> str:
    """'1 minute', '5 minutes': the idle time as a person says it."""
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def count_minutes(box: QSpinBox) -> QSpinBox:
    """Let a spin box of idle minutes read '1 minute' and '5 minutes' as its value changes."""

    def say(minutes: int) -> None:
        box.setSuffix(minutes_words(minutes).removeprefix(str(minutes)))

    box.valueChanged.connect(say)
    say(box.value())
    return box
