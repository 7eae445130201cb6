"""Each view used by keyboard alone: every key goes where the keyboard is, as a person's does.

No widget is focused or set by hand here: a field is reached by its Alt key,
Tab or the keys the view offers, so a missing key, a focus trap or a button
outside the tab order fails the test.
"""

from __future__ import annotations

import csv
import subprocess

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def keyboard_is_at():
    """Where a key pressed now goes: an open drop-down list first, else the focus."""
    popup = QApplication.activePopupWidget()
    here = popup.focusWidget() or popup if popup is not None else QApplication.focusWidget()
    assert here is not None, "nothing has the keyboard"
    return here


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key where the keyboard is now."""
    qtbot.keyClick(keyboard_is_at(), key, modifier)


def write(qtbot, text: str) -> None:
    """Type where the keyboard is now (in a drop-down list, a space would open the list)."""
    qtbot.keyClicks(keyboard_is_at(), text)


def tab_to(qtbot, widget, most: int = 30) -> None:
    """Press Tab until ``widget`` has the keyboard; fail if it never does."""
    for _ in range(most):
        if widget.hasFocus():
            return
        press(qtbot, Qt.Key.Key_Tab)
    assert widget.hasFocus(), f"Tab never reaches {widget.accessibleName()}"


def save_by_keyboard(qtbot, dialog, path) -> None:
    """In the window's save dialog: type the whole path where the name goes, then Return."""
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.isActiveWindow(), timeout=5000)
    press(qtbot, Qt.Key.Key_A, CTRL)
    write(qtbot, str(path))
    press(qtbot, Qt.Key.Key_Return)


def wait_for_timeline(qtbot, shell) -> None:
    """A dialog closed: the keyboard is back on the timeline, as a person sees it."""
    timeline = shell.record_view.timeline
    qtbot.waitUntil(lambda: timeline.hasFocus() and shell.window.isActiveWindow(), timeout=5000)


# --- record and compare ---------------------------------------------------------------------


def test_compare_steps_zooms_and_pans_together_by_keyboard_alone(qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: commands.compare_dialog is not None
                    and commands.compare_dialog.isVisible(), timeout=5000)
    dialog = commands.compare_dialog
    qtbot.waitUntil(lambda: len(dialog.images) == len(dialog.panes), timeout=15000)
    left, right = dialog.panes
    assert left.hasFocus()
    before = left.transform().m11()
    press(qtbot, Qt.Key.Key_Plus)
    press(qtbot, Qt.Key.Key_Plus)
    assert left.transform().m11() > before
    assert right.transform().m11() == pytest.approx(left.transform().m11())
    for _ in range(4):
        press(qtbot, Qt.Key.Key_Right)
        press(qtbot, Qt.Key.Key_Down)
    assert left.horizontalScrollBar().value() > 0
    assert right.horizontalScrollBar().value() == left.horizontalScrollBar().value()
    assert right.verticalScrollBar().value() == left.verticalScrollBar().value()
    tab_to(qtbot, right, most=3)
    shown = right.picture.image_id
    press(qtbot, Qt.Key.Key_PageUp)
    assert right.picture.image_id != shown or len(dialog.site) == 2
    press(qtbot, Qt.Key.Key_0)
    assert left.transform().m11() == pytest.approx(before, rel=0.05)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5000)
    wait_for_timeline(qtbot, shell)


# --- correct ----------------------------------------------------------------------------------


