"""A number of things said with a noun that agrees with it: '1 entry', '2 entries'."""

from __future__ import annotations


def counted(number: int, one: str, many: str = "") -> str:
    """'1 picture', '3 pictures', '1,200 entries': the noun in the form its number needs.

    ``many`` is the plural where adding an s does not make it ('entry', 'entries').
    """
    return f"{number:,} {one if number == 1 else many or one + 's'}"
