"""Names in every script are drawn in the window with their own letters, never as boxes.

The practice's computer may have no font for Korean, Chinese or Japanese; the
window borrows the one the PDFs embed.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextLayout


def _missing_letters(text: str, font) -> list[str]:
    """The fonts that drew a box (glyph 0) for some letter of ``text``."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [run.rawFont().familyName() for run in layout.glyphRuns()
            if 0 in run.glyphIndexes()]


@pytest.mark.parametrize("name", ["김민준", "王小明", "山田 太郎", "NGUYỄN, Thị Mai", "כהן, דנה"])
def test_a_patient_s_name_is_drawn_with_its_own_letters(qtbot, start, name):
    shell = start()
    label_font = shell.window.font()
    assert _missing_letters(name, label_font) == []
