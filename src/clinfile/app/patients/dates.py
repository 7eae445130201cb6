"""Dates of birth as practices and people write them.

Australian practices write day first (12/03/1980); some exports use ISO
(1980-03-12) or HL7's packed form (19800312). Two-digit years are read as the
most recent year that is not in the future, since a date of birth is never
ahead of today.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from clinfile.app import clock


class DateOrder(StrEnum):
    """How a file writes its dates."""

    DAY_FIRST = "DMY"
    MONTH_FIRST = "MDY"
    YEAR_FIRST = "YMD"


class UnreadableDate(ValueError):
    """A date could not be read; ``str()`` says why, for people."""


_SEPARATED = re.compile(r"^(\d{1,4})[/\-. ](\d{1,2})[/\-. ](\d{1,4})$")
_PACKED = re.compile(r"^\d{6}$|^\d{8}$")
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}.*$")
OLDEST_YEAR = 1880


def full_year(year: int, *, today: date | None = None) -> int:
    """Turn a two-digit year into the latest four-digit year not after today."""
    if year >= 100:
        return year
    today = today or clock.today()
    century = today.year - today.year % 100
    candidate = century + year
    return candidate if candidate <= today.year else candidate - 100


def parse_birth_date(text: str, order: DateOrder | str = DateOrder.DAY_FIRST, *,
                     today: date | None = None, allow_future: bool = False) -> date:
    """Read a date of birth written in ``order``, or ISO / packed ``YYYYMMDD`` whatever the order.

    A search may allow a date in the future: it is a slip, but a slip one digit
    away from the real date still helps find the patient.

    Raises:
        UnreadableDate: not a date, not a real day, in the future, or implausibly old.
    """
    order = DateOrder(order)
    today = today or clock.today()
    raw = (text or "").strip()
    cleaned = _TIME_PART.sub("", raw)
    if not cleaned:
        raise UnreadableDate("no date of birth")
    parts = _parts(cleaned, order)
    if parts is None:
        raise UnreadableDate(f"“{raw}” is not a date this file's date format can read")
    year, month, day = parts
    year = full_year(year, today=today)
    try:
        born = date(year, month, day)
    except ValueError:
        raise UnreadableDate(f"“{raw}” is not a real date") from None
    if born > today and not allow_future:
        raise UnreadableDate(f"date of birth “{raw}” is in the future")
    if born.year < OLDEST_YEAR:
        raise UnreadableDate(f"date of birth “{raw}” is too long ago to be right")
    return born


def _parts(text: str, order: DateOrder) -> tuple[int, int, int] | None:
    match = _SEPARATED.match(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:
            return int(a), int(b), int(c)
        if order is DateOrder.MONTH_FIRST:
            return int(c), int(a), int(b)
        if order is DateOrder.YEAR_FIRST:
            return None
        return int(c), int(b), int(a)
    if _PACKED.match(text):
        if len(text) == 8 and text[:2] in ("18", "19", "20"):
            return int(text[:4]), int(text[4:6]), int(text[6:])
        if order is DateOrder.MONTH_FIRST:
            return int(text[4:]), int(text[:2]), int(text[2:4])
        return int(text[4:]), int(text[2:4]), int(text[:2])
    return None


def day_month_swapped(born: date) -> date | None:
    """Return the date with day and month exchanged, when that is a different real date."""
    if born.day > 12 or born.day == born.month:
        return None
    return born.replace(month=born.day, day=born.month)


def one_digit_away(a: date, b: date) -> bool:
    """Return whether two dates differ in exactly one digit of DDMMYYYY."""
    left, right = _digits(a), _digits(b)
    return sum(x != y for x, y in zip(left, right, strict=True)) == 1


def one_digit_variants(born: date) -> list[date]:
    """Return every real date that differs from ``born`` in one digit of DDMMYYYY."""
    text = _digits(born)
    found = []
    for position, original in enumerate(text):
        for digit in "0123456789":
            if digit == original:
                continue
            changed = text[:position] + digit + text[position + 1:]
            if int(changed[4:]) < OLDEST_YEAR:
                continue
            try:
                found.append(date(int(changed[4:]), int(changed[2:4]), int(changed[:2])))
            except ValueError:
                continue
    return found


def _digits(born: date) -> str:
    return f"{born.day:02d}{born.month:02d}{born.year:04d}"


def show(born: date | None) -> str:
    """Show a date the Australian way: 12/03/1980."""
    return born.strftime("%d/%m/%Y") if born else "no date of birth"
