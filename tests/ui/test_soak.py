"""The window survives a working morning: hundreds of pictures while a person types.

PySide6-Essentials 6.12.0 killed this window within minutes (``bool_dealloc``
after a few hundred signal emits). The soak runs the real window, logged in,
as pictures stream through its watched drop folder and a person types into
the search box; at the end it must still answer a search and choose a
patient, and the GUI thread must never have kept a person waiting.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui import soak
from tests.ui.helpers import add_patients

#: The first batch is the 200-file import ``make bench`` reports the GUI thread's gap for.
BATCHES = (200, 100)
PICTURES = sum(BATCHES)
PATIENTS = [
    ("10001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
    ("10002", "Smith", "John", "1980-03-12", "Carlton"),
    ("10003", "Nguyen", "Minh", "1975-01-30", "Richmond"),
]


@pytest.mark.slow
@pytest.mark.serial
def test_the_window_takes_in_hundreds_of_pictures_while_a_person_types(
        qtbot, logged_in, workstation, vault_path, tmp_path, record_property):
    add_patients(vault_path, PATIENTS)
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    pictures = soak.make_pictures(tmp_path / "camera roll", PICTURES)
    shell = logged_in("reception")

    seen = soak.run(qtbot, shell, drop, [pictures[:BATCHES[0]], pictures[BATCHES[0]:]])
    record_property("soak_seconds", round(seen.seconds, 1))
    record_property("soak_pictures", seen.pictures)
    record_property("soak_keys", seen.keys)
    record_property("soak_searches", seen.searches)
    record_property("gui_gap_200_files_ms", round(seen.worst_by_batch[0], 1))
    record_property("largest_gui_gap_ms", round(seen.worst_gap_ms, 1))
    assert seen.pictures == PICTURES
    assert seen.keys > 50 and seen.searches > 5
    qtbot.waitUntil(lambda: not any(drop.iterdir()), timeout=10000)

    desk = shell.desk_controller
    search = desk.panel.search_edit
    qtbot.keyClick(search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(desk.searched, timeout=3000,
                          check_params_cb=lambda r: r.query.text == "smith john"):
        qtbot.keyClicks(search, "smith john")
    with qtbot.waitSignal(desk.patient_chosen, timeout=3000):
        qtbot.keyClick(search, Qt.Key.Key_Return)
    assert shell.window.isVisible()
    assert shell.desk_view.banner.name.text() == "SMITH, John"
    # A person notices a window that does not answer for a second. The 100 ms
    # target is measured by ``make bench``, on a machine doing nothing else.
    assert seen.worst_gap_ms < 1000, f"the GUI thread stalled for {seen.worst_gap_ms:.0f} ms"