def test_kind_site_side_and_description_are_corrected_by_keyboard_alone(
        qtbot, logged_in, filed):
    _patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline = shell.record_view.timeline
    [first] = [p.image_id for p in timeline.chosen()]
    assert first in ids[:2]
    press(qtbot, Qt.Key.Key_R, ALT)
    commands = shell.record.commands
    qtbot.waitUntil(lambda: commands.correct_dialog is not None
                    and shiboken6.isValid(commands.correct_dialog)
                    and commands.correct_dialog.isActiveWindow(), timeout=5000)
    dialog = commands.correct_dialog
    press(qtbot, Qt.Key.Key_W, ALT)
    write(qtbot, "Wound")
    press(qtbot, Qt.Key.Key_H, ALT)
    write(qtbot, "Calf")
    press(qtbot, Qt.Key.Key_S, ALT)
    write(qtbot, "right")
    press(qtbot, Qt.Key.Key_D, ALT)
    press(qtbot, Qt.Key.Key_A, CTRL)
    write(qtbot, "leg ulcer, healing")
    press(qtbot, Qt.Key.Key_R, ALT)
    write(qtbot, "checked with the patient")
    here = QApplication.focusWidget()
    assert dialog.reason.hasFocus(), (here, here.accessibleName())
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5000)
    wait_for_timeline(qtbot, shell)
    picture = timeline.chosen()[0]
    assert picture.image_id == first
    assert picture.description == "leg ulcer, healing"
    assert picture.body_site.label.startswith("right calf")
    history = shell.record_view.details.facts["history"].text()
    assert "body site corrected to right calf" in history
    assert "description corrected to 'leg ulcer, healing'" in history
    assert "because: checked with the patient" in history


# --- export and print -------------------------------------------------------------------------


def _print_to(path):
    """The system print dialog answered as a person does who prints to a PDF file.

    There is no printer here: the dialog the system shows is the one thing
    this stands in for.
    """

    def answered(dialog) -> QPrintDialog.DialogCode:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(path))
        return QPrintDialog.DialogCode.Accepted

    return answered


def test_chosen_pictures_are_exported_and_printed_by_keyboard_alone(
        qtbot, logged_in, filed, tmp_path, monkeypatch):
    _patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline, commands = shell.record_view.timeline, shell.record.commands
    press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = sorted(p.image_id for p in timeline.chosen())
    assert chosen == sorted(ids[:2])

    press(qtbot, Qt.Key.Key_X, ALT)
    qtbot.waitUntil(lambda: commands.export_dialog is not None
                    and commands.export_dialog.isActiveWindow(), timeout=5000)
    dialog = commands.export_dialog
    press(qtbot, Qt.Key.Key_F, ALT)
    write(qtbot, "Clinical")
    press(qtbot, Qt.Key.Key_S, ALT)
    press(qtbot, Qt.Key.Key_Home)
    assert dialog.recipient.currentText() == "The treating team"
    folder = tmp_path / "for the team"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(commands.exported, timeout=20000):
        press(qtbot, Qt.Key.Key_Return)
    assert len(list(folder.iterdir())) == 1
    wait_for_timeline(qtbot, shell)

    summary = tmp_path / "summary.pdf"
    monkeypatch.setattr(QPrintDialog, "exec", _print_to(summary))
    press(qtbot, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: "summary was sent to the printer" in
                    shell.record_view.status.text(), timeout=20000)
    assert summary.read_bytes().startswith(b"%PDF")

    press(qtbot, Qt.Key.Key_Down)
    assert len(timeline.chosen()) == 1
    form = tmp_path / "form.pdf"
    monkeypatch.setattr(QPrintDialog, "exec", _print_to(form))
    press(qtbot, Qt.Key.Key_O, ALT)
    qtbot.waitUntil(lambda: form.exists() and "was sent to the printer" in
                    shell.record_view.status.text(), timeout=20000)
    assert form.read_bytes().startswith(b"%PDF")


# --- find -------------------------------------------------------------------------------------


