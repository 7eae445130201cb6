"""The Vault tab: change the keys, watch the pictures re-keyed, stop and go on; seal the trail."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from clinfile.app.security.session import Session
from clinfile.app.vault.errors import KeysChanged
from tests.conftest import PASSWORDS


def _old_pictures(vault_path) -> None:
    session = Session.login(vault_path, "admin", PASSWORDS["admin"])
    for year in range(2018, 2024):
        session.vault.blobs.put_bytes(os.urandom(2_000_000),
                                      when=datetime(year, 6, 1, tzinfo=UTC))
    session.lock()


def _open_vault_tab(qtbot, logged_in):
    shell = logged_in("admin")
    qtbot.keyClick(shell.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shell.window, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    tab = shell.admin.vault
    qtbot.waitUntil(lambda: "sealed up to row" in tab.seal_line.text(), timeout=10000)
    return shell, tab


def test_change_the_keys_and_the_pictures_are_rekeyed_while_the_window_stays_free(
        qtbot, logged_in, vault_path):
    _old_pictures(vault_path)
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    shell, tab = _open_vault_tab(qtbot, logged_in)

    qtbot.mouseClick(tab.keys_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(tab, "keys_box") and tab.keys_box.isVisible())
    qtbot.mouseClick(tab.keys_box.button(tab.keys_box.StandardButton.Yes),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.stop_button.isVisible(), timeout=15000)
    assert tab.report.toPlainText().startswith("The vault has a new key.")
    qtbot.waitUntil(lambda: "Every picture is under the current key" in tab.rekey_line.text(),
                    timeout=60000)
    assert not tab.rekey_button.isVisible()
    with pytest.raises(KeysChanged):
        reception.vault.blobs.put_bytes(b"would go under the old key")
    assert reception.locked


def test_stopped_rekeying_is_offered_again_and_finishes(qtbot, logged_in, vault_path):
    _old_pictures(vault_path)
    shell, tab = _open_vault_tab(qtbot, logged_in)
    tab.change_keys("a password may have been seen")
    qtbot.waitUntil(lambda: tab.stop_button.isVisible(), timeout=15000)
    qtbot.mouseClick(tab.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.stop_button.isVisible(), timeout=60000)
    if tab.rekey_button.isVisible():
        assert "still under the vault's previous key" in tab.rekey_line.text()
        qtbot.mouseClick(tab.rekey_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Every picture is under the current key" in tab.rekey_line.text(),
                    timeout=60000)


def test_seal_now_seals_what_others_wrote_since(qtbot, logged_in, vault_path):
    shell, tab = _open_vault_tab(qtbot, logged_in)
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])
    reception.audit("images.viewed", "image 3")
    qtbot.mouseClick(tab.seal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: re.fullmatch(r"Sealed the audit trail up to row \d+\.",
                                         tab.report.toPlainText()) is not None, timeout=10000)
    assert "not yet sealed" not in tab.seal_line.text()
    assert "sealed up to row" in tab.seal_line.text()
