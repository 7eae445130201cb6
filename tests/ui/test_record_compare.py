"""Comparing pictures of one site: side by side, one scale, zoom and pan together, by keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def open_compare(qtbot, shell):
    record = shell.record.commands
    timeline = shell.record_view.timeline
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: record.compare_dialog is not None
                    and record.compare_dialog.isVisible(), timeout=5000)
    dialog = record.compare_dialog
    qtbot.waitUntil(lambda: len(dialog.images) == len(dialog.panes), timeout=15000)
    return dialog


def scene_height(pane) -> float:
    return pane.item.boundingRect().height() * pane.item.scale()


def test_enter_compares_a_picture_with_the_one_before_at_the_same_height(
        qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    newest = shell.record_view.timeline.chosen()[0]
    assert newest.description == "leg ulcer"
    dialog = open_compare(qtbot, shell)

    left, right = dialog.panes
    assert left.picture.image_id == newest.image_id
    assert right.picture.taken.sorts_as < left.picture.taken.sorts_as
    assert left.caption.text().startswith("Taken ")
    assert not dialog.physical and "same height" in dialog.scale_note.text()
    assert scene_height(left) == pytest.approx(scene_height(right))

    left.setFocus()
    before = left.transform().m11()
    qtbot.keyClick(left, Qt.Key.Key_Plus)
    qtbot.keyClick(left, Qt.Key.Key_Plus)
    assert left.transform().m11() == pytest.approx(before * 1.25 * 1.25)
    assert right.transform().m11() == left.transform().m11()
    left.horizontalScrollBar().setValue(left.horizontalScrollBar().maximum() // 2)
    assert right.horizontalScrollBar().value() == left.horizontalScrollBar().value()
    qtbot.keyClick(left, Qt.Key.Key_0)
    assert left.transform().m11() == pytest.approx(before, rel=0.05)

    qtbot.keyClick(left, Qt.Key.Key_PageDown)
    assert left.picture.image_id == newest.image_id, "the older one is already on the right"
    qtbot.keyClick(right, Qt.Key.Key_PageUp)
    assert right.picture.image_id != left.picture.image_id
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_pictures_with_a_scale_are_compared_millimetre_for_millimetre(
        qtbot, logged_in, filed, vault_path):
    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session
    from tests.conftest import PASSWORDS

    patients, ids = filed
    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    scales = {ids[0]: 4.0, ids[1]: 10.0}
    for image_id, scale in scales.items():
        FilingService(doctor).set_scale(image_id, scale, "ruler in the picture",
                                        filed_to=patients[0])
    doctor.lock()

    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline = shell.record_view.timeline
    timeline.choose(ids[:2])
    qtbot.mouseClick(shell.record.commands.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.record.commands.compare_dialog is not None
                    and len(shell.record.commands.compare_dialog.images) == 2, timeout=15000)
    dialog = shell.record.commands.compare_dialog
    assert dialog.physical and "same scale" in dialog.scale_note.text()
    for pane in dialog.panes:
        picture = pane.picture
        assert scene_height(pane) == pytest.approx(picture.height / scales[picture.image_id],
                                                   rel=0.01)


def test_pictures_of_different_sites_are_not_compared(qtbot, logged_in, filed):
    _patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    shell.record_view.timeline.choose([ids[0], ids[2]])
    qtbot.mouseClick(shell.record.commands.compare_button, Qt.MouseButton.LeftButton)
    assert shell.record.commands.compare_dialog is None
    assert "one body site" in shell.record_view.status.text()


THREE_VISITS = [(0, "left-lower-leg: above the ankle", "leg ulcer")] * 3 + PLAN[2:]


def test_page_keys_step_past_the_picture_shown_in_the_other_pane(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    file_pictures(vault_path, corpus, tmp_path, THREE_VISITS)
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    dialog = open_compare(qtbot, shell)
    left, right = dialog.panes
    newest, middle, oldest = (p.image_id for p in dialog.site)
    assert (left.picture.image_id, right.picture.image_id) == (newest, middle)

    left.setFocus()
    qtbot.keyClick(left, Qt.Key.Key_PageDown)
    assert left.picture.image_id == oldest
    qtbot.keyClick(left, Qt.Key.Key_PageUp)
    assert left.picture.image_id == newest
    right.setFocus()
    qtbot.keyClick(right, Qt.Key.Key_PageUp)
    assert right.picture.image_id == middle, "the newest is already on the left"
    qtbot.keyClick(right, Qt.Key.Key_PageDown)
    assert right.picture.image_id == oldest
    qtbot.keyClick(right, Qt.Key.Key_PageUp)
    assert right.picture.image_id == middle


def test_the_dates_stay_in_the_corner_when_the_pictures_are_zoomed_and_moved(
        qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    dialog = open_compare(qtbot, shell)
    left, right = dialog.panes
    corners = [pane.caption.pos() for pane in dialog.panes]

    left.setFocus()
    for _ in range(4):
        qtbot.keyClick(left, Qt.Key.Key_Plus)
    for _ in range(6):
        qtbot.keyClick(left, Qt.Key.Key_Right)
        qtbot.keyClick(left, Qt.Key.Key_Down)
    assert left.horizontalScrollBar().value() > 0
    qtbot.mousePress(right.viewport(), Qt.MouseButton.LeftButton,
                     pos=right.viewport().rect().center())
    qtbot.mouseMove(right.viewport(), right.viewport().rect().center() + QPoint(-40, -30))
    qtbot.mouseRelease(right.viewport(), Qt.MouseButton.LeftButton,
                       pos=right.viewport().rect().center() + QPoint(-40, -30))
    for pane, corner in zip(dialog.panes, corners, strict=True):
        assert pane.caption.pos() == corner
        assert pane.viewport().rect().contains(pane.caption.geometry())
        assert pane.caption.isVisible()
