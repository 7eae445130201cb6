"""A picture another workstation deletes or moves while its record is open here.

The other workstation is a second real session on the same vault. The open
record, Compare and Find's results must stop showing the picture as present
as soon as the window learns of it, and say what happened in words.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import ADMIN_PASSWORD, PASSWORDS
from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import PLAN, open_record_by_keyboard

DELETED = "was deleted at the end of its retention period on "
REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    return file_pictures(vault_path, corpus, tmp_path, PLAN)


def _delete_elsewhere(vault_path, image_id: int) -> None:
    """An admin at another workstation deletes the picture at the end of its retention."""
    from clinfile.app.filing.retention import RetentionService
    from clinfile.app.security.session import Session

    admin = Session.login(vault_path, "admin", ADMIN_PASSWORD)
    RetentionService(admin).delete([image_id], "retention period ended",
                                   today=date(2100, 1, 1))
    admin.lock()


def _move_elsewhere(vault_path, image_id: int, patient_id: int) -> None:
    """A clinician at another workstation moves the picture to another patient's record."""
    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session

    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    filing = FilingService(doctor)
    seen_in = filing.image(image_id).patient_id
    filing.move_to_patient(image_id, patient_id, "wrong patient", filed_to=seen_in)
    doctor.lock()


def _correct_site_elsewhere(vault_path, image_id: int, site: str) -> None:
    """A clinician at another workstation corrects where on the body the picture was taken."""
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session

    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    filing = FilingService(doctor)
    filing.correct_body_site(image_id, BodySite.parse(site), "the wrong site was chosen",
                             filed_to=filing.image(image_id).patient_id)
    doctor.lock()


def _file_elsewhere(vault_path, photo: str, patient_id: int) -> None:
    """A clinician at another workstation takes in a photo and files it to the patient."""
    from clinfile.app.consent.service import ConsentService
    from clinfile.app.consent.vocabulary import ImageKind
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.model import FilingRequest
    from clinfile.app.filing.service import FilingService
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session

    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    for _event in ImportService(doctor).import_paths([Path(photo)]):
        pass
    image_id = next(row.id for row in ImportService(doctor).inbox()
                    if Path(row.source_path).name == Path(photo).name)
    consent = ConsentService(doctor).for_patient(patient_id)[0]
    FilingService(doctor).file(FilingRequest(
        image_ids=(image_id,), patient_id=patient_id, kind=ImageKind.CLINICAL_PHOTO,
        body_site=BodySite.parse("right-knee"), description="grazed knee",
        consent=consent.code, episode_description="grazed knee"))
    doctor.lock()


def _in_another_process(qtbot, change, vault_path, *args) -> None:
    """Make a change as another workstation would: a process of its own on the same vault.

    The window is left to run meanwhile, and nothing in it is touched.
    """
    code = (f"from pathlib import Path; from tests.ui.test_record_changed_elsewhere import "
            f"{change.__name__} as change; change(Path({str(vault_path)!r}), *{args!r})")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPOSITORY,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60000)
    assert process.returncode == 0, process.stderr.read()


def _older_leg_ulcer(shell) -> int:
    """The second picture on the timeline: the older of the two leg ulcers."""
    return shell.record_view.timeline.picture_ids()[1]


def test_choosing_a_picture_deleted_elsewhere_shows_it_deleted_in_words(
        qtbot, logged_in, filed, vault_path):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    assert "3 pictures" in view.banner.details.text()
    gone = _older_leg_ulcer(shell)
    _delete_elsewhere(vault_path, gone)

    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClick(view.timeline, Qt.Key.Key_Down)
    picture = view.timeline.picture(gone)
    assert picture.deleted and not picture.shown
    assert [p.image_id for p in view.timeline.chosen()] == [gone]
    assert view.details.hint.text().startswith("This picture " + DELETED)
    assert not view.details.preview.isVisible()
    assert "2 pictures · 1 deleted at the end of retention" in view.banner.details.text()
    assert DELETED in view.status.text()
    assert view.status.text().startswith("The picture of the left lower leg")
    assert DELETED in shell.window.activity.text()
    assert not shell.record.commands.compare_button.isEnabled()