def test_earlier_filings_are_found_by_kind_site_dates_and_words_by_keyboard_alone(
        qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("clinician")
    press(qtbot, Qt.Key.Key_3, CTRL)
    view = shell.record_view
    press(qtbot, Qt.Key.Key_N, ALT)
    panel = view.find_panel
    assert view.finding.currentWidget() is panel
    press(qtbot, Qt.Key.Key_K, ALT)
    assert panel.kind.hasFocus()
    write(qtbot, "Clinical")
    press(qtbot, Qt.Key.Key_B, ALT)
    assert panel.site.hasFocus()
    write(qtbot, "Hand")
    press(qtbot, Qt.Key.Key_M, ALT)
    here = QApplication.focusWidget()
    assert panel.since.hasFocus(), (here, here.accessibleName(), QApplication.activePopupWidget())
    write(qtbot, "01012000")
    press(qtbot, Qt.Key.Key_U, ALT)
    assert panel.until.hasFocus()
    write(qtbot, "31122030")
    press(qtbot, Qt.Key.Key_W, ALT)
    assert panel.words.hasFocus()
    write(qtbot, "burn")
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        press(qtbot, Qt.Key.Key_Return)
    assert [panel.list.item(n).data(Qt.UserRole + 1).image_id
            for n in range(panel.list.count())] == [ids[3]]
    tab_to(qtbot, panel.list)
    with qtbot.waitSignal(shell.record.record_shown, timeout=10000):
        press(qtbot, Qt.Key.Key_Return)
    assert shell.record.record.patient_id == patients[1]


def test_today_jumps_to_a_record_by_keyboard_alone(qtbot, logged_in, filed):
    patients, ids = filed
    shell = logged_in("reception")
    press(qtbot, Qt.Key.Key_3, CTRL)
    view = shell.record_view
    with qtbot.waitSignal(shell.record.today_shown, timeout=10000):
        press(qtbot, Qt.Key.Key_T, ALT)
    tab_to(qtbot, view.today.list)
    press(qtbot, Qt.Key.Key_Down)
    with qtbot.waitSignal(shell.record.record_shown, timeout=10000):
        press(qtbot, Qt.Key.Key_Return)
    assert shell.record.record.patient_id == patients[0]
    assert [p.image_id for p in view.timeline.chosen()] == [ids[2]]


# --- audit ------------------------------------------------------------------------------------


def test_the_audit_trail_is_exported_to_csv_and_pdf_by_keyboard_alone(
        qtbot, logged_in, tmp_path):
    shell = logged_in("admin")
    press(qtbot, Qt.Key.Key_2, CTRL)
    audit = shell.admin.audit
    with qtbot.waitSignal(audit.shown, timeout=10000) as shown:
        press(qtbot, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(lambda: "can be trusted" in audit.verdict.text(), timeout=10000)
    press(qtbot, Qt.Key.Key_X, ALT)
    qtbot.waitUntil(lambda: getattr(audit, "save_dialog", None) is not None, timeout=5000)
    with qtbot.waitSignal(audit.exported, timeout=20000):
        save_by_keyboard(qtbot, audit.save_dialog, tmp_path / "audit.csv")
    rows = list(csv.reader((tmp_path / "audit.csv").read_text(encoding="utf-8-sig")
                           .splitlines()))
    assert len(rows) > shown.args[0].total > 1
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)
    csv_dialog = audit.save_dialog
    press(qtbot, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: audit.save_dialog is not csv_dialog, timeout=5000)
    assert audit.save_dialog.isVisible()
    with qtbot.waitSignal(audit.exported, timeout=30000):
        save_by_keyboard(qtbot, audit.save_dialog, tmp_path / "audit.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "audit.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Logged in" in text


# --- users ------------------------------------------------------------------------------------


def _users(qtbot, logged_in):
    shell = logged_in("admin")
    press(qtbot, Qt.Key.Key_2, CTRL)
    press(qtbot, Qt.Key.Key_U, ALT)
    users = shell.admin.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=5000)
    return shell, users


def _to_user(qtbot, users, name: str) -> None:
    """Tab to the list of users and step down it to ``name``."""
    tab_to(qtbot, users.table)
    press(qtbot, Qt.Key.Key_Home)
    for _ in range(users.table.rowCount()):
        if users.table.item(users.table.currentRow(), 0).text() == name:
            return
        press(qtbot, Qt.Key.Key_Down)
    assert users.table.item(users.table.currentRow(), 0).text() == name


def test_a_user_is_disabled_by_keyboard_alone(qtbot, logged_in):
    shell, users = _users(qtbot, logged_in)
    _to_user(qtbot, users, "reception")
    press(qtbot, Qt.Key.Key_B, ALT)
    qtbot.waitUntil(lambda: getattr(users, "disable_box", None) is not None
                    and users.disable_box.isActiveWindow(), timeout=5000)
    box = users.disable_box
    assert "reception will no longer be able to log in" in box.text()
    go = next(b for b in box.buttons() if b.text() == "Disable")
    tab_to(qtbot, go, most=4)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "can no longer log in" in users.message.text(), timeout=15000)


