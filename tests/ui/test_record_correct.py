"""Correcting a filing from the record: the right patient, the right site; both records show it."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.ui.helpers import pick
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def open_correct(qtbot, shell):
    """Alt+R, then wait for the dialog to be in front and take keys, as a person waits.

    A dialog is shown before the window system makes it the active window;
    until then its Alt keys reach nothing.
    """
    qtbot.keyClick(shell.record_view.timeline, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    commands = shell.record.commands
    qtbot.waitUntil(lambda: commands.correct_dialog is not None
                    and shiboken6.isValid(commands.correct_dialog)
                    and commands.correct_dialog.isActiveWindow(), timeout=5000)
    return commands.correct_dialog


def correcting(qtbot, logged_in, image_id: int):
    """A clinician in Mai Nguyen's record, one picture chosen, the Correct dialog open."""
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline = shell.record_view.timeline
    timeline.choose([image_id])
    timeline.setFocus()
    return shell, timeline, open_correct(qtbot, shell)


def move_by_keyboard(qtbot, shell, dialog, name: str, reason: str, moving_to: str = ""):
    """Find the right patient in the dialog, choose them with Return, give the reason, Return."""
    search = dialog.patient_panel.search_edit
    search.setFocus()
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == name):
        qtbot.keyClicks(search, name)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.patient_panel.candidates, Qt.Key.Key_Return)
    assert moving_to in dialog.moving_to.text()
    assert dialog.isVisible()
    assert dialog.reason.hasFocus()
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClicks(dialog.reason, reason)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)


def test_a_picture_filed_to_the_wrong_patient_moves_by_keyboard_and_both_records_say_so(
        qtbot, logged_in, filed):
    patients, ids = filed
    shell, timeline, dialog = correcting(qtbot, logged_in, ids[2])

    move_by_keyboard(qtbot, shell, dialog, "Linh Tran", "filed to the wrong patient",
                     "TRAN, Linh (born 14/02/1988, record 900002)")

    mai = shell.record.record
    assert mai.count == 2
    assert [p.image_id for p in mai.moved_away] == [ids[2]]
    assert "1 moved to another patient's record" in shell.record_view.banner.details.text()
    timeline.choose([ids[2]])
    history = shell.record_view.details.facts["history"].text()
    assert "moved from NGUYEN, Mai (record 900001) to TRAN, Linh (record 900002)" in history
    assert "because: filed to the wrong patient" in history
    assert not shell.record.commands.correct_button.isEnabled()

    with qtbot.waitSignal(shell.record.record_shown, timeout=15000,
                          check_params_cb=lambda r: r.patient_id == patients[1]):
        shell.record.open_patient(patients[1])
    linh = shell.record.record
    assert sorted(p.image_id for p in linh.pictures) == sorted([ids[2], ids[3]])
    qtbot.waitUntil(lambda: shell.record_view.timeline.thumbnail_shown(ids[2]), timeout=15000)


def test_a_picture_moved_there_and_back_names_both_patients_in_both_records(
        qtbot, logged_in, filed):
    patients, ids = filed
    shell, timeline, dialog = correcting(qtbot, logged_in, ids[2])
    move_by_keyboard(qtbot, shell, dialog, "Linh Tran", "wrong patient")
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000,
                          check_params_cb=lambda r: r.patient_id == patients[1]):
        shell.record.open_patient(patients[1])
    timeline.choose([ids[2]])
    qtbot.mouseClick(shell.record.commands.correct_button, Qt.MouseButton.LeftButton)
    dialog = shell.record.commands.correct_dialog
    move_by_keyboard(qtbot, shell, dialog, "Mai Nguyen", "it was hers")

    mai, linh = "NGUYEN, Mai (record 900001)", "TRAN, Linh (record 900002)"
    for patient_id in (patients[1], patients[0]):
        if shell.record.record.patient_id != patient_id:
            with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
                shell.record.open_patient(patient_id)
        timeline.choose([ids[2]])
        details = shell.record_view.details
        history = details.facts["history"].text().splitlines()
        assert f" to {mai} as " in history[0]
        assert f"moved from {mai} to {linh}" in history[1]
        assert f"moved from {linh} to {mai}" in history[2]
        assert "a patient" not in " ".join(history)
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        shell.record.open_patient(patients[1])
    timeline.choose([ids[2]])
    details = shell.record_view.details
    assert details.hint.text() == f"This picture was moved to another patient's record: {mai}."
    assert not details.facts["limits"].isVisibleTo(details)
    assert details.facts["consent"].isVisibleTo(details)


