"""File names for what goes to the clinical software, from a pattern the practice may change.

Clinical software picks up scanned documents from an import folder and
files them by the name: ``NGUYEN_Mai_19900605_20260314_clinical-images.pdf``
says whose record it belongs to and from when. Dates are written year first
(YYYYMMDD) so they sort, and so that no one reads 05/06 the American way.
Names are reduced to plain ASCII letters, digits and hyphens: accents,
apostrophes and spaces upset import scripts and some file systems.

Patient-identifying names belong only on files for the record: exports for
teaching or research get neutral names (:func:`neutral_name`).

A name must also fit the file system: 255 bytes on the usual ones, counted
in bytes, not letters. A patient's name, record number or recipient longer
than a name needs is cut, so the dates after it survive; the whole name is
then cut to what the disk takes, with room left for the number the outbox
adds when a name is taken, so names stay readable and unique.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from clinfile.app.name_pattern import DEFAULT_SUMMARY_PATTERN, check_pattern
from clinfile.app.reports.model import PatientHeader

_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
_REPEATS = re.compile(r"([_-])[_-]+")
# Bytes a file name may have on ext4, APFS, XFS and the rest (NTFS counts 255 UTF-16 units).
NAME_BYTES = 255
# Room for the "_999" the outbox adds before the extension when a name is taken.
_TAKEN_ROOM = len("_999")
# Letters kept of one name or number: a full name reads whole, a runaway one is cut.
_PART_LETTERS = 40


def record_file_name(patient: PatientHeader, on: date, *, extension: str,
                     pattern: str = DEFAULT_SUMMARY_PATTERN) -> str:
    """Return the file name for a document about ``patient`` made ``on`` a date.

    Raises:
        NamePatternError: the pattern cannot be used.
    """
    check_pattern(pattern)
    values = {
        "SURNAME": _short_part(patient.family_name).upper(),
        "Surname": _short_part(patient.family_name),
        "Firstname": _short_part(_first_given_name(patient.given_names)),
        "DOB": patient.birth_date.strftime("%Y%m%d") if patient.birth_date else "unknown-DOB",
        "DATE": on.strftime("%Y%m%d"),
        "RECORD": _short_part(patient.record_number),
    }
    room = NAME_BYTES - _TAKEN_ROOM - len(f".{extension}".encode())
    stem = _fitted(safe_stem(pattern.format(**values)), room)
    return f"{stem or 'clinical-images'}.{extension}"


def export_name(recipient: str) -> str:
    """The part of an export's file name that says it is one, and for whom.

    ``export-for-Dr-Jones``: an export sits in the outbox beside the summaries
    for the clinical record and must never be taken for one of them.
    """
    return "-".join(filter(None, ("export-for", _short_part(recipient))))


def neutral_name(purpose_word: str, number: int, *, extension: str) -> str:
    """Return a file name that says nothing about the patient: ``education-image-01.jpg``."""
    return f"{safe_part(purpose_word) or 'image'}-image-{number:02d}.{extension}"


def safe_part(text: str) -> str:
    """Reduce a name to ASCII letters, digits and hyphens ("O'Brien-Núñez" -> "OBrien-Nunez")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_text.replace("'", "")).strip("-")


def safe_stem(text: str) -> str:
    """Keep only safe characters in a whole file stem, collapsing runs of separators."""
    kept = re.sub(r"[^A-Za-z0-9_-]+", "-", text)
    return _REPEATS.sub(r"\1", kept).strip("-_")


def _short_part(text: str) -> str:
    """A name made safe and cut to the letters a file name gives one part."""
    return safe_part(text)[:_PART_LETTERS].strip("-")


def _fitted(stem: str, room: int) -> str:
    """Cut a stem to ``room`` bytes, never inside a character, nor ending on a separator."""
    return stem.encode()[:room].decode(errors="ignore").rstrip("-_")


def _first_given_name(given_names: str) -> str:
    parts = given_names.split()
    return parts[0] if parts else ""
