"""The record says each picture's facts once, in plain words: no repeats, no odd phrases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clinfile.ui.record.timeline import picture_words
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import open_record_by_keyboard


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path,
                         [(0, "left-forearm", "eczema left forearm")])


def test_a_picture_whose_taker_is_not_recorded_reads_plainly_and_repeats_nothing(
        qtbot, logged_in, filed):
    _patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    timeline = shell.record_view.timeline
    heading = timeline.model_.index(0, 0)
    title = heading.data().splitlines()[0]
    assert title == "Eczema left forearm"
    timeline.choose([ids[0]])
    picture = timeline.chosen()[0]
    assert timeline.model_.index(0, 0, heading).data() == picture_words(picture)
    facts = shell.record_view.details.facts
    assert "camera Canon EOS 40D;" in facts["file"].text()

    unknown = replace(picture, taken_by="")
    assert picture_words(unknown).endswith("Clinical photo, who took it is not recorded")
    shell.record_view.details.show_picture(unknown)
    assert facts["taken_by"].text() == "not recorded"


def test_the_consent_line_names_who_obtained_it_by_full_name(
        qtbot, logged_in, filed, vault_path):
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService
    from tests.conftest import ADMIN_PASSWORD

    admin = Session.login(vault_path, "admin", ADMIN_PASSWORD)
    UserService(admin).set_full_name("clinician", "Dr Priya Patel")
    admin.lock()
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    consent = shell.record_view.details.facts["consent"].text()
    assert consent.endswith("obtained by Dr Priya Patel")


def test_the_patient_list_says_how_to_find_a_patient_until_one_is_listed(
        qtbot, logged_in, filed):
    from PySide6.QtCore import Qt

    from clinfile.ui.desk.patient_panel import NO_MATCH

    shell = logged_in("clinician")
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    panel = shell.record_view.patient_panel
    before = ("Search for a patient above by name, date of birth, Medicare or record number "
              "to open their record.")
    assert panel.candidates.empty.isVisible() and panel.candidates.empty.text() == before

    with qtbot.waitSignal(shell.record.searched, timeout=10000):
        qtbot.keyClicks(panel.search_edit, "zzyzx qwv")
    assert panel.candidates.count() == 0
    assert panel.candidates.empty.isVisible() and panel.candidates.empty.text() == NO_MATCH

    panel.search_edit.clear()
    qtbot.waitUntil(lambda: panel.candidates.empty.text() == before, timeout=5000)
    with qtbot.waitSignal(shell.record.searched, timeout=10000):
        qtbot.keyClicks(panel.search_edit, "Mai Nguyen")
    assert panel.candidates.count() > 0
    assert not panel.candidates.empty.isVisible()
    assert shell.desk_controller.panel.candidates.empty.text().startswith(
        "Search for the patient above by name, date of birth, Medicare or record number")