def test_compare_says_a_picture_deleted_elsewhere_is_gone_instead_of_a_black_pane(
        qtbot, logged_in, filed, vault_path):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    gone = _older_leg_ulcer(shell)
    _delete_elsewhere(vault_path, gone)

    view.timeline.setFocus()
    with qtbot.waitSignal(shell.record.record_shown, timeout=15000):
        qtbot.keyClick(view.timeline, Qt.Key.Key_Return)
    dialog = shell.record.commands.compare_dialog
    qtbot.waitUntil(lambda: len(dialog.images) == 1, timeout=15000)
    pane = next(p for p in dialog.panes if p.picture.image_id == gone)
    assert pane.gone.isVisible()
    assert pane.gone.text().startswith("This picture " + DELETED)
    assert pane.item.pixmap().isNull()
    assert view.timeline.picture(gone).deleted
    assert "2 pictures · 1 deleted" in view.banner.details.text()


def test_find_and_the_record_show_a_picture_moved_elsewhere(
        qtbot, logged_in, filed, vault_path):
    patients, _ids = filed
    shell = logged_in("clinician")
    view = shell.record_view
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    gone = _older_leg_ulcer(shell)
    panel = _find_by_words(qtbot, shell, "ulcer")
    assert panel.list.count() == 2
    assert all(panel.list.item(n).text().startswith("NGUYEN, Mai") for n in range(2))

    _move_elsewhere(vault_path, gone, patients[1])
    view.timeline.choose([view.timeline.picture_ids()[0]])
    with qtbot.waitSignal(shell.record.filings_found, timeout=15000):
        view.timeline.choose([gone])
    picture = view.timeline.picture(gone)
    assert not picture.here and not picture.shown
    assert view.details.hint.text() == (
        "This picture was moved to another patient's record: TRAN, Linh (record 900002).")
    assert "1 moved to another patient's record" in view.banner.details.text()
    assert "moved to another patient's record" in view.status.text()
    moved = next(panel.list.item(n) for n in range(panel.list.count())
                 if panel.list.item(n).data(Qt.UserRole + 1).image_id == gone)
    assert moved.text().startswith("TRAN, Linh")
    assert "from NGUYEN, Mai" in moved.text()