def test_the_wrong_side_is_corrected_with_a_reason_and_the_first_filing_stays(
        qtbot, logged_in, filed):
    _patients, ids = filed
    shell, timeline, dialog = correcting(qtbot, logged_in, ids[0])
    pick(qtbot, dialog.side, "right")
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    assert "Say why" in dialog.problem.text()
    qtbot.keyClicks(dialog.reason, "wrong side")
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    picture = shell.record.record and timeline.chosen()[0]
    assert picture.image_id == ids[0]
    assert picture.body_site.label == "right lower leg (above the ankle)"
    history = shell.record_view.details.facts["history"].text()
    assert "left lower leg (above the ankle)" in history.splitlines()[0]
    assert "body site corrected to right lower leg (above the ankle)" in history
    assert "Corrected: the picture of the" in shell.record_view.status.text()


def test_a_receptionist_cannot_correct_and_is_told_who_can(qtbot, logged_in, filed):
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    assert shell.record.commands.compare_button.isEnabled()
    assert not shell.record.commands.correct_button.isEnabled()
    assert "clinician" in shell.record.commands.correct_button.toolTip()


def test_every_field_of_the_correct_dialog_has_its_key_and_tab_follows_the_form(
        qtbot, logged_in, filed):
    _patients, ids = filed
    shell, _timeline, dialog = correcting(qtbot, logged_in, ids[0])
    panel = dialog.patient_panel
    keys = {Qt.Key.Key_W: dialog.kind, Qt.Key.Key_H: dialog.site, Qt.Key.Key_S: dialog.side,
            Qt.Key.Key_M: dialog.detail, Qt.Key.Key_D: dialog.description,
            Qt.Key.Key_I: dialog.width_mm, Qt.Key.Key_F: panel.search_edit,
            Qt.Key.Key_R: dialog.reason}
    for key, field in keys.items():
        qtbot.keyClick(dialog.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        assert dialog.isVisible()
        assert field.hasFocus() or field.isAncestorOf(dialog.focusWidget()), field.accessibleName()

    dialog.kind.setFocus()
    order = [dialog.kind, dialog.site, dialog.side, dialog.detail, dialog.description,
             dialog.width_mm, panel.search_edit, panel.candidates, dialog.reason,
             dialog.correct_button]
    for expected in order:
        assert expected.hasFocus() or expected.isAncestorOf(dialog.focusWidget()), \
            expected.accessibleName()
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)

    qtbot.keyClick(panel.search_edit, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "Linh Tran"):
        qtbot.keyClicks(panel.search_edit, "Linh Tran")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    qtbot.keyClick(panel.candidates, Qt.Key.Key_Return)
    assert "when you press Correct" in dialog.moving_to.text()
    assert "the move is made on Correct" in panel.choose_button.text()


def test_alt_r_opens_correct_again_after_each_dialog_closes(qtbot, logged_in, filed):
    _patients, ids = filed
    shell, timeline, first = correcting(qtbot, logged_in, ids[0])
    qtbot.keyClick(first, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shiboken6.isValid(first) or not first.isVisible(),
                    timeout=5000)
    qtbot.waitUntil(lambda: timeline.hasFocus() and shell.window.isActiveWindow(), timeout=5000)

    second = open_correct(qtbot, shell)
    assert second is not first
    second.description.setFocus()
    second.description.selectAll()
    qtbot.keyClicks(second.description, "leg ulcer, healing")
    second.reason.setFocus()
    qtbot.keyClicks(second.reason, "described more exactly")
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClick(second.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not shiboken6.isValid(second) or not second.isVisible(),
                    timeout=5000)
    qtbot.waitUntil(lambda: timeline.hasFocus() and shell.window.isActiveWindow(), timeout=5000)
    third = open_correct(qtbot, shell)
    assert third.description.text() == "leg ulcer, healing"


