"""The practice's choices for its printed documents, read from the vault's settings.

The settings themselves are declared in :mod:`app.settings`; this gathers the
ones reports use into the types the renderers take. Settings live in the
vault, so every workstation of the practice prints the same paper with the
same names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clinfile.app.name_pattern import DEFAULT_SUMMARY_PATTERN
from clinfile.app.reports.pdf import PageSize
from clinfile.app.settings import read_settings
from clinfile.db.connection import Connection


@dataclass(frozen=True)
class ReportOptions:
    """How documents are printed and named, and where they go.

    Attributes:
        page_size: A4 unless the practice prints on Letter.
        file_pattern: the summary's file name, from the fields in
            :data:`app.reports.naming.FIELDS` (the extension is added).
        outbox: the folder the clinical software imports from; None until set.
        practice_name: printed at the top of forms and summaries.
    """

    page_size: PageSize = PageSize.A4
    file_pattern: str = DEFAULT_SUMMARY_PATTERN
    outbox: Path | None = None
    practice_name: str = ""


def load_options(conn: Connection) -> ReportOptions:
    """Return the practice's report options, with defaults for anything never set.

    Raises:
        SettingError: a stored value is no longer usable.
    """
    settings = read_settings(conn)
    settings.validate()
    return ReportOptions(
        page_size=PageSize(settings.report_page_size),
        file_pattern=settings.summary_file_pattern,
        outbox=Path(settings.outbox_folder) if settings.outbox_folder else None,
        practice_name=settings.practice_name,
    )