def test_the_recovery_key_is_replaced_and_a_password_reset_by_keyboard_alone(
        qtbot, logged_in, vault_path, tmp_path):
    from clinfile.app.security.session import Session

    shell, users = _users(qtbot, logged_in)
    press(qtbot, Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: getattr(users, "renew_box", None) is not None
                    and users.renew_box.isActiveWindow(), timeout=5000)
    go = next(b for b in users.renew_box.buttons() if b.text() == "Make a new key")
    tab_to(qtbot, go, most=4)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: getattr(users, "new_key_dialog", None) is not None
                    and users.new_key_dialog.isActiveWindow(), timeout=15000)
    dialog = users.new_key_dialog
    key = dialog.key_label.text()
    press(qtbot, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: getattr(dialog, "sheet_dialog", None) is not None, timeout=5000)
    save_by_keyboard(qtbot, dialog.sheet_dialog, tmp_path / "sheet.pdf")
    qtbot.waitUntil(lambda: "Saved to" in dialog.message.text(), timeout=15000)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    press(qtbot, Qt.Key.Key_L, ALT)
    qtbot.waitUntil(dialog.kept.isChecked)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=5000)

    _to_user(qtbot, users, "clinician")
    press(qtbot, Qt.Key.Key_K, ALT)
    qtbot.waitUntil(lambda: getattr(users, "reset_dialog", None) is not None
                    and users.reset_dialog.isActiveWindow(), timeout=5000)
    write(qtbot, key.lower().replace("-", " "))
    press(qtbot, Qt.Key.Key_P, ALT)
    write(qtbot, "the doctor's new password")
    press(qtbot, Qt.Key.Key_G, ALT)
    write(qtbot, "the doctor's new password")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "new password" in users.message.text(), timeout=20000)
    Session.login(vault_path, "clinician", "the doctor's new password").lock()


# --- correct: the move ------------------------------------------------------------------------


def test_a_picture_is_moved_with_its_reason_by_keyboard_alone(qtbot, logged_in, filed):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    press(qtbot, Qt.Key.Key_End)
    [moving] = [p.image_id for p in shell.record_view.timeline.chosen()]
    press(qtbot, Qt.Key.Key_R, ALT)
    qtbot.waitUntil(lambda: commands.correct_dialog is not None
                    and shiboken6.isValid(commands.correct_dialog)
                    and commands.correct_dialog.isActiveWindow(), timeout=5000)
    dialog = commands.correct_dialog
    press(qtbot, Qt.Key.Key_F, ALT)
    assert dialog.patient_panel.search_edit.hasFocus()
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "Linh Tran"):
        write(qtbot, "Linh Tran")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    assert "TRAN, Linh" in dialog.moving_to.text()
    assert dialog.reason.hasFocus()
    write(qtbot, "filed to the wrong patient")
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        press(qtbot, Qt.Key.Key_Return)
    assert [p.image_id for p in shell.record.record.moved_away] == [moving]


# --- the breach report -----------------------------------------------------------------------


