"""A direction mark in an imported patient name never turns the window's words round.

A patient list from another system may carry a right-to-left override
(U+202E) in a surname. Shown live, it reverses everything after it on the
line, so a date of birth 01/02/1970 reads "0791/20/10" and a record number
"900003" reads "300009" in the very lists where reception checks who a
patient is. The window shows the mark as the rest of Clinfile does, as the
visible escape ``\\u202e``, and the words after it read as written.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.helpers import choose_patient, log_in_as_pictures_arrive, select_first
from tests.ui.record_pictures import file_pictures

OVERRIDE = "\u202e"
MARKED = ("900003", f"O'Brien{OVERRIDE}Namow", "Eve", "1970-02-01", "Footscray")


def _shown_forwards(text: str) -> None:
    """No live direction control, the mark written out, the birth date and record number whole."""
    assert not any(mark in text for mark in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068"
                   "\u2069\u200e\u200f"), repr(text)
    assert "O'BRIEN\\u202eNAMOW, Eve" in text, repr(text)


def test_todays_filings_show_the_mark_written_out(qtbot, logged_in, vault_path, corpus, tmp_path):
    file_pictures(vault_path, corpus, tmp_path, [(0, "left-hand", "rash")], patients=[MARKED])
    shell = logged_in("reception")
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = shell.record_view
    with qtbot.waitSignal(shell.record.today_shown, timeout=10000):
        qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_T,
                       Qt.KeyboardModifier.AltModifier)
    line = view.today.list.item(0).text()
    _shown_forwards(line)
    assert line.startswith("O'BRIEN\\u202eNAMOW, Eve (record 900003)\n")


def test_the_records_patient_list_shows_the_mark_written_out(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    file_pictures(vault_path, corpus, tmp_path, [(0, "left-hand", "rash")], patients=[MARKED])
    shell = logged_in("clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    panel = shell.record_view.patient_panel
    with qtbot.waitSignal(shell.record.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "900003"):
        qtbot.keyClicks(panel.search_edit, "900003")
    qtbot.waitUntil(lambda: panel.candidates.count() == 1, timeout=10000)
    line = panel.candidates.item(0).text()
    _shown_forwards(line)
    assert "01/02/1970" in line and "900003" in line
    _shown_forwards(panel.candidates.item(0).toolTip())

    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    banner = shell.record_view.banner.name
    _shown_forwards(banner.text())
    _shown_forwards(banner.shown_text())


def test_the_desks_patient_search_shows_the_mark_written_out(
        qtbot, logged_in, vault_path, workstation, corpus, tmp_path):
    from tests.ui.helpers import add_patients

    add_patients(vault_path, [MARKED])
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "reception", 1)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "900003")
    candidates = shell.desk_controller.panel.candidates
    line = candidates.item(0).text()
    _shown_forwards(line)
    assert "01/02/1970" in line and "900003" in line
    file_button = shell.desk_controller.filing.file_panel.file_button
    _shown_forwards(file_button.text())


def test_a_description_with_the_mark_shows_it_written_out_in_the_record_and_today(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    from tests.ui.record_pictures import PATIENTS
    from tests.ui.test_record import open_record_by_keyboard

    file_pictures(vault_path, corpus, tmp_path, [(0, "left-hand", f"rash{OVERRIDE} day 3")],
                  patients=PATIENTS[:1])
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    timeline = view.timeline
    view.timeline.choose([timeline.picture_ids()[0]])
    words = timeline.model_.index(0, 0, timeline.model_.index(0, 0)).data()
    shown = [words, view.details.facts["description"].text(), view.details.title.text()]
    with qtbot.waitSignal(shell.record.today_shown, timeout=10000):
        qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_T,
                       Qt.KeyboardModifier.AltModifier)
    shown.append(view.today.list.item(0).text())
    for text in shown:
        assert OVERRIDE not in text, repr(text)
        assert "ash\\u202e day 3" in text, repr(text)
