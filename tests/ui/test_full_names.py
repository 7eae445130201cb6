"""People are printed by their full name; the login name only where no full name is held."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt

from tests.conftest import ADMIN_PASSWORD
from tests.ui.helpers import add_patients, arrive, choose_patient, pick, select_first


def test_the_admin_sets_a_users_full_name_later(qtbot, logged_in):
    shell = logged_in("admin")
    users = shell.admin.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=5000)
    row = next(r for r in range(3) if users.table.item(r, 0).text() == "reception")
    users.table.selectRow(row)
    qtbot.mouseClick(users.full_name_button, Qt.MouseButton.LeftButton)
    dialog = users.full_name_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.full_name_edit, "Jo Bloggs")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "printed as" in users.message.text(), timeout=10000)
    assert users.message.text() == "reception is printed as Jo Bloggs."
    qtbot.waitUntil(lambda: any(users.table.item(r, 1).text() == "Jo Bloggs"
                                for r in range(users.table.rowCount())), timeout=5000)


def test_the_summary_and_the_lock_screen_print_the_full_name(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService

    add_patients(vault_path, [("10001", "Nguyen", "Mai", "1990-06-05", "Footscray")])
    admin = Session.login(vault_path, "admin", ADMIN_PASSWORD)
    UserService(admin).set_full_name("reception", "Jo Bloggs")
    admin.lock()
    drop, outbox = tmp_path / "drop", tmp_path / "outbox"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(outbox))
    shell = logged_in("reception")
    arrive(qtbot, shell, corpus, drop, 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    pick(qtbot, filing.classify.site, "Ankle")
    pick(qtbot, filing.classify.side, "left")
    with qtbot.waitSignal(filing.summary_written, timeout=30000) as summary:
        qtbot.mouseClick(filing.file_panel.file_button, Qt.MouseButton.LeftButton)
    [pdf] = summary.args[0].paths
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "by Jo Bloggs" in text
    assert "by reception" not in text and "Imported reception" not in text

    with qtbot.waitSignal(shell.locked, timeout=5000):
        shell.window.lock_action.trigger()  # File › Lock now
    assert "Jo Bloggs, type your password" in shell.window.lock_view.reason.text()
