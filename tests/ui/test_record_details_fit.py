"""The chosen picture's details show every wrapped line, however narrow the pane."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from tests.ui.record_pictures import file_pictures
from tests.ui.test_record import open_record_by_keyboard

PLAN = [(0, "left-lower-leg: above the ankle", "leg ulcer on the inner side, weeping"),
        (0, "face", "mole"),
        (0, "right-hand", "burn across the back of the hand and the knuckles")]


@pytest.fixture
def filed(vault_path, corpus, tmp_path):
    """Phone-sized photos, so the preview is large and the pane needs its scroll bar."""
    jpg = corpus / "exif-samples" / "jpg"
    photos = [jpg / "hdr" / "iphone_hdr_NO.jpg", jpg / "mobile" / "jolla.jpg",
              jpg / "hdr" / "canon_hdr_YES.jpg"]
    return file_pictures(vault_path, corpus, tmp_path, PLAN, photos)


def cut_values(details) -> list[str]:
    """The shown values whose label is shorter than its wrapped words need."""
    return [f"{key}: {label.height()} < {label.heightForWidth(label.width())}"
            for key, label in details.facts.items()
            if label.isVisible() and label.height() < label.heightForWidth(label.width())]


def test_every_wrapped_value_shows_whole_as_pictures_are_chosen(qtbot, logged_in, filed):
    shell = logged_in("clinician")
    shell.window.resize(1440, 900)
    shell.window.show()
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    details, timeline = view.details, view.timeline
    cut = []
    for width in (420, 300, 260):
        total = sum(view.pictures.sizes())
        view.pictures.setSizes([total - width, width])
        timeline.setFocus()
        qtbot.keyClick(timeline, Qt.Key.Key_Home)
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up):
            before = timeline.chosen()
            qtbot.keyClick(timeline, key)
            qtbot.waitUntil(lambda before=before: timeline.chosen() != before, timeout=5000)
            qtbot.waitUntil(lambda: details.preview.pixmap() is not None
                            and not details.preview.pixmap().isNull(), timeout=5000)
            qtbot.wait(50)
            cut += [(width, details.title.text(), value) for value in cut_values(details)]
    assert cut == []


def test_a_long_file_name_without_spaces_wraps_inside_the_details_column(
        qtbot, logged_in, vault_path, corpus, tmp_path):
    """A 200-letter file name once widened the column, cutting every value on the right."""
    name = ("Canon_40D_photoshop_import_" * 8)[:192] + ".jpg"
    photo = tmp_path / "long" / name
    photo.parent.mkdir()
    shutil.copyfile(corpus / "exif-samples" / "jpg" / "mobile" / "jolla.jpg", photo)
    _patients, [picture] = file_pictures(vault_path, corpus, tmp_path,
                                         [(0, "left-ankle", "itchy rash")], [photo])
    shell = logged_in("clinician")
    shell.window.resize(1280, 800)
    shell.window.show()
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    view = shell.record_view
    details, timeline = view.details, view.timeline
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: [p.image_id for p in timeline.chosen()] == [picture], timeout=5000)
    for width in (None, 300):
        if width:
            total = sum(view.pictures.sizes())
            view.pictures.setSizes([total - width, width])
        qtbot.wait(50)
        room = details.parentWidget().width()
        assert details.width() <= room, f"the details are {details.width()} px in {room} px"
        wide = [f"{key}: ends at {label.geometry().right()} of {room} px"
                for key, label in details.facts.items()
                if label.isVisible() and label.geometry().right() >= room]
        assert wide == []
        assert cut_values(details) == []
    assert len(f"000-{name}") == 200
    assert f"000-{name}" in details.facts["file"].toolTip()


def test_the_record_with_all_its_commands_fits_a_1280_by_800_window(qtbot, logged_in, filed):
    """Seven commands in one row once made the whole page scroll sideways for a few pixels."""
    shell = logged_in("clinician")
    shell.window.resize(1280, 800)
    shell.window.show()
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    qtbot.wait(50)
    page = shell.window.pages.currentWidget()
    assert not page.horizontalScrollBar().isVisible(), "the record is wider than the window"
    commands = shell.record.commands
    for button in (commands.compare_button, commands.incident_button):
        assert button.width() >= button.sizeHint().width(), button.text()
        assert page.viewport().rect().contains(
            button.mapTo(page.viewport(), button.rect().bottomRight())), button.text()