def test_a_corrected_site_heads_its_pictures_and_the_earlier_site_reads_as_the_correction(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session
    from tests.conftest import PASSWORDS

    patients, ids = file_pictures(vault_path, corpus, tmp_path,
                                  [(0, "left-ankle", "rash left ankle")] * 2)
    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    FilingService(doctor).correct_body_site(ids[0], BodySite.parse("right-knee"),
                                            "wrong site", filed_to=patients[0])
    doctor.lock()
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    model = shell.record_view.timeline.model_
    headings = {model.index(row, 0).data().splitlines()[0]: model.index(row, 0).data()
                for row in range(model.rowCount())}
    assert set(headings) == {"Rash right knee", "Rash left ankle"}
    corrected = headings["Rash right knee"].splitlines()
    assert corrected[1].startswith("was: left ankle, corrected ")
    assert corrected[1].endswith(" by clinician")
    assert corrected[2].startswith("1 picture, ")
    assert len(headings["Rash left ankle"].splitlines()) == 2
    heights = {model.index(row, 0).data().splitlines()[0]:
               model.index(row, 0).data(Qt.ItemDataRole.SizeHintRole).height()
               for row in range(model.rowCount())}
    assert heights["Rash right knee"] > heights["Rash left ankle"], "no line is cut off"


def test_a_pasted_reason_over_the_limit_and_a_picture_moved_meanwhile_are_refused_in_words(
        qtbot, logged_in, filed, vault_path):
    from PySide6.QtWidgets import QApplication

    from clinfile.app.filing.service import REASON_LIMIT, FilingService
    from clinfile.app.security.session import Session
    from tests.conftest import PASSWORDS

    patients, ids = filed
    shell, _timeline, dialog = correcting(qtbot, logged_in, ids[0])
    pick(qtbot, dialog.side, "right")
    QApplication.clipboard().setText("the wrong side was chosen " * 40)
    dialog.reason.setFocus()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "characters long" in dialog.problem.text(), timeout=15000)
    assert f"say why in at most {REASON_LIMIT}" in dialog.problem.text()
    assert dialog.isVisible() and dialog.reason.text().startswith("the wrong side")

    elsewhere = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    FilingService(elsewhere).move_to_patient(ids[0], patients[1], "wrong patient",
                                             filed_to=patients[0])
    elsewhere.lock()
    dialog.reason.selectAll()
    qtbot.keyClicks(dialog.reason, "wrong side")
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no longer in the record" in dialog.problem.text(), timeout=15000)
    words = " ".join(dialog.problem.text().split())
    assert words.startswith("The picture of the ")
    assert "is no longer in the record of NGUYEN, Mai" in words
    assert "nothing was corrected" in words


def search_in(qtbot, shell, dialog, name: str) -> None:
    """Alt+F, type the name and wait for the candidates, as a person waits for the list."""
    search = dialog.patient_panel.search_edit
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert search.hasFocus()
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == name):
        qtbot.keyClicks(search, name)


