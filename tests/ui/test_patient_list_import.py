"""The practice manager imports the patient list in the window, checking the columns first."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.helpers import pick

CSV = ("Record No,Surname,First Name,DOB,Suburb\r\n"
       "900001,Nguyen,Mai,05/06/1990,Footscray\r\n"
       "900002,Nguyen,Minh,30/01/1975,Richmond\r\n"
       "900003,,Nobody,01/01/1970,Sunshine\r\n"
       "900004,Patel,Ravi,not a date,Carlton\r\n")
HL7 = "\r".join([
    "MSH|^~\\&|BP|CLINIC|CLINFILE|CLINIC|20260301101500||ADT^A04^ADT_A01|1|P|2.4",
    "EVN|A04|20260301101500",
    "PID|1||100001^^^CLINIC^MR||Smith^Jane^Anne||19800312|F",
    "PV1|1|O"]) + "\r"


def _open_patient_list(qtbot, shell):
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    admin = shell.admin
    qtbot.mouseClick(admin.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=admin.tabs.tabBar().tabRect(admin.tabs.indexOf(admin.patients)).center())
    assert admin.tabs.currentWidget() is admin.patients
    return admin.patients


def _choose(qtbot, tab, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    with qtbot.waitSignal(tab.previewed, timeout=10000):
        qtbot.mouseClick(tab.browse_button, Qt.MouseButton.LeftButton)


def _cells(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_a_csv_is_previewed_with_its_mapping_then_imported_with_problems_by_line(
        qtbot, logged_in, tmp_path, monkeypatch):
    export = tmp_path / "patients.csv"
    export.write_text(CSV, encoding="utf-8")
    shell = logged_in("admin")
    tab = _open_patient_list(qtbot, shell)
    _choose(qtbot, tab, monkeypatch, export)

    assert tab.format_box.currentData() == "csv"
    assert _cells(tab.preview, 1)[:2] == ["Nguyen", "Nguyen"]
    assert _cells(tab.preview, 3)[0] == "5 Jun 1990"
    assert "surname" in _cells(tab.preview, 6)[2]
    assert _cells(tab.preview, 4)[2:] == ["900003", "900004"]  # rows with a problem, too

    with qtbot.waitSignal(tab.previewed, timeout=10000):
        pick(qtbot, tab.mapping_box, "US")
    assert _cells(tab.preview, 3)[0] == "6 May 1990"  # the wrong order shows at once
    with qtbot.waitSignal(tab.previewed, timeout=10000):
        qtbot.keyClick(tab.mapping_box, Qt.Key.Key_Home)
    assert tab.mapping_box.currentData() == "australian"

    with qtbot.waitSignal(tab.imported, timeout=20000):
        qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == ("patients.csv: 2 added, 0 updated, 0 unchanged; "
                                  "2 rows could not be used (listed below).")
    problems = [tab.problems.item(row).text() for row in range(tab.problems.count())]
    assert problems[0].startswith("line 4: ") and problems[1].startswith("line 5: ")


def test_fhir_and_hl7_files_are_recognised_and_imported(qtbot, logged_in, tmp_path,
                                                        monkeypatch):
    bundle = tmp_path / "patients.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "name": [{"family": "Lee", "given": ["Ann"]}],
                      "birthDate": "1985-02-03"}}]}), encoding="utf-8")
    messages = tmp_path / "adt.hl7"
    messages.write_text(HL7, encoding="utf-8")
    shell = logged_in("admin")
    tab = _open_patient_list(qtbot, shell)
    for path, format, surname in ((bundle, "fhir", "Lee"), (messages, "hl7", "Smith")):
        _choose(qtbot, tab, monkeypatch, path)
        assert tab.format_box.currentData() == format
        assert not tab.mapping_box.isEnabled()
        assert _cells(tab.preview, 1) == [surname]
        with qtbot.waitSignal(tab.imported, timeout=20000):
            qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
        assert "1 added" in tab.message.text()
