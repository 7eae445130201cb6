"""The summary of chosen pictures as one PDF where the window's print or save dialog wants it.

The report service names a summary after the patient and writes it into a
folder, through the consent gate; the print dialog wants a PDF at a path it
chose. The summary is written beside that path and renamed to it, so no
second copy of the pictures is made anywhere else on the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.security.session import Session


def write_summary(session: Session, image_ids: list[int], path: Path) -> Path:
    """Write the record-attachment summary of these pictures to ``path``; return the path.

    Raises:
        UseRefused: the consent rules refuse a picture (audited).
        PolicyRefused: the person's role may not print (audited).
        ReportError: the folder cannot take it; nothing is left there.
    """
    path = Path(path)
    written = ReportService(session).summary(Selection(image_ids=tuple(image_ids)),
                                             out=path.parent)
    os.replace(written.paths[0], path)
    return path
