"""Pictures arriving in the inbox: the drop folder, drag-and-drop, quarantine, a busy import."""

from __future__ import annotations

import shutil
import time

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer

from clinfile.ui.desk.inbox_controller import ITEM_ROLE
from tests.ui.helpers import copy_into, corpus_pictures, drop_files


def test_drop_folder_files_appear_with_badges_and_leave_the_folder(qtbot, logged_in, workstation,
                                                                   corpus, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop))
    shell = logged_in("reception")
    inbox = shell.desk_view.inbox
    assert inbox.empty.isVisible()

    gps = sorted((corpus / "exif-samples" / "jpg" / "gps").glob("*.jpg"))[:2]
    copy_into(gps + [corpus / "exif-samples" / "jpg" / "Canon_40D.jpg"], drop)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 3, timeout=30000)
    qtbot.waitUntil(lambda: not any(drop.iterdir()), timeout=10000)

    texts = [inbox.model.item(row).text() for row in range(3)]
    assert all("drop folder" in text and "Today" in text for text in texts)
    assert all("had location data" in text for text in texts if "DSCN" in text)
    assert inbox.tabs.tabText(0) == "Inbox (3)"
    assert not inbox.empty.isVisible()

    with qtbot.waitSignal(shell.desk_controller.previewed, timeout=10000):
        inbox.select_row(0)
    assert len(shell.desk_view.preview.images) == 1


def test_a_hostile_file_waits_in_quarantine_with_its_reason(qtbot, logged_in, workstation,
                                                            tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop))
    shell = logged_in("reception")
    (drop / "rash photo.jpg").write_text("Dear doctor, the photo is attached. Regards, Mai")
    inbox = shell.desk_view.inbox
    qtbot.waitUntil(lambda: inbox.quarantine.list.count() == 1, timeout=30000)
    entry = inbox.quarantine.list.item(0).text()
    assert entry.startswith("rash photo.jpg")
    assert "not a picture" in entry
    assert inbox.tabs.tabText(1) == "Quarantine (1)"
    assert (drop / "rash photo.jpg").exists()


def test_files_dragged_onto_the_window_are_taken_in(qtbot, logged_in, corpus, tmp_path):
    shell = logged_in("reception")
    files = copy_into(corpus_pictures(corpus)[:3], tmp_path / "usb stick")
    inbox = shell.desk_view.inbox
    drop_files(shell.desk_view, files)
    qtbot.waitUntil(lambda: inbox.progress_box.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 3, timeout=30000)
    assert all("added by hand" in inbox.model.item(row).text() for row in range(3))
    assert inbox.progress.maximum() == 3


@pytest.mark.slow
@pytest.mark.serial
def test_the_window_never_freezes_while_100_files_import(qtbot, logged_in, corpus, tmp_path,
                                                         record_property):
    shell = logged_in("reception")
    pictures = corpus_pictures(corpus)
    files = copy_into((pictures * 2)[:100], tmp_path / "a hundred")
    unique = len({f.read_bytes() for f in files})
    inbox = shell.desk_view.inbox
    # The first picture of the day pays once for what Qt and Python set up on
    # first use; the window's behaviour under a stream of arrivals is measured
    # after it, as reception would meet it all morning.
    first = tmp_path / "first of the day.jpg"
    Image.new("RGB", (640, 480), "teal").save(first)
    with qtbot.waitSignal(shell.desk_controller.inbox.import_finished, timeout=60000):
        drop_files(shell.desk_view, [first])
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=30000)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    drop_files(shell.desk_view, files)
    qtbot.waitUntil(lambda: inbox.progress.value() == 100, timeout=240000)
    qtbot.waitUntil(lambda: inbox.model.rowCount() + inbox.quarantine.list.count() >= unique - 1,
                    timeout=60000)
    timer.stop()
    assert len(gaps) > 50
    worst = max(gaps)
    record_property("largest_gui_gap_ms", round(worst * 1000, 1))
    # A person notices a window that does not answer for a second. The 100 ms
    # target is measured by ``make bench``, on a machine doing nothing else.
    assert worst < 1.0, f"the GUI thread stalled for {worst * 1000:.0f} ms"



def test_a_refused_file_is_looked_at_then_released_or_deleted(
        qtbot, logged_in, workstation, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    drop, letters = tmp_path / "drop", tmp_path / "letters"
    drop.mkdir()
    letters.mkdir()
    workstation.remember(drop_folder=str(drop))
    shell = logged_in("reception")
    (drop / "referral letter.jpg").write_text("Dear Doctor, please see Mai about her rash.")
    (drop / "notes.jpg").write_text("not a picture either")
    quarantine = shell.desk_view.inbox.quarantine
    qtbot.waitUntil(lambda: quarantine.list.count() == 2, timeout=30000)
    assert not quarantine.release_button.isEnabled()

    shell.desk_view.inbox.tabs.setCurrentIndex(1)
    letter = next(i for i in range(2) if "referral" in quarantine.list.item(i).text())
    qtbot.mouseClick(quarantine.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=quarantine.list.visualItemRect(quarantine.list.item(letter)).center())
    assert quarantine.details.text().startswith("referral letter.jpg: ")
    assert "not a picture" in quarantine.details.text() and str(drop) in quarantine.details.text()

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    qtbot.mouseClick(quarantine.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(drop)]

    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(letters))
    qtbot.mouseClick(quarantine.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: quarantine.list.count() == 1, timeout=10000)
    assert "It begins: Dear Doctor, please see Mai about her rash." in asked[0]
    assert (letters / "referral letter.jpg").exists()
    assert not (drop / "referral letter.jpg").exists()

    quarantine.list.setCurrentRow(0)
    qtbot.mouseClick(quarantine.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: quarantine.list.count() == 0, timeout=10000)
    assert not any(drop.iterdir())
    assert shell.desk_view.inbox.tabs.tabText(1) == "Quarantine"


