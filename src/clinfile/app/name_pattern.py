"""The practice's pattern for the names of files for the clinical record, and its check.

Settings check a pattern when a manager changes it and reports fill it in
(:func:`clinfile.app.reports.naming.record_file_name`); the fields and the
check live here, below both.
"""

from __future__ import annotations

import string

DEFAULT_SUMMARY_PATTERN = "{SURNAME}_{Firstname}_{DOB}_{DATE}_clinical-images"
FIELDS = {"SURNAME", "Surname", "Firstname", "DOB", "DATE", "RECORD"}


class NamePatternError(ValueError):
    """A file-name pattern names a field Clinfile does not know, or is malformed."""


def check_pattern(pattern: str) -> None:
    """Refuse a pattern with unknown fields or path separators, saying which fields exist.

    Raises:
        NamePatternError: the pattern cannot be used.
    """
    if "/" in pattern or "\\" in pattern:
        raise NamePatternError("A file-name pattern cannot contain folders (/ or \\).")
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise NamePatternError(f"The file-name pattern is malformed: {exc}.") from None
    unknown = used - FIELDS
    if unknown:
        raise NamePatternError(
            f"The file-name pattern uses {', '.join(sorted(unknown))}; the fields are "
            + ", ".join("{" + name + "}" for name in sorted(FIELDS)) + ".")
