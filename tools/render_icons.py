"""Draw the application icon's PNG sizes from its SVG, for the Linux icon theme and installers.

Run after changing ``src/clinfile/resources/clinfile-icon.svg``:
``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_icons.py``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "src" / "clinfile" / "resources" / "clinfile-icon.svg"
THEME = ROOT / "packaging" / "icons" / "hicolor"
APP_ID = "au.clinfile.Clinfile"
SIZES = (48, 128, 256)


def main() -> None:
    """Write scalable/apps/APP_ID.svg and NxN/apps/APP_ID.png for each size."""
    app = QGuiApplication(sys.argv)  # noqa: F841 - painting needs the application object
    renderer = QSvgRenderer(str(SVG))
    scalable = THEME / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable / f"{APP_ID}.svg")
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        folder = THEME / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        image.save(str(folder / f"{APP_ID}.png"))


if __name__ == "__main__":
    main()
