"""Who an inbox picture may show: clues from its file name and from a patient label in it.

The import does not record the barcodes it could see, so the label is read
here from the picture's display copy, in memory, when the picture is opened
large; the bytes are never written to a file on the way. The search itself
is the patient service's.
"""

from __future__ import annotations

from clinfile.app.patients.hints import barcode_texts, hints_from_filename
from clinfile.app.patients.matching import MatchResult
from clinfile.app.patients.service import PatientService


def read_labels(display_copy: bytes) -> tuple[str, ...]:
    """Return the text of every barcode or QR code in a display copy held in memory."""
    return tuple(barcode_texts(display_copy))


def suggest(patients: PatientService, file_name: str, display_copy: bytes,
            labelled: bool) -> MatchResult | None:
    """Rank the practice's patients by a picture's file name and labels; None if it has no clue.

    ``labelled`` says whether :func:`read_labels` found a barcode, so a picture
    without one is not decoded a second time.
    """
    if not labelled and hints_from_filename(file_name).empty:
        return None
    return patients.search_with_hints(filename=file_name,
                                      image=display_copy if labelled else None)


def clue_words(file_name: str, labelled: bool) -> str:
    """Where a suggestion came from, in words: 'the file name', 'a label barcode'."""
    if not labelled:
        return "the file name"
    named = not hints_from_filename(file_name).empty
    return "the file name and a label barcode" if named else "a label barcode"
