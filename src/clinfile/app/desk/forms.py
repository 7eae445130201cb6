"""The consent form as one PDF file where the window's print or save dialog wants it.

The report service names a form after the patient and its code and writes
it into a folder; the print and save dialogs want a PDF at a path they
chose. This makes the form in a private temporary folder and moves it
there, so nothing half-written is ever left at the chosen path.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from clinfile.app.errors import write_outside_the_vault
from clinfile.app.reports.service import ReportService
from clinfile.app.security.session import Session
from clinfile.db.connection import write_atomically


def write_consent_form(session: Session, code: str, path: Path) -> Path:
    """Write the pre-filled consent form of consent ``code`` to ``path``; return the path."""
    with tempfile.TemporaryDirectory(prefix="clinfile-form-") as folder:
        written = ReportService(session).consent_form(code, out=Path(folder))
        made = written.paths[0]
        write_outside_the_vault(Path(path),
                                lambda: write_atomically(Path(path), made.read_bytes()))
    return Path(path)
