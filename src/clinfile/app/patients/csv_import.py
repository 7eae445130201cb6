"""Reading the patient CSV exports of a practice's clinical software.

Exports differ in their headings and date formats, and are often messy: a
byte-order mark from Excel, Windows line endings, commas inside quoted
addresses, blank lines, trailing columns left off. A column mapping says
which heading holds which detail and how dates are written; when it names
no heading for a detail, the usual headings are recognised by themselves.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clinfile.app.patients.dates import DateOrder
from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

FIELD_WORDS = {
    "record_number": "record number",
    "family_name": "surname",
    "given_names": "first name",
    "preferred_name": "preferred name",
    "previous_names": "previous surname",
    "birth_date": "date of birth",
    "sex": "sex",
    "address": "address",
    "suburb": "suburb",
    "state": "state",
    "postcode": "postcode",
    "phone": "phone",
    "medicare_number": "Medicare number",
    "medicare_irn": "Medicare IRN",
    "dva_number": "DVA number",
    "ihi": "IHI",
}

_USUAL_HEADINGS = {
    "record_number": ("record number", "record no", "patient id", "patient number", "mrn",
                      "chart number", "chart no", "internal id", "file number", "patient no",
                      "id"),
    "family_name": ("surname", "family name", "last name", "lastname", "familyname"),
    "given_names": ("first name", "firstname", "given name", "given names", "givenname",
                    "forename", "first names", "given"),
    "preferred_name": ("preferred name", "known as", "nickname"),
    "previous_names": ("previous surname", "maiden name", "previous name", "former surname",
                       "birth surname"),
    "birth_date": ("dob", "date of birth", "birth date", "birthdate", "d.o.b."),
    "sex": ("sex", "gender"),
    "address": ("address", "street", "address line 1", "address1", "street address",
                "address 1"),
    "suburb": ("suburb", "city", "town", "locality", "suburb/town"),
    "state": ("state",),
    "postcode": ("postcode", "post code", "postal code", "zip"),
    "phone": ("phone", "mobile", "telephone", "phone number", "mobile phone", "home phone",
              "mobile number"),
    "medicare_number": ("medicare", "medicare number", "medicare no", "medicareno",
                        "medicare card", "medicare card number"),
    "medicare_irn": ("irn", "medicare irn", "medicare ref", "medicare reference",
                     "medicare line", "medicare line number", "medicare position"),
    "dva_number": ("dva", "dva number", "dva file number", "dva no", "dva card"),
    "ihi": ("ihi", "ihi number", "individual healthcare identifier"),
}
_REQUIRED = ("family_name",)


@dataclass(frozen=True)
class ColumnMapping:
    """Which heading holds which detail, and how the file writes dates.

    Attributes:
        columns: detail name (``family_name``, ``birth_date`` …) to the heading
            used in the file; details not named are found by their usual headings.
        date_order: how dates of birth are written.
        name: what the practice calls this mapping.
    """

    columns: dict[str, str] = field(default_factory=dict)
    date_order: DateOrder = DateOrder.DAY_FIRST
    name: str = ""

    def as_dict(self) -> dict:
        """Plain data to save with the practice's settings."""
        return {"columns": dict(self.columns), "date_order": str(self.date_order),
                "name": self.name}

    @classmethod
    def from_dict(cls, data: dict, *, name: str = "") -> ColumnMapping:
        """Read a saved or hand-written mapping.

        Raises:
            UnreadableSource: a detail or date order is not one Clinfile knows.
        """
        columns = data.get("columns", {})
        unknown = sorted(set(columns) - set(FIELD_WORDS))
        if unknown:
            raise UnreadableSource(
                f"The column mapping names details Clinfile does not know: {', '.join(unknown)}. "
                f"Known details: {', '.join(FIELD_WORDS)}.")
        try:
            order = DateOrder(data.get("date_order", DateOrder.DAY_FIRST))
        except ValueError:
            raise UnreadableSource("The column mapping's date order should be DMY, MDY or YMD."
                                   ) from None
        return cls({k: str(v) for k, v in columns.items()}, order, name or data.get("name", ""))


PRESETS = {
    "australian": ColumnMapping(date_order=DateOrder.DAY_FIRST, name="australian"),
    "iso": ColumnMapping(date_order=DateOrder.YEAR_FIRST, name="iso"),
    "us": ColumnMapping(date_order=DateOrder.MONTH_FIRST, name="us"),
}
DEFAULT_PRESET = "australian"


def read_csv(path: Path, mapping: ColumnMapping = PRESETS[DEFAULT_PRESET]
             ) -> Iterator[SourceRecord | SourceProblem]:
    """Yield each row of a patient CSV as a record, or as a problem saying why it was skipped.

    Raises:
        UnreadableSource: the file has no heading row or no column for a surname.
    """
    text = _decoded(Path(path).read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    header, columns = _header(reader, mapping)
    ended_at = reader.line_num
    for cells in reader:
        line = ended_at + 1
        ended_at = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            yield SourceProblem(
                f"line {line}", f"it has {len(cells)} values but the heading row has "
                f"{len(header)}; a comma inside a name or address may need quotes")
            continue
        values = {name: cells[i].strip() if i < len(cells) else ""
                  for name, i in columns.items()}
        previous = tuple(p.strip() for p in re.split(r"[;|]", values.pop("previous_names", ""))
                         if p.strip())
        yield SourceRecord(f"line {line}", PatientDetails(**values, previous_names=previous,
                                                          source="csv"), mapping.date_order)


def _decoded(raw: bytes) -> str:
    """Text of the file: UTF-8 (with or without Excel's byte-order mark), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _dialect(text: str) -> type[csv.Dialect]:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _header(reader, mapping: ColumnMapping) -> tuple[list[str], dict[str, int]]:
    for header in reader:
        if any(c.strip() for c in header):
            break
    else:
        raise UnreadableSource("The file is empty: there is no heading row.")
    positions = {_heading_key(h): i for i, h in enumerate(header)}
    columns: dict[str, int] = {}
    for name, heading in mapping.columns.items():
        if _heading_key(heading) not in positions:
            raise UnreadableSource(
                f"The column mapping puts the {FIELD_WORDS[name]} in a column called "
                f"“{heading}”, but the file has no such column. Its columns are: "
                f"{', '.join(h for h in header if h.strip())}.")
        columns[name] = positions[_heading_key(heading)]
    for name, usual in _USUAL_HEADINGS.items():
        if name in columns:
            continue
        found = next((positions[h] for h in usual if h in positions), None)
        if found is not None and found not in columns.values():
            columns[name] = found
    for name in _REQUIRED:
        if name not in columns:
            raise UnreadableSource(
                f"The file has no column for the {FIELD_WORDS[name]}. Its columns are: "
                f"{', '.join(h for h in header if h.strip())}. Choose a column mapping that "
                "says which column holds it.")
    return header, columns


def _heading_key(heading: str) -> str:
    return re.sub(r"[\s_]+", " ", heading.strip().strip('"').casefold())
