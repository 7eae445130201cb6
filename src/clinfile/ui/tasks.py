"""The one way the window runs work: off the GUI thread, results back on it.

Every call into the app services that may touch a disk, decode a picture,
hash, make a PDF or unwrap a key goes through :class:`Tasks`, so the window
never freezes and no widget ever creates a thread of its own. It works like
Anki's ``QueryOp`` and Picard's ``run_task``::

    tasks.run(service.load, owner=self).success(show).failure(explain)

Callbacks always run on the GUI thread. A task with no failure callback
shows the error in plain words, so nothing fails silently. Work that meets
a locked vault is the window's to answer first, whoever else hears of it:
the window covers every patient's data at once and says why (see
``Tasks.vault_locked``); a view's own answer then shows only behind it.

Every task names its owner, the widget its callbacks show their answer in,
and cannot be started without one: a view may be closed while its work
runs, and an answer reaching into its deleted labels would only raise and
put an error box over the next window. Once the owner is gone the task
delivers nothing more. Work that only reads is then asked to stop; work
that changes something (:meth:`Tasks.write`, or a stream started with
``writes=True``) is never abandoned half-way, runs to its end, and should
it fail, the window still says so.

Work is split into pools by purpose (Picard's save pool): a person's
changes run one at a time on a pool of one thread, so they apply in the
order they were made; reads and searches share a general pool; imports,
which run for a long time, get a pool of their own so a search is never
queued behind them. Work on any pool may write: the index itself lets one
writer at a time in (see :func:`clinfile.db.connection.transaction`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from clinfile.app.vault.errors import VaultLocked

log = logging.getLogger("clinfile.ui")


class Pool(Enum):
    """Which pool a task runs on."""

    GENERAL = "general"
    VAULT_WRITES = "vault writes"
    IMPORTS = "imports"


class _Relay(QObject):
    """Lives on the GUI thread for as long as the window; workers report through it.

    There is one relay per :class:`Tasks`, never one per task: a short-lived
    QObject made in Python and deleted by Qt while a worker still holds it is
    a known way to crash PySide. Each report names its task, which is a plain
    Python object, so no task ever has a Qt lifetime to get wrong.
    """

    delivered = Signal(object, str, object)


class Task:
    """One piece of work under way; chain callbacks on it as it is started."""

    def __init__(self, tasks: Tasks, owner: QObject, *, writes: bool,
                 pool: Pool = Pool.GENERAL) -> None:
        if not isinstance(owner, QObject):
            raise TypeError(f"a task's owner is the widget that shows its answer, not {owner!r}")
        self._tasks = tasks
        self._owner = owner
        self._writes = writes
        self.pool = pool
        self._on_success: list[Callable[[Any], None]] = []
        self._on_failure: list[Callable[[BaseException], None]] = []
        self._on_progress: list[Callable[[Any], None]] = []
        self._cancelled = threading.Event()
        self._cancel_hook: Callable[[], None] | None = None
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def success(self, callback: Callable[[Any], None]) -> Task:
        """Call ``callback(result)`` on the GUI thread when the work returns."""
        self._on_success.append(callback)
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Task:
        """Call ``callback(error)`` on the GUI thread instead of showing the error."""
        self._on_failure.append(callback)
        return self

    def progress(self, callback: Callable[[Any], None]) -> Task:
        """Call ``callback(event)`` on the GUI thread for each event a stream yields."""
        self._on_progress.append(callback)
        return self

    def cancel(self) -> None:
        """Ask the work to stop between two events; work already done stays done."""
        self._cancelled.set()
        if self._cancel_hook is not None:
            self._cancel_hook()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def deliver(self, kind: str, payload: Any) -> None:
        """Take a worker's report on the GUI thread, unless the owner is gone."""
        if not shiboken6.isValid(self._owner):
            self._orphaned(kind, payload)
            return
        {"succeeded": self._succeeded, "failed": self._failed,
         "progressed": self._progressed}[kind](payload)

    def _orphaned(self, kind: str, payload: Any) -> None:
        """Deliver nothing to a gone owner; stop a read, and tell only a change's failure."""
        if not self._writes:
            self.cancel()
        if kind == "failed" and isinstance(payload, VaultLocked):
            self._tasks.vault_locked.emit(payload)
        elif kind == "failed" and self._writes:
            self._tasks.error_unhandled.emit(payload)
        if kind != "progressed":
            self._end()

    def _succeeded(self, result: Any) -> None:
        self.result = result
        for callback in self._on_success:
            callback(result)
        self._end()

    def _failed(self, error: BaseException) -> None:
        self.error = error
        if isinstance(error, VaultLocked):
            self._tasks.vault_locked.emit(error)
        if self._on_failure:
            for callback in self._on_failure:
                callback(error)
        elif not isinstance(error, VaultLocked):
            self._tasks.error_unhandled.emit(error)
        self._end()

    def _progressed(self, event: Any) -> None:
        for callback in self._on_progress:
            callback(event)

    def _end(self) -> None:
        self.done = True
        self._tasks.forget(self)


