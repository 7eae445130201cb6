"""Looking at a patient's pictures in their record is written to the audit trail.

It is a sensitive act, as on the desk: each picture looked at is written
once for each opening of the record, however often it is chosen again or
drawn again, and opening the record again is a new look.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clinfile.db.audit import AuditRepository
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def _looked_at(shell) -> list[str]:
    """The pictures written to the audit as looked at, in order ('image 3')."""
    session = shell.record.desk.session
    with session.vault.index() as conn:
        return [row.subject for row in AuditRepository(conn).rows()
                if row.action == "image.viewed"]


def test_each_picture_looked_at_in_the_record_is_audited_once_per_opening(
        qtbot, logged_in, filed):
    shell = logged_in("clinician")
    record = open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline = shell.record_view.timeline
    first, second, third = (p.image_id for p in record.pictures)
    qtbot.waitUntil(lambda: _looked_at(shell) == [f"image {first}"], timeout=10000)

    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up):
        qtbot.keyClick(timeline, key)
        qtbot.wait(300)
    qtbot.waitUntil(lambda: len(_looked_at(shell)) >= 3, timeout=10000)
    shell.record_view.repaint()
    qtbot.wait(500)
    assert _looked_at(shell) == [f"image {first}", f"image {second}", f"image {third}"]

    search = shell.record_view.patient_panel.search_edit
    qtbot.mouseClick(search, Qt.MouseButton.LeftButton)
    qtbot.keyClick(search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "Mai"):
        qtbot.keyClicks(search, "Mai")
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_looked_at(shell)) == 4, timeout=10000)
    qtbot.wait(500)
    assert _looked_at(shell)[3:] == [f"image {first}"]
