"""The audit tab, driven by keyboard and by mouse: filter, read the verdict, export."""

from __future__ import annotations

import csv
import re
import subprocess

import pytest
import shiboken6
from PySide6.QtCore import Qt

from clinfile.app.audit.lines import HEADINGS
from clinfile.app.audit.service import AuditFilter, AuditService
from clinfile.app.security.users import UserService
from clinfile.db.audit import AuditRepository
from tests.ui.record_pictures import file_pictures
from tests.ui.saving import save_as
from tests.unit.app.vault.test_full_disk import _fill, _mounted


def _open_audit(qtbot, logged_in):
    shell = logged_in("admin")
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    audit = shell.admin.audit
    with qtbot.waitSignal(audit.shown, timeout=10000):
        qtbot.keyClick(shell.window, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert shell.admin.tabs.currentWidget() is audit
    qtbot.waitUntil(lambda: "can be trusted" in audit.verdict.text(), timeout=10000)
    qtbot.waitUntil(lambda: audit.user_box.count() > 1, timeout=5000)
    return shell, audit


def test_filter_by_keyboard_alone(qtbot, logged_in):
    shell, audit = _open_audit(qtbot, logged_in)
    qtbot.keyClick(shell.window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert audit.user_box.hasFocus()
    qtbot.keyClicks(audit.user_box, "admin")
    assert audit.user_box.currentData() == "admin"
    qtbot.keyClick(shell.window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert audit.patient_edit.hasFocus()
    with qtbot.waitSignal(audit.shown, timeout=10000) as shown:
        qtbot.keyClick(audit.patient_edit, Qt.Key.Key_Return)
    assert all(line.actor == "admin" for line in shown.args[0].lines)
    assert shown.args[0].total == audit.table.rowCount()


def test_filter_by_mouse_and_export_csv(qtbot, logged_in, tmp_path):
    shell, audit = _open_audit(qtbot, logged_in)
    audit.action_box.setCurrentIndex(audit.action_box.findData("user.added"))
    with qtbot.waitSignal(audit.shown, timeout=10000) as shown:
        qtbot.mouseClick(audit.show_button, Qt.MouseButton.LeftButton)
    assert {line.subject for line in shown.args[0].lines} >= {"clinician", "reception"}
    qtbot.mouseClick(audit.csv_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(audit.exported, timeout=20000):
        save_as(qtbot, audit.save_dialog, tmp_path / "for the privacy officer.csv")
    rows = list(csv.reader((tmp_path / "for the privacy officer.csv")
                           .read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 1 + shown.args[0].total
    assert "Written to" in audit.message.text()
    with shell.desk.session.vault.index() as conn:
        assert AuditRepository(conn).last().action == "audit.exported"


def test_a_broken_chain_is_said_plainly(qtbot, logged_in, vault_path):
    shell, audit = _open_audit(qtbot, logged_in)
    with shell.desk.session.vault.index() as conn:
        conn.execute("DELETE FROM audit WHERE seq = 3")
    with qtbot.waitSignal(audit.judged, timeout=10000) as judged:
        qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert not judged.args[0].whole
    assert "cannot be trusted" in audit.verdict.text()
    assert "row 3 is missing" in audit.verdict.text()


def test_pdf_export_from_the_window(qtbot, logged_in, tmp_path):
    shell, audit = _open_audit(qtbot, logged_in)
    with qtbot.waitSignal(audit.shown, timeout=10000):
        qtbot.mouseClick(audit.show_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(audit.exported, timeout=30000):
        audit.export_to(tmp_path / "audit.pdf", "pdf")
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")
    assert AuditService(shell.desk.session).search(AuditFilter(action="audit.exported")).total


def test_entries_show_on_opening_and_follow_new_events(qtbot, logged_in):
    shell, audit = _open_audit(qtbot, logged_in)
    qtbot.waitUntil(lambda: audit.table.rowCount() > 1, timeout=10000)
    seqs = [int(audit.table.item(r, 0).text()) for r in range(audit.table.rowCount())]
    assert seqs == sorted(seqs, reverse=True), "newest first"
    assert audit.action_box.findData("user.disabled") == -1

    qtbot.keyClick(shell.window, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    users = shell.admin.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=5000)
    row = next(r for r in range(users.table.rowCount())
               if users.table.item(r, 0).text() == "reception")
    users.table.selectRow(row)
    qtbot.mouseClick(users.disable_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(users.disable_box.isVisible)
    go = next(b for b in users.disable_box.buttons() if b.text() == "Disable")
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "can no longer log in" in users.message.text(), timeout=15000)
    qtbot.keyClick(shell.window, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: audit.action_box.findData("user.disabled") >= 0, timeout=10000)
    assert audit.action_box.itemText(audit.action_box.findData("user.disabled")) == "User disabled"
    with shell.desk.session.vault.index() as conn:
        disabled = max(r.seq for r in AuditRepository(conn).rows()
                       if r.action == "user.disabled")
    # The key change after a disable goes on in the background and writes rows of its
    # own at its own moment, so the tab is waited on for the disable, not the newest row.
    qtbot.waitUntil(lambda: int(audit.table.item(0, 0).text()) >= disabled, timeout=10000)
    qtbot.waitUntil(lambda: _entries_in_verdict(audit) >= disabled, timeout=10000)


def _entries_in_verdict(audit) -> int:
    """How many entries the chain's verdict says it checked (0 before it says)."""
    found = re.search(r"its ([\d,]+) entries", audit.verdict.text())
    return int(found.group(1).replace(",", "")) if found else 0


def test_entries_name_the_patient_and_the_picture_in_words(qtbot, logged_in, vault_path,
                                                            corpus, tmp_path):
    patients, pictures = file_pictures(vault_path, corpus, tmp_path,
                                       [(0, "left forearm", "Eczema")])
    shell, audit = _open_audit(qtbot, logged_in)
    qtbot.keyClick(shell.window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(audit.patient_edit, "900001")
    with qtbot.waitSignal(audit.shown, timeout=10000) as shown:
        qtbot.keyClick(audit.patient_edit, Qt.Key.Key_Return)
    filed = next(line for line in shown.args[0].lines if line.code == "image.filed")
    assert filed.subject.startswith(
        f"picture {pictures[0]} of NGUYEN, Mai (record 900001), taken ")
    assert filed.what.startswith(
        f"Filed picture {pictures[0]} to NGUYEN, Mai (record 900001), left forearm")
    assert "_" not in filed.details and " id:" not in filed.details
    assert filed.what in [audit.table.item(r, 3).text() for r in range(audit.table.rowCount())]
    about = [audit.table.item(r, 4).text() for r in range(audit.table.rowCount())]
    assert filed.subject in about
    with qtbot.waitSignal(audit.exported, timeout=30000):
        audit.export_to(tmp_path / "audit.pdf", "pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "audit.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "NGUYEN, Mai (record 900001)" in text.replace("\n", " ")


def test_a_look_up_answering_after_the_tab_is_gone_is_let_go(qtbot, logged_in):
    shell, audit = _open_audit(qtbot, logged_in)
    with qtbot.assertNotEmitted(shell.errors.error_caught):
        audit.refresh()
        shiboken6.delete(audit)
        qtbot.waitUntil(lambda: shell.tasks.running() == 0, timeout=30000)


def test_every_column_stays_inside_the_list_and_long_words_wrap(qtbot, logged_in, vault_path,
                                                                corpus, tmp_path):
    file_pictures(vault_path, corpus, tmp_path, [(0, "left forearm", "Eczema " * 12)])
    shell, audit = _open_audit(qtbot, logged_in)
    shell.window.resize(1000, 700)
    table, header = audit.table, audit.table.horizontalHeader()
    qtbot.waitUntil(lambda: table.viewport().width() < 1000, timeout=5000)
    for column in range(table.columnCount()):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= table.viewport().width(), table.horizontalHeaderItem(column).text()
    assert table.horizontalScrollBar().maximum() == 0
    longest = max(range(table.rowCount()),
                  key=lambda r: table.fontMetrics().horizontalAdvance(table.item(r, 3).text()))
    assert table.fontMetrics().horizontalAdvance(table.item(longest, 3).text()) \
        > header.sectionSize(3)
    assert table.rowHeight(longest) > 2 * table.fontMetrics().height()


def test_who_acted_is_named_by_full_name_in_the_list_and_the_filter(qtbot, logged_in, login):
    admin = login()
    UserService(admin).set_full_name("admin", "Ada Lovelace")
    admin.lock()
    shell, audit = _open_audit(qtbot, logged_in)
    qtbot.waitUntil(lambda: audit.table.rowCount() > 1, timeout=10000)
    who = {audit.table.item(r, HEADINGS.index("Who")).text()
           for r in range(audit.table.rowCount())}
    assert "Ada Lovelace" in who and "admin" not in who
    qtbot.keyClick(shell.window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(audit.user_box, "Ada")
    assert (audit.user_box.currentText(), audit.user_box.currentData()) == ("Ada Lovelace",
                                                                            "admin")
    with qtbot.waitSignal(audit.shown, timeout=10000) as shown:
        qtbot.mouseClick(audit.show_button, Qt.MouseButton.LeftButton)
    assert {line.actor for line in shown.args[0].lines} == {"Ada Lovelace"}


def test_show_entries_judges_the_trail_again_with_the_entries_added_since(qtbot, logged_in):
    shell, audit = _open_audit(qtbot, logged_in)
    qtbot.waitUntil(lambda: _entries_in_verdict(audit) > 0, timeout=10000)
    UserService(shell.desk.session).set_full_name("clinician", "Dr Ana Patel")
    with shell.desk.session.vault.index() as conn:
        newest = AuditRepository(conn).last().seq
    assert _entries_in_verdict(audit) < newest
    with qtbot.waitSignal(audit.judged, timeout=10000):
        qtbot.mouseClick(audit.show_button, Qt.MouseButton.LeftButton)
    assert _entries_in_verdict(audit) >= newest
    assert "can be trusted" in audit.verdict.text()


@pytest.fixture
def full_disk(tmp_path):
    """A real small file system with no room left, unmounted afterwards."""
    for disk in _mounted(tmp_path / "full disk", "1m"):
        _fill(disk)
        yield disk


@pytest.mark.parametrize("file_format", ["csv", "pdf"])
def test_an_export_to_a_full_disk_says_that_disk_is_full_and_nothing_was_saved(
        qtbot, logged_in, full_disk, file_format):
    disk = full_disk
    shell, audit = _open_audit(qtbot, logged_in)
    with qtbot.waitSignal(audit.shown, timeout=10000):
        qtbot.mouseClick(audit.show_button, Qt.MouseButton.LeftButton)
    button = audit.csv_button if file_format == "csv" else audit.pdf_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    save_as(qtbot, audit.save_dialog, disk / f"for the privacy officer.{file_format}")
    qtbot.waitUntil(button.isEnabled, timeout=30000)

    said = audit.message.text()
    assert said == (f"for the privacy officer.{file_format} could not be written in "
                    f"{disk}: that disk is full. Nothing was saved. Choose a place on another "
                    "disk, or make room on that one, and try again.")
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_an_unexpected_failure_of_an_export_is_written_to_the_log(qtbot, logged_in, tmp_path,
                                                                  caplog):
    shell, audit = _open_audit(qtbot, logged_in)
    in_the_way = tmp_path / "audit.pdf"
    in_the_way.mkdir()  # a folder where the file should go: not a thing a person is told of
    audit.export_to(in_the_way, "pdf")
    qtbot.waitUntil(audit.pdf_button.isEnabled, timeout=30000)

    assert "details were written to Clinfile's log" in audit.message.text()
    assert any(record.levelname == "ERROR" and record.exc_info
               and "IsADirectoryError" in record.exc_info[0].__name__
               for record in caplog.records)
