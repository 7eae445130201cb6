"""The task relay under load: thousands of reports from worker threads, nothing leaked.

PySide6-Essentials 6.12.0 dropped one reference to ``True`` on every
``Signal.emit``; a window died with ``Fatal Python error: bool_dealloc``
after a few hundred reports. Counting the references of the singletons
across a few thousand reports through the app's own relay catches a binding
with that fault here, not at a practice.
"""

from __future__ import annotations

import gc
import sys

from clinfile.ui.tasks import Pool, Tasks

REPORTS = 3000
SINGLETONS = {"True": True, "False": False, "None": None}


def _counts() -> dict[str, int]:
    gc.collect()
    return {name: sys.getrefcount(value) for name, value in SINGLETONS.items()}


def _answer(number: int) -> bool | None:
    return (True, False, None)[number % 3]


def _events(count: int):
    for number in range(count):
        yield _answer(number)


def test_thousands_of_reports_across_threads_leave_true_false_and_none_as_they_were(qtbot):
    tasks = Tasks()
    heard: list[bool | None] = []
    for _warm_up in range(3):
        tasks.run(_answer, 0, owner=tasks).success(heard.append)
    qtbot.waitUntil(lambda: tasks.running() == 0, timeout=10000)
    heard.clear()
    before = _counts()

    calls = REPORTS // 3
    for number in range(calls):
        pool = (Pool.GENERAL, Pool.VAULT_WRITES)[number % 2]
        tasks.run(_answer, number, owner=tasks, pool=pool).success(heard.append)
    for _stream in range(2):
        tasks.stream(lambda: _events(calls), owner=tasks, writes=False).progress(heard.append)
    qtbot.waitUntil(lambda: tasks.running() == 0, timeout=60000)
    assert tasks.wait_for_all()
    assert len(heard) == 3 * calls
    heard.clear()

    after = _counts()
    drift = {name: after[name] - before[name] for name in SINGLETONS}
    # Other threads and Qt's own bookkeeping move these counts by a few; a
    # binding that leaks on every report moves them by thousands.
    assert all(abs(change) < 100 for change in drift.values()), drift


def test_work_finishing_after_its_widget_is_gone_reaches_nothing(qtbot):
    import threading

    import shiboken6
    from PySide6.QtWidgets import QLabel

    tasks = Tasks()
    finish = threading.Event()
    label = QLabel("counting")
    heard: list[bool] = []
    tasks.run(finish.wait, 5, owner=label).success(
        lambda _done: heard.append(True) or label.setText("3 files are waiting"))
    shiboken6.delete(label)
    finish.set()
    qtbot.waitUntil(lambda: tasks.running() == 0, timeout=10000)
    assert heard == []


def test_no_work_starts_without_the_widget_that_shows_its_answer(qtbot):
    import pytest

    tasks = Tasks()
    with pytest.raises(TypeError):
        tasks.run(_answer, 0)
    with pytest.raises(TypeError):
        tasks.write(_answer, 0, owner=None)
    with pytest.raises(TypeError):
        tasks.stream(lambda: _events(3), owner=tasks)
    assert tasks.running() == 0


def test_a_change_whose_view_is_gone_runs_to_its_end_and_only_its_failure_is_told(qtbot):
    import threading

    import shiboken6
    from PySide6.QtWidgets import QLabel

    tasks = Tasks()
    told: list[BaseException] = []
    tasks.error_unhandled.connect(told.append)
    finish = threading.Event()
    written: list[int] = []

    def change(number: int) -> int:
        finish.wait(5)
        written.append(number)
        if number == 2:
            raise OSError("the disk is full")
        return number

    def steps():
        for number in range(5):
            finish.wait(5)
            written.append(10 + number)
            yield number

    label = QLabel("saving")
    heard: list[object] = []
    for number in (1, 2):
        tasks.write(change, number, owner=label).success(heard.append).failure(heard.append)
    tasks.stream(steps, owner=label, writes=True).progress(heard.append)
    shiboken6.delete(label)
    finish.set()
    qtbot.waitUntil(lambda: tasks.running() == 0, timeout=10000)
    assert heard == []
    assert sorted(written) == [1, 2, 10, 11, 12, 13, 14]
    assert [str(error) for error in told] == ["the disk is full"]


def test_a_read_whose_view_is_gone_is_stopped(qtbot):
    import threading

    import shiboken6
    from PySide6.QtWidgets import QLabel

    tasks = Tasks()
    label = QLabel("thumbnails")
    decoding = threading.Event()
    read: list[int] = []

    def pictures():
        for number in range(1000):
            decoding.wait(0.005)  # a picture takes a moment to decode
            read.append(number)
            yield number

    task = tasks.stream(pictures, owner=label, writes=False)
    shiboken6.delete(label)
    qtbot.waitUntil(lambda: tasks.running() == 0, timeout=10000)
    assert task.cancelled
    assert len(read) < 1000



def _starts_without_an_owner(source: str) -> list[int]:
    """Lines of ``source`` starting work on a ``tasks`` without its owner (or a stream's writes)."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"run", "write", "stream"}
                and ast.unparse(node.func.value).split(".")[-1].lstrip("_") == "tasks"):
            continue
        named = {keyword.arg for keyword in node.keywords}
        wanted = {"owner", "writes"} if node.func.attr == "stream" else {"owner"}
        if not wanted <= named:
            lines.append(node.lineno)
    return lines


def test_every_start_in_the_window_names_its_owner():
    """A path no test walks would otherwise meet the missing owner only at a practice."""
    from pathlib import Path

    import clinfile.ui

    assert _starts_without_an_owner("tasks.run(work)\nself._tasks.stream(events, owner=view)")
    untied = {str(path): lines for path in Path(clinfile.ui.__file__).parent.rglob("*.py")
              if (lines := _starts_without_an_owner(path.read_text(encoding="utf-8")))}
    assert untied == {}
