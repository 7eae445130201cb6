"""Opening a patient's record and looking back at their pictures, by keyboard and by mouse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.record_pictures import file_pictures

PLAN = [(0, "left-lower-leg: above the ankle", "leg ulcer"),
        (0, "left-lower-leg: above the ankle", "leg ulcer"),
        (0, "face", "mole on the cheek"),
        (1, "right-hand", "burn")]


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def open_record_by_keyboard(qtbot, shell, typed: str):
    """Ctrl+3, type the name, Enter: the record opens with its thumbnails."""
    record = shell.record
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert shell.window.current_page() == "record"
    search = shell.record_view.patient_panel.search_edit
    assert search.hasFocus()
    with qtbot.waitSignal(record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == typed):
        qtbot.keyClicks(search, typed)
    with qtbot.waitSignal(record.record_shown, timeout=15000):
        qtbot.keyClick(search, Qt.Key.Key_Return)
    timeline = shell.record_view.timeline
    shown = [p.image_id for p in record.record.pictures if p.shown]
    qtbot.waitUntil(lambda: all(timeline.thumbnail_shown(i) for i in shown), timeout=15000)
    return record.record


def test_a_clinician_opens_a_record_by_keyboard_and_reads_each_picture(qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("clinician")
    record = open_record_by_keyboard(qtbot, shell, "Mai Nguyen")

    view = shell.record_view
    assert record.patient_id == patients[0]
    assert view.banner.name.text() == "NGUYEN, Mai"
    assert "3 pictures" in view.banner.details.text()
    model = view.timeline.model_
    titles = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert len(titles) == 2
    assert titles[0].startswith("Leg ulcer — left lower leg (above the ankle)\n2 pictures")
    assert titles[1].startswith("Mole on the cheek — face\n1 picture")
    assert sorted(view.timeline.picture_ids()) == sorted(ids[:3])
    assert all(view.timeline.thumbnail_shown(i) for i in ids[:3])

    timeline = view.timeline
    assert timeline.hasFocus()
    newest = timeline.chosen()
    assert [p.image_id for p in newest] == timeline.picture_ids()[:1]
    qtbot.keyClick(timeline, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: timeline.chosen() and timeline.chosen() != newest, timeout=5000)
    details = view.details
    picture = timeline.chosen()[0]
    assert picture.image_id == timeline.picture_ids()[1]
    assert details.facts["kind"].text() == "Clinical photo"
    assert "verbal consent" in details.facts["consent"].text().lower()
    assert "clinical care" in details.facts["limits"].text()
    assert "filed by clinician" in details.facts["history"].text()
    assert details.facts["exports"].text() == "never exported"
    assert picture.body_site.label in details.facts["site"].text()
    qtbot.waitUntil(lambda: details.preview.pixmap() is not None
                    and not details.preview.pixmap().isNull(), timeout=5000)

    qtbot.keyClick(timeline, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(timeline.chosen()) == 2, timeout=5000)
    assert "2 pictures chosen" in details.hint.text()


def test_a_receptionist_opens_a_record_by_mouse(qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("reception")
    window = shell.window
    window.record_action.trigger()
    view = shell.record_view
    panel = view.patient_panel
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "Linh Tran"):
        qtbot.keyClicks(panel.search_edit, "Linh Tran")
    qtbot.waitUntil(lambda: panel.candidates.count() > 0, timeout=5000)
    panel.candidates.setCurrentRow(0)
    with qtbot.waitSignal(shell.record.thumbnails_shown, timeout=15000):
        qtbot.mouseClick(panel.choose_button, Qt.MouseButton.LeftButton)
    assert view.timeline.picture_ids() == [ids[3]]
    model = view.timeline.model_
    rect = view.timeline.visualRect(model.index(0, 0, model.index(0, 0)))
    qtbot.mouseClick(view.timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.details.facts["site"].text() == "right hand", timeout=5000)


def test_the_desk_opens_the_chosen_patients_record(qtbot, logged_in, filed):
    from tests.ui.helpers import choose_patient

    patients, ids = filed
    shell = logged_in("clinician")
    choose_patient(qtbot, shell, "Linh Tran")
    with qtbot.waitSignal(shell.record.thumbnails_shown, timeout=15000):
        qtbot.keyClick(shell.window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert shell.window.current_page() == "record"
    assert shell.record.record.patient_id == patients[1]


def test_logging_out_forgets_the_record(qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    shell.log_out()
    assert shell.record.record is None
    assert shell.record_view.timeline.picture_ids() == []
    assert shell.record_view.details.facts["consent"].text() == ""


def test_locking_while_thumbnails_load_hides_the_record_and_unlocking_finishes_them(
        qtbot, logged_in, filed):
    from tests.conftest import PASSWORDS

    patients, ids = filed
    shell = logged_in("clinician")
    shell.show_records()
    with qtbot.waitSignal(shell.record.record_shown, timeout=10000):
        shell.record.open_patient(patients[0])
    with qtbot.waitSignal(shell.locked, timeout=5000):
        shell.lock("Clinfile was locked.", "by hand")
    window = shell.window
    assert window.covered and not shell.record_view.isVisible()
    qtbot.waitUntil(lambda: shell.desk.session.locked, timeout=5000)
    qtbot.keyClicks(window.lock_view.password_edit, PASSWORDS["clinician"])
    with qtbot.waitSignal(shell.unlocked, timeout=10000):
        qtbot.keyClick(window.lock_view.password_edit, Qt.Key.Key_Return)
    assert window.current_page() == "record"
    qtbot.waitUntil(lambda: all(shell.record_view.timeline.thumbnail_shown(i)
                                for i in ids[:3]), timeout=15000)
    assert "could not" not in shell.record_view.status.text().lower()


def test_opening_a_record_again_lets_go_of_the_pictures_shown_before(qtbot, logged_in, filed):
    import gc

    from clinfile.app.record.model import RecordPicture

    patients, _ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    for _ in range(3):
        with qtbot.waitSignal(shell.record.thumbnails_shown, timeout=15000):
            shell.record.open_patient(patients[0])
    gc.collect()
    held = [o for o in gc.get_objects() if isinstance(o, RecordPicture)]
    assert len(held) <= len(shell.record.record.pictures)
