"""Withdrawing a consent from the patient's record, and seeing what left under it."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def sent_for_teaching(vault_path, corpus, tmp_path, login):
    """Mai Nguyen agreed to teaching; one picture was exported for it, one export stopped dead.

    The second is allowed by the gate and never confirmed made, as an export
    killed between the two leaves it.
    """
    from clinfile.app.consent.model import Disclosure
    from clinfile.app.consent.service import ConsentRequest, ConsentService
    from clinfile.app.consent.vocabulary import Method, Purpose, Recipient, RecipientClass
    from clinfile.app.desk.exports import ExportRequest, export_record
    from clinfile.app.uses.gate import authorise_use

    patients, ids = file_pictures(vault_path, corpus, tmp_path, PLAN)
    students = Recipient(group=RecipientClass.STUDENTS)
    doctor = login("clinician")
    teaching = ConsentService(doctor).record(ConsentRequest(
        patient_id=patients[0], method=Method.VERBAL, purposes=frozenset({Purpose.EDUCATION}),
        recipients=(students,), obtained_by="clinician", obtained_on=date.today(),
        disclosure=Disclosure(True, True, True)))
    folder = tmp_path / "lecture"
    folder.mkdir()
    export_record(doctor, ExportRequest(patients[0], Purpose.EDUCATION, students, "jpeg",
                                        folder, (ids[0],)))
    authorise_use(doctor, [ids[2]], Purpose.EDUCATION, students)
    doctor.lock()
    return ids, teaching.code


def test_reception_withdraws_teaching_consent_by_keyboard_and_sees_what_left(
        qtbot, logged_in, sent_for_teaching):
    ids, code = sent_for_teaching
    shell = logged_in("reception")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    timeline = shell.record_view.timeline
    assert commands.withdraw_button.isEnabled()

    qtbot.keyClick(timeline, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: commands.withdraw_dialog is not None
                    and commands.withdraw_dialog.isVisible(), timeout=10000)
    dialog = commands.withdraw_dialog
    assert dialog.consent_box.hasFocus()
    qtbot.keyClick(dialog.consent_box, Qt.Key.Key_Down)
    assert dialog.chosen_code == code
    assert dialog.reach.text() == "Allows education; students."
    qtbot.waitUntil(lambda: [(b.text(), b.isChecked()) for b in dialog.findChildren(QCheckBox)
                             if b.isVisible()] == [("Education", True)], timeout=5000)
    qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)
    qtbot.keyClicks(dialog.reason_edit, "no longer wants them used for teaching")
    with qtbot.waitSignal(commands.withdrawn, timeout=20000) as withdrawn:
        qtbot.keyClick(dialog, Qt.Key.Key_W, ALT)
    said = withdrawn.args[0]
    assert [u.image_id for u in said.result.uses_already_made] == [ids[0]]
    assert [u.image_id for u in said.result.uses_not_known_sent] == [ids[2]]

    qtbot.waitUntil(lambda: commands.withdrawn_dialog is not None
                    and commands.withdrawn_dialog.isVisible(), timeout=10000)
    shown = commands.withdrawn_dialog
    assert shown.title.text() == f"Consent {code} is withdrawn for education"
    assert "Follow up 1 picture already sent and 1 picture not known to be sent." in \
        shown.summary.text()
    sent = shown.sent.text()
    assert shown.sent_heading.text().startswith("Already sent before the withdrawal")
    taken = "The picture of the left lower leg (above the ankle) taken "
    assert taken in sent and ": exported for education to students, " in sent
    assert sent.rstrip().endswith(", by clinician")
    not_known = shown.not_known.text()
    assert shown.not_known_heading.text().startswith(
        "Allowed under this consent, not known to be sent")
    assert "The picture of the face taken " in not_known
    for words in (sent, not_known):
        assert str(ids[0]) not in words.split() and "image" not in words

    qtbot.keyClick(shown.close_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: timeline.hasFocus() and shell.window.isActiveWindow(),
                    timeout=5000)
    qtbot.waitUntil(lambda: "withdrawn for education" in shell.record_view.status.text(),
                    timeout=10000)


def test_a_clinician_withdraws_by_mouse_with_nothing_sent(qtbot, logged_in, filed_only):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    qtbot.mouseClick(commands.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: commands.withdraw_dialog is not None
                    and commands.withdraw_dialog.isVisible(), timeout=10000)
    dialog = commands.withdraw_dialog
    assert dialog.chosen_code == shell.record_view.timeline.chosen()[0].consent_code
    with qtbot.waitSignal(commands.withdrawn, timeout=20000):
        qtbot.mouseClick(dialog.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: commands.withdrawn_dialog is not None
                    and commands.withdrawn_dialog.isVisible(), timeout=10000)
    shown = commands.withdrawn_dialog
    assert "there is nothing to follow up" in shown.summary.text()
    assert not shown.sent.isVisible() and not shown.not_known.isVisible()
    qtbot.mouseClick(shown.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shown.isVisible(), timeout=5000)

    qtbot.mouseClick(commands.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: commands.withdraw_dialog is not dialog
                    and commands.withdraw_dialog.isVisible(), timeout=10000)
    again = commands.withdraw_dialog
    assert not again.withdraw_button.isEnabled()
    assert "already withdrawn" in again.message.text()


@pytest.fixture
def filed_only(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)
