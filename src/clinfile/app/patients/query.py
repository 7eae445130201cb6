"""Reading what reception types into the parts matching uses.

One search box takes names, dates of birth, identifiers and record numbers
in any order: ``smith jo 12/3/80``, ``Jo Smyth``, ``2123 45670 1``,
``MRN004521``. Dates are read first (so their slashes and dashes do not
split names), then runs of digits are joined (Medicare numbers are typed in
groups), and what is left are name tokens. Any name token may be the start
of a name, since people type "smi jo" as often as they finish words; a date
at the very end counts as still being typed unless the text ends in a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from clinfile.app.patients.dates import UnreadableDate, parse_birth_date
from clinfile.app.patients.names import fold, tokens

_FULL_DATE = re.compile(
    r"(?<![\d])(?:dob|born|d\.o\.b\.?)?\s*"
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2}))(?![\d/.\-])")
_DOB_PACKED = re.compile(r"\b(?:dob|born)[\s_\-:]*(\d{8}|\d{6})(?!\d)")
_PARTIAL_DATE = re.compile(r"(?<![\d])(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{0,3}))?$")
_WORD = re.compile(r"[^\s,;]+")


@dataclass(frozen=True)
class PartialDate:
    """A date of birth still being typed: day and month known, maybe the start of the year."""

    day: int
    month: int
    year_start: str = ""


@dataclass(frozen=True)
class Query:
    """What to look for.

    Attributes:
        names: name tokens in the order typed (folded, no punctuation).
        birth_dates: dates of birth read from the text, most likely first.
        partial_date: a date of birth still being typed, if any.
        numbers: digit strings that may be identifiers or record numbers.
        codes: letter-and-digit words that may be record or DVA numbers.
    """

    names: tuple[str, ...] = ()
    birth_dates: tuple[date, ...] = ()
    partial_date: PartialDate | None = None
    numbers: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    text: str = field(default="", compare=False)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to search for."""
        return not (self.names or self.birth_dates or self.partial_date or self.numbers
                    or self.codes)

    def merged(self, other: Query) -> Query:
        """Combine hints from two places (say a filename and a label), this one first."""
        def union(a: tuple, b: tuple) -> tuple:
            return a + tuple(x for x in b if x not in a)

        return replace(
            self,
            names=union(self.names, other.names),
            birth_dates=union(self.birth_dates, other.birth_dates),
            partial_date=self.partial_date or other.partial_date,
            numbers=union(self.numbers, other.numbers),
            codes=union(self.codes, other.codes),
            text=" | ".join(t for t in (self.text, other.text) if t),
        )


def parse_query(text: str, *, today: date | None = None) -> Query:
    """Read free text typed into the search box into a :class:`Query`."""
    rest = fold(text)
    still_typing = bool(text) and not text[-1].isspace()
    birth_dates: list[date] = []

    def take_date(match: re.Match) -> str:
        try:
            birth_dates.append(parse_birth_date(match.group(1), today=today, allow_future=True))
        except UnreadableDate:
            return match.group(0)
        return " "

    rest = _DOB_PACKED.sub(take_date, rest)
    rest = _FULL_DATE.sub(take_date, rest)
    partial = None
    match = _PARTIAL_DATE.search(rest.rstrip()) if still_typing else None
    if match and 1 <= int(match[1]) <= 31 and 1 <= int(match[2]) <= 12:
        partial = PartialDate(int(match[1]), int(match[2]), match[3] or "")
        rest = rest[:match.start()]
    names: list[str] = []
    numbers: list[str] = []
    codes: list[str] = []
    digits_run = ""
    for word in _WORD.findall(rest):
        if word.isdigit():
            digits_run += word
            continue
        if digits_run:
            numbers.append(digits_run)
            digits_run = ""
        bare = re.sub(r"[^a-z0-9]", "", word)
        if any(c.isdigit() for c in bare):
            codes.append(bare)
        else:
            names.extend(tokens(word))
    if digits_run:
        numbers.append(digits_run)
    birth_dates += _packed_dates(numbers, today)
    return Query(names=tuple(names),
                 birth_dates=tuple(dict.fromkeys(birth_dates)), partial_date=partial,
                 numbers=tuple(numbers), codes=tuple(codes), text=text)


def _packed_dates(numbers: list[str], today: date | None) -> list[date]:
    """Read 6- or 8-digit numbers that are also real dates (120380, 12031980) as dates too."""
    found = []
    for number in numbers:
        if len(number) in (6, 8):
            try:
                found.append(parse_birth_date(number, today=today))
            except UnreadableDate:
                continue
    return found