def test_opening_a_find_line_after_a_move_elsewhere_lists_it_where_it_is(
        qtbot, logged_in, filed, vault_path):
    patients, ids = filed
    shell = logged_in("clinician")
    view = shell.record_view
    qtbot.keyClick(shell.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    panel = _find_by_words(qtbot, shell, "cheek")
    assert panel.list.count() == 1 and panel.list.item(0).text().startswith("NGUYEN, Mai")

    _move_elsewhere(vault_path, ids[2], patients[1])
    panel.list.setFocus()
    panel.list.setCurrentRow(0)
    with qtbot.waitSignals([shell.record.record_shown, shell.record.filings_found],
                           timeout=15000):
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert panel.list.item(0).text().startswith("TRAN, Linh")
    assert not view.timeline.picture(ids[2]).here


def _find_by_words(qtbot, shell, words: str):
    """Open the record's Find tab and find earlier filings by their words."""
    view = shell.record_view
    qtbot.keyClick(view.patient_panel.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    panel = view.find_panel
    panel.words.setFocus()
    with qtbot.waitSignal(shell.record.filings_found, timeout=10000):
        qtbot.keyClicks(panel.words, words)
        qtbot.keyClick(panel.words, Qt.Key.Key_Return)
    return panel


def test_an_open_record_follows_changes_made_elsewhere_without_the_person_doing_anything(
        qtbot, logged_in, filed, vault_path, corpus, tmp_path):
    patients, ids = filed
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    timeline = view.timeline
    leg_ulcers = timeline.picture_ids()[:2]
    timeline.choose([ids[2]])
    qtbot.waitUntil(lambda: view.details.preview.isVisible(), timeout=10000)
    timeline.setFocus()
    focused = QApplication.focusWidget()
    scrolled = timeline.verticalScrollBar().value()

    def still_where_the_person_left_it():
        assert [p.image_id for p in timeline.chosen()] == [ids[2]]
        assert QApplication.focusWidget() is focused
        assert timeline.verticalScrollBar().value() == scrolled

    _in_another_process(qtbot, _delete_elsewhere, vault_path, leg_ulcers[1])
    qtbot.waitUntil(lambda: "1 deleted at the end of retention" in view.banner.details.text(),
                    timeout=8000)
    assert timeline.picture(leg_ulcers[1]).deleted
    assert view.status.text().startswith("The picture of the left lower leg")
    assert DELETED in view.status.text()
    still_where_the_person_left_it()
    assert timeline.thumbnail_shown(leg_ulcers[0]) and timeline.thumbnail_shown(ids[2])

    photo = sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[len(ids)]
    copy = tmp_path / "elsewhere" / photo.name
    copy.parent.mkdir()
    copy.write_bytes(photo.read_bytes())
    _in_another_process(qtbot, _file_elsewhere, vault_path, str(copy), patients[0])
    qtbot.waitUntil(lambda: "3 pictures ·" in view.banner.details.text(), timeout=8000)
    added = next(i for i in timeline.picture_ids() if i not in ids)
    assert timeline.picture(added).description == "grazed knee"
    assert "was added to this record" in view.status.text()
    qtbot.waitUntil(lambda: timeline.thumbnail_shown(added), timeout=10000)
    still_where_the_person_left_it()

    _in_another_process(qtbot, _correct_site_elsewhere, vault_path, ids[2], "nose")
    qtbot.waitUntil(lambda: timeline.picture(ids[2]).body_site.site == "nose", timeout=8000)
    assert view.status.text().endswith("was corrected.")
    still_where_the_person_left_it()

    _in_another_process(qtbot, _move_elsewhere, vault_path, ids[2], patients[1])
    qtbot.waitUntil(lambda: "1 moved to another patient's record" in
                    view.banner.details.text(), timeout=8000)
    assert view.details.hint.text() == (
        "This picture was moved to another patient's record: TRAN, Linh (record 900002).")
    assert not shell.record.commands.compare_button.isEnabled()
    assert QApplication.focusWidget() is focused


def test_an_open_compare_says_a_picture_deleted_elsewhere_is_gone_unasked(
        qtbot, logged_in, filed, vault_path):
    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    gone = _older_leg_ulcer(shell)
    view.timeline.setFocus()
    qtbot.keyClick(view.timeline, Qt.Key.Key_Return)
    dialog = shell.record.commands.compare_dialog
    qtbot.waitUntil(lambda: len(dialog.images) == 2, timeout=15000)

    _in_another_process(qtbot, _delete_elsewhere, vault_path, gone)
    pane = next(p for p in dialog.panes if p.picture.image_id == gone)
    qtbot.waitUntil(pane.gone.isVisible, timeout=8000)
    assert pane.gone.text().startswith("This picture " + DELETED)
    assert dialog.isVisible()
    assert "2 pictures · 1 deleted" in view.banner.details.text()


def test_a_picture_moved_elsewhere_to_a_runaway_name_is_told_in_one_short_line(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    from tests.ui.record_pictures import PATIENTS
    from tests.ui.test_long_names import LONG_PATIENT, SURNAME

    patients, ids = file_pictures(vault_path, corpus, tmp_path,
                                  [(0, "left-hand", "rash"), (1, "face", "mole")],
                                  patients=[PATIENTS[0], LONG_PATIENT])
    shell = logged_in("clinician")
    shell.window.resize(1280, 800)
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    view.timeline.choose([ids[0]])
    _in_another_process(qtbot, _move_elsewhere, vault_path, ids[0], patients[1])
    qtbot.waitUntil(lambda: "moved to another patient's record" in view.status.text(),
                    timeout=8000)
    qtbot.wait(100)
    for label in (view.status, view.details.hint):
        assert len(label.text()) < 300, label.text()[:300]
        assert "…" in label.text()
        assert SURNAME.upper() in label.toolTip()
    assert view.status.height() < 100, view.status.height()
    assert view.timeline.height() > 200, view.timeline.height()