class _Work(QRunnable):
    """A task's work on a pool thread: it reports through the relay, then lets go.

    The binding may keep the Python side of a finished runnable alive after Qt
    has deleted it (some of a few thousand, at random). Letting go of the task
    and the work on the way out means such a runnable holds no result, picture
    or callback for the rest of the day.
    """

    def __init__(self, relay: _Relay, task: Task, work: Callable[[], Any]) -> None:
        super().__init__()
        self._relay = relay
        self._task = task
        self._work = work

    def run(self) -> None:
        try:
            self._report(self._task, self._work)
        finally:
            del self._task, self._work

    def _report(self, task: Task, work: Callable[[], Any]) -> None:
        raise NotImplementedError

    def _emit(self, task: Task, kind: str, payload: Any) -> None:
        self._relay.delivered.emit(task, kind, payload)


class _Call(_Work):
    """Runs a callable and reports its result or error."""

    def _report(self, task: Task, work: Callable[[], Any]) -> None:
        try:
            result = work()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the window
            self._emit(task, "failed", exc)
        else:
            self._emit(task, "succeeded", result)


class _Stream(_Work):
    """Iterates the events a callable returns, reporting each, then the last as the result."""

    def _report(self, task: Task, events: Callable[[], Iterable[Any]]) -> None:
        last = None
        try:
            iterator = iter(events())
            for event in iterator:
                last = event
                self._emit(task, "progressed", event)
                if task.cancelled and hasattr(iterator, "close"):
                    iterator.close()
                    break
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the window
            self._emit(task, "failed", exc)
        else:
            self._emit(task, "succeeded", last)


class Tasks(QObject):
    """The pools and the tasks running on them, for one window.

    Signals:
        error_unhandled: a task failed and nobody asked to hear about it; the
            window shows it in plain words.
        vault_locked: a task met the vault locked (by idle time, by hand, by
            keys changed elsewhere, or because its person was disabled).
    """

    error_unhandled = Signal(object)
    vault_locked = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools = {pool: QThreadPool(self) for pool in Pool}
        self._pools[Pool.VAULT_WRITES].setMaxThreadCount(1)
        self._pools[Pool.IMPORTS].setMaxThreadCount(2)
        self._pools[Pool.GENERAL].setMaxThreadCount(max(2, QThreadPool.globalInstance()
                                                        .maxThreadCount()))
        self._live: set[Task] = set()
        self._relay = _Relay(self)
        self._relay.delivered.connect(self._deliver)

    def run(self, work: Callable[..., Any], *args: Any, owner: QObject,
            pool: Pool = Pool.GENERAL, **kwargs: Any) -> Task:
        """Run ``work(*args, **kwargs)`` on a pool for ``owner``; hand arguments as frozen copies.

        Its answer reaches ``owner`` only while that still exists.
        """
        return self._start(pool, _Call, lambda: work(*args, **kwargs), owner, writes=False)

    def write(self, work: Callable[..., Any], *args: Any, owner: QObject,
              **kwargs: Any) -> Task:
        """Run a person's change on the one-thread pool, after every earlier change they made.

        The change runs to its end even if ``owner`` is gone by then; only its
        answer is dropped, unless it failed.
        """
        return self._start(Pool.VAULT_WRITES, _Call, lambda: work(*args, **kwargs), owner,
                           writes=True)

    def stream(self, events: Callable[[], Iterable[Any]], *, owner: QObject, writes: bool,
               pool: Pool = Pool.IMPORTS,
               on_cancel: Callable[[], None] | None = None) -> Task:
        """Iterate ``events()`` on a pool, delivering each event to ``progress`` callbacks.

        Args:
            events: returns the iterable (usually a generator) to run in the worker.
            owner: the widget the events are shown in.
            writes: whether the stream changes something (an import, a deletion, a
                re-keying); such a stream is stopped only by :meth:`Task.cancel`,
                never because its owner is gone, so it never ends half-way by accident.
            pool: where to run it.
            on_cancel: called on the GUI thread by :meth:`Task.cancel`, to tell the
                work itself to stop (an import's cancel token); the stream also stops
                reading events after the next one.

        The success callback receives the last event.
        """
        task = self._start(pool, _Stream, events, owner, writes=writes)
        task._cancel_hook = on_cancel
        return task

    def forget(self, task: Task) -> None:
        """Let go of a finished task."""
        self._live.discard(task)

    def running(self) -> int:
        """How many tasks have not finished yet."""
        return len(self._live)

    def changing(self) -> bool:
        """Whether a person's change made in this window has not yet told its answer."""
        return any(task.pool is Pool.VAULT_WRITES for task in self._live)

    def wait_for_all(self, msecs: int = 30_000) -> bool:
        """Wait for every pool to drain (on quitting); return whether they did in time."""
        return all(pool.waitForDone(msecs) for pool in self._pools.values())

    @Slot(object, str, object)
    def _deliver(self, task: Task, kind: str, payload: Any) -> None:
        task.deliver(kind, payload)

    def _start(self, pool: Pool, kind: type[_Work], work: Callable[[], Any], owner: QObject,
               *, writes: bool) -> Task:
        task = Task(self, owner, writes=writes, pool=pool)
        self._live.add(task)
        self._pools[pool].start(kind(self._relay, task, work))
        return task
