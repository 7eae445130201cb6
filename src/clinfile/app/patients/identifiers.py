"""Australian patient identifiers: Medicare number and IRN, IHI, DVA file number.

A number that fails its check is usually a typing slip in the clinical
software. It is still kept, because refusing the patient would hide them from
matching, but it always travels with a warning that says what is wrong, so
nobody relies on it without looking at the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MEDICARE_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)
IHI_PREFIX = "800360"
_DVA = re.compile(r"^[NVQWST][A-Z]{0,3}\d{1,6}[A-Z]?$")


@dataclass(frozen=True)
class Checked:
    """An identifier as it will be stored, with what is wrong with it (empty when valid)."""

    value: str
    problem: str = ""

    @property
    def valid(self) -> bool:
        """Whether the identifier passed every check."""
        return not self.problem


def record_number_key(text: str | None) -> str:
    """A practice record number as searches compare it: any letter case, no spaces around.

    Practice systems print record numbers in capitals and people type them as
    they come, so "mrn1001 " in a search box or on the command line is the
    patient whose record number is MRN1001.
    """
    return (text or "").strip().casefold()


def digits_only(text: str) -> str:
    """Drop spaces, dashes and slashes people type inside numbers."""
    return re.sub(r"[\s\-/.]", "", text or "")


def medicare_check_digit(first_eight: str) -> int:
    """Return the check digit (ninth digit) for the first eight digits of a Medicare number."""
    return sum(int(d) * w for d, w in zip(first_eight, _MEDICARE_WEIGHTS, strict=True)) % 10


def check_medicare(number: str, irn: str = "") -> tuple[Checked, Checked]:
    """Check a Medicare card number (10 digits) and the person's position on it (IRN).

    An 11-digit number is read as the card number followed by the IRN, which is
    how many clinical systems export it.

    Returns:
        The checked card number and the checked IRN.
    """
    number, irn = digits_only(number), digits_only(irn)
    if len(number) == 11 and not irn:
        number, irn = number[:10], number[10]
    card = Checked(number, _medicare_problem(number)) if number else Checked("")
    if not irn:
        position = Checked("")
    elif not (len(irn) == 1 and irn in "123456789"):
        position = Checked(irn, f"Medicare IRN {irn} should be one digit from 1 to 9")
    else:
        position = Checked(irn)
    return card, position


def _medicare_problem(number: str) -> str:
    shown = format_medicare(number)
    if not number.isdigit() or len(number) != 10:
        return f"Medicare number {shown} should have 10 digits"
    if number[0] not in "23456":
        return f"Medicare number {shown} should start with a digit from 2 to 6"
    if medicare_check_digit(number[:8]) != int(number[8]):
        return f"Medicare number {shown} fails its check digit; check it against the card"
    return ""


def format_medicare(number: str, irn: str = "") -> str:
    """Show a Medicare number as printed on the card: ``2123 45670 1``."""
    if len(number) == 10 and number.isdigit():
        shown = f"{number[:4]} {number[4:9]} {number[9]}"
    else:
        shown = number
    return f"{shown} / {irn}" if irn else shown


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """Return the digit that makes ``partial`` + digit pass the Luhn check."""
    return next(d for d in "0123456789" if luhn_valid(partial + d))


def check_ihi(ihi: str) -> Checked:
    """Check an Individual Healthcare Identifier: 16 digits, prefix 800360, Luhn check digit."""
    value = digits_only(ihi)
    if not value:
        return Checked("")
    if not value.isdigit() or len(value) != 16:
        return Checked(value, f"IHI {value} should have 16 digits")
    if not value.startswith(IHI_PREFIX):
        return Checked(value, f"IHI {value} should start with {IHI_PREFIX}")
    if not luhn_valid(value):
        return Checked(value, f"IHI {value} fails its check digit; check it against the record")
    return Checked(value)


def check_dva(number: str) -> Checked:
    """Check a DVA file number's format: state letter, war code, up to six digits, segment.

    For example ``NX123456`` (New South Wales, Second World War) or
    ``QSS12345A``. Only the format can be checked; DVA numbers carry no check
    digit.
    """
    value = re.sub(r"\s", "", number or "").upper()
    if not value:
        return Checked("")
    if len(value) > 9 or not _DVA.match(value):
        return Checked(value, f"DVA file number {value} is not in the usual format "
                              "(a state letter, a war code, up to six digits)")
    return Checked(value)
