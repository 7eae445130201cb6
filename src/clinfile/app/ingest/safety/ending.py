"""What a file's own structure says about where its picture ends.

Each format's walker reads only the structure (markers, chunks, boxes,
directories), never the pixels, and answers one of three ways: the file is
cut short of what its structure promises (:class:`Cut`); the picture ends at
a known offset; or the end cannot be proved from the structure, in which case
the decoder's full decode is the only check. A walker may also find the
structure whole but impossible, such as a few hundred bytes claiming
10000 × 10000 pixels: that file is damaged, not a picture.
"""

from __future__ import annotations

from dataclasses import dataclass


class Cut(Exception):
    """The file is shorter than its own structure says: still being written, or cut off."""


@dataclass(frozen=True)
class Ending:
    """Where the picture's bytes end, as far as its structure tells.

    Attributes:
        end: the offset just past the picture's last byte; None when the
            format's end cannot be proved from its structure.
        damaged: why the structure cannot hold the picture it claims, or
            empty when it can.
    """

    end: int | None
    damaged: str = ""


def u16(data: bytes, offset: int, order: str = "big") -> int:
    """Read an unsigned 16-bit number, or raise Cut when the file ends first."""
    return _unsigned(data, offset, 2, order)


def u32(data: bytes, offset: int, order: str = "big") -> int:
    """Read an unsigned 32-bit number, or raise Cut when the file ends first."""
    return _unsigned(data, offset, 4, order)


def u64(data: bytes, offset: int, order: str = "big") -> int:
    """Read an unsigned 64-bit number, or raise Cut when the file ends first."""
    return _unsigned(data, offset, 8, order)


def _unsigned(data: bytes, offset: int, size: int, order: str) -> int:
    if offset < 0 or offset + size > len(data):
        raise Cut()
    return int.from_bytes(data[offset:offset + size], order)
