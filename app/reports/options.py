"""The practice's choices for its printed documents, read from the vault's settings.

Each setting's name is declared here once with its default, as the consent
policy's is in ``app/consent/policy.py``, so the services, the command line
and the window read them the same way. Settings live in the vault, so every
workstation of the practice prints the same paper with the same names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.reports.naming import DEFAULT_SUMMARY_PATTERN, check_pattern
from app.reports.pdf import PageSize
from db.connection import Connection
from db.settings import SettingsRepository

PAGE_SIZE_SETTING = "report_page_size"
FILE_PATTERN_SETTING = "summary_file_pattern"
OUTBOX_SETTING = "outbox_folder"
PRACTICE_NAME_SETTING = "practice_name"


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
        ValueError: a stored page size or file pattern is not usable.
        NamePatternError: the stored file pattern names an unknown field.
    """
    stored = SettingsRepository(conn).all()
    pattern = str(stored.get(FILE_PATTERN_SETTING) or DEFAULT_SUMMARY_PATTERN)
    check_pattern(pattern)
    outbox = stored.get(OUTBOX_SETTING)
    return ReportOptions(
        page_size=PageSize(str(stored.get(PAGE_SIZE_SETTING) or PageSize.A4)),
        file_pattern=pattern,
        outbox=Path(str(outbox)) if outbox else None,
        practice_name=str(stored.get(PRACTICE_NAME_SETTING) or ""),
    )
