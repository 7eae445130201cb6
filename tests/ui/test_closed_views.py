"""Views closed while their work runs: the answer is let go, no error box covers the next window.

Each admin tab starts its look-ups when shown; deleting it at once, as a
practice manager logging out or closing the window does, leaves that work
to answer into a tab that no longer exists.
"""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt


def _admin_logged_in(qtbot, logged_in):
    shell = logged_in("admin")
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shell.tasks.running() == 0, timeout=30000)
    return shell


@pytest.mark.parametrize("tab", ["users", "incidents", "vault", "patients"])
def test_a_tab_closed_while_it_reads_lets_the_answer_go(qtbot, logged_in, tab):
    shell = _admin_logged_in(qtbot, logged_in)
    with qtbot.assertNotEmitted(shell.errors.error_caught):
        shell.admin.show_for(shell.desk, shell.memory)
        shiboken6.delete(getattr(shell.admin, tab))
        qtbot.waitUntil(lambda: shell.tasks.running() == 0, timeout=30000)


def test_the_desk_closed_while_it_reads_lets_the_answer_go(qtbot, logged_in):
    shell = logged_in("reception")
    qtbot.waitUntil(lambda: shell.tasks.running() <= 1, timeout=30000)  # the watch runs on
    with qtbot.assertNotEmitted(shell.errors.error_caught):
        shell.desk_controller.inbox.refresh_quarantine()
        shell.desk_controller.inbox.refresh()
        shiboken6.delete(shell.desk_view)
        qtbot.waitUntil(lambda: shell.tasks.running() <= 1, timeout=30000)
