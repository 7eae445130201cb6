"""Reading HL7 v2 ADT messages that register or update patients (A04, A08, A28, A31).

HL7 v2 is pipe-delimited text: segments end in carriage returns, fields are
split by the character after ``MSH``, and components, repetitions and escapes
by the four characters after that. Files may hold many messages, may have
been saved with Unix or Windows line endings, and may keep the MLLP framing
bytes of the interface that captured them; all are accepted.

Identifiers are read from PID-3 by their type code, as Australian interfaces
send them: ``MR`` the practice's record number, ``NI`` the IHI, ``MC`` the
Medicare number (11 digits with the IRN), ``DVA`` the DVA file number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clinfile.app.patients.dates import DateOrder
from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

EVENTS = {"A04": "register a patient", "A08": "update patient information",
          "A28": "add person information", "A31": "update person information"}
_SEGMENT_END = re.compile(r"\r\n|\r|\n")
_FRAMING = str.maketrans("", "", "\x0b\x1c")


@dataclass(frozen=True)
class Encoding:
    """The separators a message declares in MSH-1 and MSH-2."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    def unescape(self, text: str) -> str:
        r"""Turn HL7 escapes (\F\, \S\, \T\, \R\, \E\) back into their characters."""
        if self.escape not in text:
            return text
        e = re.escape(self.escape)
        table = {"F": self.field, "S": self.component, "T": self.subcomponent,
                 "R": self.repetition, "E": self.escape}
        return re.sub(f"{e}([FSTRE]){e}", lambda m: table[m.group(1)], text)


@dataclass(frozen=True)
class Message:
    """One HL7 message: its segments as lists of raw fields, keyed by segment name."""

    encoding: Encoding
    segments: tuple[tuple[str, list[str]], ...]

    def segment(self, name: str) -> list[str] | None:
        """Return the first segment with this name (fields numbered as in HL7), or None."""
        return next((fields for seg, fields in self.segments if seg == name), None)


def read_hl7(path: Path) -> Iterator[SourceRecord | SourceProblem]:
    """Yield the patients in an HL7 file, or in every file of a folder (in name order).

    Raises:
        UnreadableSource: the file or folder holds no HL7 messages at all.
    """
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    found_any = False
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace").translate(_FRAMING)
        for number, message in enumerate(split_messages(text), start=1):
            found_any = True
            where = f"message {number} in {file.name}" if path.is_dir() else f"message {number}"
            yield _record(where, message)
    if not found_any:
        raise UnreadableSource(f"There are no HL7 messages in {path.name} (none starts with MSH).")


def split_messages(text: str) -> list[str]:
    """Split text into messages, each starting at an MSH segment."""
    messages: list[list[str]] = []
    for line in _SEGMENT_END.split(text):
        if line.startswith("MSH"):
            messages.append([line])
        elif line.strip() and messages:
            messages[-1].append(line)
    return ["\r".join(m) for m in messages]


def parse_message(text: str) -> Message:
    """Split one message into segments and fields.

    Raises:
        ValueError: the message does not start with a well-formed MSH segment.
    """
    if not text.startswith("MSH") or len(text) < 8:
        raise ValueError("it does not start with an MSH segment")
    field = text[3]
    declared = text[4:].split(field, 1)[0]
    if len(declared) < 4:
        raise ValueError("its MSH segment does not declare its separators")
    encoding = Encoding(field, declared[0], declared[1], declared[2], declared[3])
    segments = []
    for segment in _SEGMENT_END.split(text):
        if not segment.strip():
            continue
        parts = segment.split(field)
        if parts[0] == "MSH":
            parts = ["MSH", field, *parts[1:]]
        segments.append((parts[0], parts))
    return Message(encoding, tuple(segments))


def _record(where: str, text: str) -> SourceRecord | SourceProblem:
    try:
        message = parse_message(text)
    except ValueError as exc:
        return SourceProblem(where, str(exc))
    msh = message.segment("MSH")
    kind = _component(message, _field(msh, 9), 1)
    event = _component(message, _field(msh, 9), 2) or _field(message.segment("EVN"), 1)
    if kind != "ADT" or event not in EVENTS:
        shown = f"{kind}^{event}" if kind else "of no type"
        return SourceProblem(where, f"it is {shown}, not a patient registration or update "
                                    f"({', '.join(EVENTS)}); skipped")
    pid = message.segment("PID")
    if pid is None:
        return SourceProblem(where, "it has no PID segment, so no patient details")
    try:
        return SourceRecord(where, _details(message, pid), DateOrder.YEAR_FIRST)
    except ValueError as exc:
        return SourceProblem(where, str(exc))


def _details(message: Message, pid: list[str]) -> PatientDetails:
    identifiers = _identifiers(message, _field(pid, 3))
    names = _repetitions(message, _field(pid, 5))
    legal = next((n for n in names if _component(message, n, 7) in ("L", "")), None)
    if legal is None:
        raise ValueError("it has no legal name in PID-5")
    previous = tuple(_component(message, n, 1) for n in names
                     if _component(message, n, 7) in ("M", "B") and _component(message, n, 1))
    preferred = next((_component(message, n, 2) for n in names
                      if _component(message, n, 7) in ("N", "A")), "")
    address = (_repetitions(message, _field(pid, 11)) or [""])[0]
    phone = (_repetitions(message, _field(pid, 13)) or [""])[0]
    given = " ".join(p for p in (_component(message, legal, 2), _component(message, legal, 3)) if p)
    born = _field(pid, 7)[:8]
    return PatientDetails(
        family_name=_component(message, legal, 1),
        given_names=given,
        birth_date=born,
        sex=_field(pid, 8),
        preferred_name=preferred,
        previous_names=previous,
        address=", ".join(p for p in (_component(message, address, 1),
                                      _component(message, address, 2)) if p),
        suburb=_component(message, address, 3),
        state=_component(message, address, 4),
        postcode=_component(message, address, 5),
        phone=_component(message, phone, 12) or _component(message, phone, 1),
        source="hl7",
        **identifiers,
    )


def _identifiers(message: Message, field: str) -> dict[str, str]:
    found = {"record_number": "", "ihi": "", "medicare_number": "", "medicare_irn": "",
             "dva_number": ""}
    for repetition in _repetitions(message, field):
        value = _component(message, repetition, 1)
        code = _component(message, repetition, 5).upper()
        if code == "MR" and not found["record_number"]:
            found["record_number"] = value
        elif code == "NI" or (code == "" and value.startswith("800360")):
            found["ihi"] = value
        elif code == "MC":
            found["medicare_number"] = value
        elif code in ("DVA", "DVG", "DVW", "DVO"):
            found["dva_number"] = value
    return found


def _field(segment: list[str] | None, number: int) -> str:
    if segment is None or number >= len(segment):
        return ""
    return segment[number]


def _repetitions(message: Message, field: str) -> list[str]:
    return [r for r in field.split(message.encoding.repetition) if r] if field else []


def _component(message: Message, field: str, number: int) -> str:
    parts = field.split(message.encoding.component)
    raw = parts[number - 1] if number - 1 < len(parts) else ""
    return message.encoding.unescape(raw.split(message.encoding.subcomponent)[0]).strip()