def test_a_wrongly_sent_picture_is_reported_from_the_record_by_keyboard_alone(
        qtbot, logged_in, vault_path, corpus, tmp_path, login):
    from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
    from clinfile.app.desk.exports import ExportRequest, export_record

    patients, ids = file_pictures(vault_path, corpus, tmp_path, PLAN)
    sent = tmp_path / "sent"
    sent.mkdir()
    doctor = login("clinician")
    sent_one = ids[0]
    export_record(doctor, ExportRequest(patients[0], Purpose.CLINICAL_CARE,
                                        Recipient(group=RecipientClass.TREATING_TEAM), "pdf",
                                        sent, (sent_one,)))
    doctor.lock()
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    commands = shell.record.commands
    timeline = shell.record_view.timeline
    for _ in range(len(ids)):
        if [p.image_id for p in timeline.chosen()] == [sent_one]:
            break
        press(qtbot, Qt.Key.Key_Down)
    assert [p.image_id for p in timeline.chosen()] == [sent_one]
    press(qtbot, Qt.Key.Key_E, ALT)
    qtbot.waitUntil(lambda: commands.incident_dialog is not None
                    and commands.incident_dialog.isActiveWindow(), timeout=10000)
    press(qtbot, Qt.Key.Key_R, ALT)
    write(qtbot, "Dr B Smith, Carlton Skin")
    press(qtbot, Qt.Key.Key_D, ALT)
    write(qtbot, "Phoned; they deleted it.")
    with qtbot.waitSignal(commands.incident_reported, timeout=20000):
        press(qtbot, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(lambda: commands.incident_box is not None
                    and commands.incident_box.isActiveWindow(), timeout=10000)
    press(qtbot, Qt.Key.Key_Escape)
    wait_for_timeline(qtbot, shell)
    assert "Incident 1: reached Dr B Smith, Carlton Skin by mistake" in \
        shell.record_view.details.facts["exports"].text()


# --- retention -------------------------------------------------------------------------------


def test_pictures_past_retention_are_deleted_with_confirmation_by_keyboard_alone(
        qtbot, logged_in, vault_path, app_clock):
    from clinfile.app.filing.deletion_list import due_for_deletion
    from clinfile.db.audit import AuditRepository
    from tests.ui.test_admin_retention import _pictures_filed_years_ago

    images = _pictures_filed_years_ago(vault_path, 3, app_clock)
    shell = logged_in("admin")
    press(qtbot, Qt.Key.Key_2, CTRL)
    press(qtbot, Qt.Key.Key_R, ALT)
    retention = shell.admin.retention
    qtbot.waitUntil(lambda: retention.table.rowCount() == 3, timeout=10000)
    tab_to(qtbot, retention.table)
    press(qtbot, Qt.Key.Key_Home)
    press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = sorted(int(retention.table.item(row, 0).text()) for row in (0, 1))
    tab_to(qtbot, retention.delete_button, most=3)
    assert sorted(d.image_id for d in retention._chosen()) == chosen
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: getattr(retention, "delete_dialog", None) is not None
                    and retention.delete_dialog.isActiveWindow(), timeout=5000)
    first = retention.delete_dialog
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: retention.table.hasFocus() and shell.window.isActiveWindow(),
                    timeout=5000)
    assert shell.tasks.wait_for_all()
    assert len(due_for_deletion(shell.desk.session)) == 3, "Return alone never deletes"

    press(qtbot, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: retention.delete_dialog is not first
                    and retention.delete_dialog.isActiveWindow(), timeout=5000)
    press(qtbot, Qt.Key.Key_R, ALT)
    press(qtbot, Qt.Key.Key_A, CTRL)
    write(qtbot, "Kept past the retention period; checked by the manager")
    with qtbot.waitSignal(retention.deleted, timeout=15000) as deleted:
        press(qtbot, Qt.Key.Key_D, ALT)
    assert sorted(deleted.args[0]) == chosen
    qtbot.waitUntil(lambda: retention.table.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(lambda: retention.table.hasFocus() and shell.window.isActiveWindow(),
                    timeout=5000)
    assert "deleted for good" in retention.message.text()
    with shell.desk.session.vault.index() as conn:
        rows = [r for r in AuditRepository(conn).rows() if r.action == "image.deleted"]
    assert sorted(int(r.subject.split()[1]) for r in rows) == chosen
    assert all("checked by the manager" in r.detail for r in rows)
    assert set(chosen) < set(images)