def test_the_quarantine_speaks_in_whole_sentences_and_says_where_things_are(
        qtbot, logged_in, workstation, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    drop, outbox, letters = tmp_path / "drop", tmp_path / "outbox", tmp_path / "letters"
    for folder in (drop, outbox, letters):
        folder.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(outbox))
    shell = logged_in("reception")
    shell.window.resize(1280, 800)
    (drop / "letter.jpg").write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    (drop / "notes.jpg").write_text("not a picture either")
    quarantine = shell.desk_view.inbox.quarantine
    qtbot.waitUntil(lambda: quarantine.list.count() == 2, timeout=30000)
    shell.desk_view.inbox.tabs.setCurrentWidget(quarantine)
    quarantine.list.setCurrentRow(0)
    qtbot.wait(50)
    assert ".." not in quarantine.details.text()
    for button in (quarantine.release_button, quarantine.delete_button,
                   quarantine.folder_button):
        words = button.text().replace("&", "")
        assert button.width() > button.fontMetrics().horizontalAdvance(words), words

    asked = []

    def answer(_parent, title, text):
        asked.append(text)
        return (QMessageBox.StandardButton.Yes if title.startswith("Release")
                else QMessageBox.StandardButton.No)

    monkeypatch.setattr(QMessageBox, "question", answer)
    qtbot.mouseClick(quarantine.delete_button, Qt.MouseButton.LeftButton)
    assert asked and ".." not in asked[0]

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    qtbot.mouseClick(quarantine.folder_button, Qt.MouseButton.LeftButton)
    assert str(drop) in shell.window.activity.text()

    started_in = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda _parent, _caption, start="": started_in.append(start)
                        or str(letters))
    qtbot.mouseClick(quarantine.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: quarantine.list.count() == 1, timeout=10000)
    quarantine.list.setCurrentRow(0)
    qtbot.mouseClick(quarantine.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: quarantine.list.count() == 0, timeout=10000)
    assert started_in == [str(outbox), str(letters)]


@pytest.mark.slow
def test_pictures_arriving_steadily_are_all_laid_out_and_reachable(
        qtbot, logged_in, workstation, corpus, tmp_path):
    """Each arrival re-lays the list; every row must have its place at once, not a batch later."""
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop))
    shell = logged_in("reception")
    shell.window.resize(1280, 800)
    inbox = shell.desk_view.inbox
    shown, bar = inbox.list, inbox.list.verticalScrollBar()

    for number, picture in enumerate(corpus_pictures(corpus)[:14]):
        before = inbox.model.rowCount()
        arrived = drop / f"{number:03d}-{picture.name}"
        shutil.copyfile(picture, arrived)
        qtbot.waitUntil(lambda before=before, arrived=arrived: inbox.model.rowCount() > before
                        or arrived in inbox.quarantine.refused_paths(), timeout=30000)
        if inbox.model.rowCount() == before:
            continue
        last = inbox.model.index(inbox.model.rowCount() - 1, 0)
        shown.setFocus()
        qtbot.keyClick(shown, Qt.Key.Key_End)
        assert shown.currentIndex() == last
        assert shown.viewport().rect().intersects(shown.visualRect(last))
    rows = inbox.model.rowCount()
    assert rows > 8
    assert all(shown.visualRect(inbox.model.index(row, 0)).isValid() for row in range(rows))
    qtbot.keyClick(shown, Qt.Key.Key_Home)
    assert bar.value() == 0 and bar.maximum() > 0
    for _ in range(rows - 1):
        qtbot.keyClick(shown, Qt.Key.Key_Down)
    assert shown.currentIndex().row() == rows - 1
    assert bar.value() == bar.maximum()


def test_an_inbox_row_holds_only_the_icon_it_shows(qtbot, logged_in, workstation, corpus,
                                                   tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop))
    shell = logged_in("reception")
    inbox = shell.desk_view.inbox
    copy_into(sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[:3], drop)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 3, timeout=30000)

    shown = inbox.list.iconSize() * inbox.list.devicePixelRatioF()
    for row in range(3):
        kept = inbox.model.item(row)
        sizes = kept.icon().availableSizes()
        assert sizes and all(size.boundedTo(shown) == size for size in sizes)
        assert kept.data(ITEM_ROLE).thumbnail is None
