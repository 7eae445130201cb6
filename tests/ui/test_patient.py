"""Finding the right patient by typing, typos and all, and the guard that keeps them in view."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.helpers import add_patients


def test_a_typo_still_finds_the_patient_and_the_banner_shows_who(qtbot, logged_in, vault_path):
    add_patients(vault_path, [
        ("10001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
        ("10002", "Smith", "John", "1980-03-12", "Carlton"),
        ("10003", "Nguyen", "Minh", "1975-01-30", "Richmond"),
    ])
    shell = logged_in("reception")
    desk = shell.desk_controller
    banner = shell.desk_view.banner
    assert banner.property("state") == "none"

    qtbot.keyClick(shell.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert desk.panel.search_edit.hasFocus()
    with qtbot.waitSignal(desk.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "nguyn mai 5/6/90"):
        qtbot.keyClicks(desk.panel.search_edit, "nguyn mai 5/6/90")
    first = desk.panel.candidates.item(0).text()
    assert first.startswith("NGUYEN, Mai") and "born 05/06/1990" in first
    assert "date of birth" in first

    with qtbot.waitSignal(desk.patient_chosen, timeout=5000):
        qtbot.keyClick(desk.panel.search_edit, Qt.Key.Key_Return)
    assert banner.name.text() == "NGUYEN, Mai"
    assert "05/06/1990" in banner.details.text() and "10001" in banner.details.text()
    assert banner.property("state") == "chosen"


def test_two_patients_alike_must_be_chosen_explicitly(qtbot, logged_in, vault_path):
    add_patients(vault_path, [
        ("20001", "Brown", "Liz", "1970-02-02", "Brunswick"),
        ("20002", "Brown", "Liz", "1970-02-02", "Geelong"),
    ])
    shell = logged_in("reception")
    desk = shell.desk_controller
    with qtbot.waitSignal(desk.searched, timeout=10000,
                          check_params_cb=lambda r: r.query.text == "liz brown"):
        qtbot.keyClicks(desk.panel.search_edit, "liz brown")
    assert desk.panel.caution.isVisibleTo(desk.panel)
    assert "choose one yourself" in desk.panel.caution.text()
    assert desk.panel.candidates.currentItem() is None
    assert not desk.panel.choose_button.isEnabled()
    qtbot.keyClick(desk.panel.search_edit, Qt.Key.Key_Return)
    assert desk.patient is None

    second = desk.panel.candidates.item(1)
    assert "Geelong" in second.text() or "record 20002" in second.text()
    desk.panel.candidates.setCurrentItem(second)
    with qtbot.waitSignal(desk.patient_chosen, timeout=5000):
        qtbot.mouseClick(desk.panel.choose_button, Qt.MouseButton.LeftButton)
    assert "20002" in shell.desk_view.banner.details.text()


def test_a_patient_renamed_by_another_process_is_not_shown_under_the_old_name(
        qtbot, logged_in, vault_path, tmp_path):
    from tests.integration.test_patients_changed_elsewhere import (
        HEADER,
        _import_in_another_process,
    )

    add_patients(vault_path, [("R00001", "Smith", "John", "1980-02-01", "Carlton")])
    shell = logged_in("reception")
    desk = shell.desk_controller
    edit = desk.panel.search_edit

    def typed(text: str) -> list[str]:
        edit.clear()
        with qtbot.waitSignal(desk.searched, timeout=10000,
                              check_params_cb=lambda r: r.query.text == text):
            qtbot.keyClicks(edit, text)
        return [desk.panel.candidates.item(i).text()
                for i in range(desk.panel.candidates.count())]

    assert typed("smith john 1/2/1980")[0].startswith("SMITH, John")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(HEADER + "R00001,Quark,Zebedee,01/02/1980,F\n", encoding="utf-8")
    _import_in_another_process(vault_path, renamed)

    assert not any("QUARK" in shown for shown in typed("smith john"))
    assert typed("quark zebedee")[0].startswith("QUARK, Zebedee")
