"""Opening an admin tab's form and giving the keyboard back to the tab when it closes.

Every tab opens its forms the same way: window-modal (the window keeps
painting), run the act when the form is accepted, free the form once it
closes, and put the keyboard back on the tab's list so its Alt keys work
again at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QWidget


def open_form(dialog: QDialog, back_to: QWidget,
              accepted: Callable[[], object] | None = None) -> QDialog:
    """Open ``dialog``; call ``accepted`` if it is accepted; then give ``back_to`` the keys."""
    if accepted is not None:
        dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    dialog.finished.connect(lambda _result: keys_back_to(back_to))
    dialog.open()
    return dialog


def keys_back_to(widget: QWidget) -> None:
    """Make the widget's window active and focus the widget.

    Without a window manager to do it (and with some that do it late), the
    window stays inactive after its dialog goes, and no Alt key reaches it.
    """
    widget.window().activateWindow()
    widget.setFocus()
