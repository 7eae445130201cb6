"""The window's commands win over a text box's own keys, with a Linux desktop's key bindings.

Under X11 a text box takes Ctrl+E (end of line) and Ctrl+K (delete to the end
of the line) for itself, so Export and Record consent did nothing while the
search box had the keyboard. The offscreen platform the other tests use has
no such bindings, so this one runs the window under a virtual X screen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
TYPING = """
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from clinfile.ui.main_window import MainWindow

app = QApplication([])
window = MainWindow()
window.set_logged_in(True, desk=True, export=True)
search = QLineEdit("nguyen mai")
window.add_page("desk", search)
window.show_page("desk")
window.show()
window.activateWindow()
assert QTest.qWaitForWindowActive(window)
fired = []
window.export_action.triggered.connect(lambda: fired.append("export"))
window.record_consent_action.triggered.connect(lambda: fired.append("consent"))
search.setFocus()
search.setCursorPosition(0)
QTest.keyClick(search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
QTest.keyClick(search, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
print(",".join(fired), search.text(), sep="|")
"""


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run for an X screen")
def test_ctrl_e_and_ctrl_k_reach_the_window_from_a_text_box(tmp_path):
    script = tmp_path / "keys_in_a_text_box.py"
    script.write_text(TYPING)
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(["xvfb-run", "-a", sys.executable, str(script)], env=env,
                          capture_output=True, text=True, timeout=60, cwd=PROJECT)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert last == "export,consent|nguyen mai"
