r"""Reading HL7 v2 ADT messages that register or update patients (A04, A08, A28, A31).

The ``hl7`` package parses each message with the separators its MSH segment
declares and undoes the escapes (``\F\ \S\ \T\ \R\ \E\``). This module
finds the messages in a file and reads a patient out of each. Files may hold
many messages, may have been saved with Unix or Windows line endings, may keep
the MLLP framing bytes of the interface that captured them, and may be UTF-8
or a Windows code page; all are accepted. Whatever else a file holds (no PID,
two PIDs, a message far too large, broken separators, binary junk) is refused
message by message in plain words, never with a traceback.

Identifiers are read from PID-3 by their type code, as Australian interfaces
send them: ``MR`` the practice's record number, ``NI`` the IHI (or an
untyped number starting with the IHI prefix 800360), ``MC`` the Medicare
number (11 digits with the IRN), ``DVA`` (and ``DVG``, ``DVW``, ``DVO``, the
card colours) the DVA file number.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import hl7

from clinfile.app.patients.dates import DateOrder
from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

EVENTS = {"A04": "register a patient", "A08": "update patient information",
          "A28": "add person information", "A31": "update person information"}
DVA_CODES = ("DVA", "DVG", "DVW", "DVO")
IHI_PREFIX = "800360"
MAX_FILE_BYTES = 256 * 1024 * 1024  # far beyond any practice's list of patients
MAX_MESSAGE_CHARS = 1024 * 1024  # a registration is a few thousand characters
_SEGMENT_END = re.compile(r"\r\n|\r|\n")
_FRAMING = str.maketrans("", "", "\x0b\x1c")
# Highlighting and formatting escapes mean nothing in a name or an address.
_PLAIN_TEXT = {"H": "", "N": "", ".br": " ", ".sp": " ", ".ce": " ", ".in": " ", ".ti": " ",
               ".sk": " "}

# The hl7 package logs a field it cannot unescape, with its text (a patient's
# name) and a traceback, outside the redacted clinfile log; the person is told
# in words instead, so its records go nowhere.
hl7.util.logger.addHandler(logging.NullHandler())
hl7.util.logger.propagate = False


def read_hl7(path: Path) -> Iterator[SourceRecord | SourceProblem]:
    """Yield the patients in an HL7 file, or in every file of a folder (in name order).

    Raises:
        UnreadableSource: the file or folder holds no HL7 messages at all, or
            the file cannot be read.
    """
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    found_any = False
    for file in files:
        try:
            text = _text_of(file)
        except UnreadableSource as exc:
            if not path.is_dir():
                raise
            yield SourceProblem(file.name, str(exc))
            continue
        for number, message in enumerate(split_messages(text), start=1):
            found_any = True
            where = f"message {number} in {file.name}" if path.is_dir() else f"message {number}"
            yield _record(where, message)
    if not found_any:
        raise UnreadableSource(f"There are no HL7 messages in {path.name} (none starts with MSH).")


def split_messages(text: str) -> list[str]:
    """Split text into messages at each MSH segment, their segments ended by carriage returns.

    Blank lines, MLLP framing and file and batch headers (FHS, BHS, FTS, BTS)
    are left out, and so is anything before the first MSH.
    """
    messages: list[list[str]] = []
    for line in _SEGMENT_END.split(text.translate(_FRAMING)):
        segment = line.strip()
        if segment.startswith("MSH"):
            messages.append([segment])
        elif segment and messages and segment[:3] not in ("FHS", "BHS", "FTS", "BTS"):
            messages[-1].append(segment)
    return ["\r".join(m) for m in messages]


def parse_message(text: str) -> hl7.Message:
    """Parse one message with the separators its MSH segment declares.

    Raises:
        ValueError: the message is too large, or does not start with an MSH
            segment declaring five different separators.
    """
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"it is {len(text) / 1_000_000:.1f} million characters long, far more "
                         "than a patient registration; skipped")
    if not text.startswith("MSH"):
        raise ValueError("it does not start with an MSH segment")
    header = text.partition("\r")[0]
    field = header[3:4]
    declared = header[4:].partition(field)[0] if field else ""
    separators = field + declared[:4]
    if (not field or len(declared) not in (4, 5) or len(set(separators)) != 5
            or any(c.isalnum() or c.isspace() for c in separators)):
        raise ValueError("its MSH segment does not declare its separators")
    try:
        return hl7.parse(text)
    except hl7.ParseException:
        raise ValueError("its MSH segment cannot be read") from None


def _text_of(file: Path) -> str:
    """The file's text: UTF-8 if it is, else the Windows code page older systems write."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableSource(f"{file.name} is far too large to be a list of patients "
                                   f"({file.stat().st_size // 1_000_000:,} MB).")
        data = file.read_bytes()
    except OSError as exc:
        raise UnreadableSource(f"{file.name} could not be read ({exc.strerror}).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _record(where: str, text: str) -> SourceRecord | SourceProblem:
    try:
        message = parse_message(text)
        msh, evn = _segments(message, "MSH")[0], _segments(message, "EVN")
        message_type = _first(_repetitions(message, msh, 9))
        kind = _part(message_type, 1)
        event = _part(message_type, 2) or (_text(message, evn[0], 1) if evn else "")
        if kind != "ADT" or event not in EVENTS:
            shown = f"{kind}^{event}" if kind else "of no type"
            return SourceProblem(where, f"it is {shown}, not a patient registration or update "
                                        f"({', '.join(EVENTS)}); skipped")
        pids = _segments(message, "PID")
        if not pids:
            return SourceProblem(where, "it has no PID segment, so no patient details")
        if len(pids) > 1:
            return SourceProblem(where, f"it has {len(pids)} PID segments, so which patient it "
                                        "is about is not clear; skipped")
        return SourceRecord(where, _details(message, pids[0]), DateOrder.YEAR_FIRST)
    except ValueError as exc:
        return SourceProblem(where, str(exc))


def _details(message: hl7.Message, pid: hl7.Segment) -> PatientDetails:
    names = _repetitions(message, pid, 5)
    legal = next((n for n in names if _part(n, 7) in ("L", "")), None)
    if legal is None:
        raise ValueError("it has no legal name in PID-5")
    previous = tuple(_part(n, 1) for n in names if _part(n, 7) in ("M", "B") and _part(n, 1))
    preferred = next((_part(n, 2) for n in names if _part(n, 7) in ("N", "A")), "")
    address = _first(_repetitions(message, pid, 11))
    phone = _first(_repetitions(message, pid, 13))
    return PatientDetails(
        family_name=_part(legal, 1),
        given_names=" ".join(p for p in (_part(legal, 2), _part(legal, 3)) if p),
        birth_date=_text(message, pid, 7)[:8],
        sex=_text(message, pid, 8),
        preferred_name=preferred,
        previous_names=previous,
        address=", ".join(p for p in (_part(address, 1), _part(address, 2)) if p),
        suburb=_part(address, 3),
        state=_part(address, 4),
        postcode=_part(address, 5),
        phone=_part(phone, 12) or _part(phone, 1),
        source="hl7",
        **_identifiers(_repetitions(message, pid, 3)),
    )


def _identifiers(repetitions: list[list[str]]) -> dict[str, str]:
    """PID-3's identifiers by type code; the first record number wins, else the last of each."""
    found = {"record_number": "", "ihi": "", "medicare_number": "", "medicare_irn": "",
             "dva_number": ""}
    for identifier in repetitions:
        value, code = _part(identifier, 1), _part(identifier, 5).upper()
        if code == "MR" and not found["record_number"]:
            found["record_number"] = value
        elif code == "NI" or (code == "" and value.startswith(IHI_PREFIX)):
            found["ihi"] = value
        elif code == "MC":
            found["medicare_number"] = value
        elif code in DVA_CODES:
            found["dva_number"] = value
    return found


def _segments(message: hl7.Message, name: str) -> list[hl7.Segment]:
    return [segment for segment in message if str(segment[0]) == name]


def _repetitions(message: hl7.Message, segment: hl7.Segment, number: int) -> list[list[str]]:
    """Field ``number`` of ``segment``: each non-empty repetition as its components' text."""
    if number >= len(segment) or not str(segment[number]):
        return []
    field = segment[number]
    nested = not isinstance(field[0], str)
    found = []
    for repetition in field if nested else [field]:
        if str(repetition):
            parts = repetition if not isinstance(repetition[0], str) else [repetition]
            found.append([_unescape(message, _first_text(part)) for part in parts])
    return found


def _first(repetitions: list[list[str]]) -> list[str]:
    return repetitions[0] if repetitions else []


def _text(message: hl7.Message, segment: hl7.Segment, number: int) -> str:
    """The first component of the first repetition of field ``number``, or ``""``."""
    return _part(_first(_repetitions(message, segment, number)), 1)


def _part(components: list[str], number: int) -> str:
    return components[number - 1] if number <= len(components) else ""


def _first_text(part: hl7.Container | str) -> str:
    """A component's text: its first subcomponent."""
    while not isinstance(part, str):
        part = part[0] if part else ""
    return part


def _unescape(message: hl7.Message, text: str) -> str:
    """Undo the message's escapes; a lone escape character is taken as it stands.

    Raises:
        ValueError: an escape sequence is malformed.
    """
    if text.count(message.esc) % 2:
        return text.strip()
    try:
        plain = message.unescape(text, _PLAIN_TEXT)
    except ValueError:
        raise ValueError("it has an escape sequence that cannot be read") from None
    return "".join(c for c in plain if unicodedata.category(c) != "Cc" or c.isspace()).strip()