def test_the_record_the_pictures_are_in_is_no_place_to_move_them(qtbot, logged_in, filed):
    _patients, ids = filed
    shell, _timeline, dialog = correcting(qtbot, logged_in, ids[0])
    panel = dialog.patient_panel
    search_in(qtbot, shell, dialog, "Mai Nguyen")
    [here] = [panel.candidates.item(row) for row in range(panel.candidates.count())
              if "NGUYEN, Mai" in panel.candidates.item(row).text()]
    assert "this record" in here.text()
    panel.candidates.setCurrentItem(here)
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    qtbot.mouseClick(panel.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.to_patient is None
    assert "already in this record" in dialog.moving_to.text()
    assert dialog.isVisible()


def test_choosing_the_patient_by_enter_leaves_room_and_asks_for_no_reason_yet(
        qtbot, logged_in, filed):
    _patients, ids = filed
    shell, _timeline, dialog = correcting(qtbot, logged_in, ids[0])
    candidates = dialog.patient_panel.candidates
    search_in(qtbot, shell, dialog, "Linh Tran")
    row = candidates.sizeHintForRow(0)
    assert candidates.viewport().height() >= 4 * row
    assert dialog.height() >= dialog.heightForWidth(dialog.width()), "squeezed below its fields"
    qtbot.keyClick(dialog.patient_panel.search_edit, Qt.Key.Key_Return)
    assert "TRAN, Linh" in dialog.moving_to.text()
    assert dialog.reason.hasFocus()
    assert dialog.problem.text() == "", "asked for the reason before there was a chance to type"
    qtbot.wait(50)
    assert candidates.viewport().height() >= 4 * row, "the list shrank once a patient was chosen"
    assert dialog.height() >= dialog.heightForWidth(dialog.width()), "squeezed below its fields"
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert "Say why" in dialog.problem.text()


def test_the_picture_width_says_what_it_is_and_what_it_is_for(qtbot, logged_in, filed):
    _patients, ids = filed
    _shell, _timeline, dialog = correcting(qtbot, logged_in, ids[0])
    said = " ".join(label.text() for label in dialog.findChildren(QLabel)
                    if label.isVisible())
    assert "ruler" in said and "same scale" in said


def test_a_long_correction_message_stops_short_of_the_vault_name(qtbot, logged_in, filed):
    _patients, ids = filed
    shell = logged_in("clinician")
    shell.window.resize(1280, 800)
    shell.window.show()
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    shell.record_view.timeline.choose([ids[0]])
    shell.record_view.timeline.setFocus()
    dialog = open_correct(qtbot, shell)
    pick(qtbot, dialog.kind, "Wound")
    pick(qtbot, dialog.side, "right")
    dialog.description.selectAll()
    qtbot.keyClicks(dialog.description, "leg ulcer on the inner side, healing well")
    qtbot.keyClicks(dialog.reason, "checked with the patient")
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    message, vault = shell.window.activity, shell.window.where
    said = message.text()
    assert said.startswith("Corrected: ") and message.toolTip() == said
    assert message.fontMetrics().horizontalAdvance(said) > message.width(), "it must not fit"
    assert message.geometry().right() < vault.geometry().left()
    bar = shell.window.statusBar().grab().toImage()
    end = message.geometry().right()
    ink = [(x, y) for x in range(end - 8, end + 1)
           for y in range(message.geometry().top(), message.geometry().bottom())
           if bar.pixelColor(x, y).lightness() < 160]
    assert ink == [], "the message runs on to the vault label's edge"
    assert "…" in message.shown_text()


def test_after_a_correction_refused_for_a_picture_moved_meanwhile_the_buttons_say_why(
        qtbot, logged_in, filed, vault_path):
    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session
    from tests.conftest import PASSWORDS

    patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    commands = shell.record.commands
    view.timeline.choose([ids[0], ids[1], ids[2]])
    view.timeline.setFocus()
    dialog = open_correct(qtbot, shell)
    pick(qtbot, dialog.side, "right")
    elsewhere = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    FilingService(elsewhere).move_to_patient(ids[0], patients[1], "wrong patient",
                                             filed_to=patients[0])
    elsewhere.lock()
    dialog.reason.setFocus()
    qtbot.keyClicks(dialog.reason, "wrong side")
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no longer in the record" in dialog.problem.text(), timeout=15000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.timeline.picture(ids[0]).here, timeout=15000)
    qtbot.waitUntil(lambda: "1 of the 3 chosen pictures" in view.status.text(), timeout=8000)
    assert "choose the pictures again on the timeline" in view.status.text()
    for button in (commands.compare_button, commands.correct_button, commands.export_button,
                   commands.summary_button):
        assert not button.isEnabled()
        assert "1 of the 3 chosen pictures is no longer in this record" in button.toolTip()

    view.timeline.choose([ids[1], ids[2]])
    assert commands.correct_button.isEnabled()
    assert commands.correct_button.toolTip().startswith("Move the chosen pictures")
