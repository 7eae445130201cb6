"""Whether a TIFF is whole: every directory, value and strip or tile inside the file.

A TIFF is a web of offsets rather than a sequence, and writers commonly put
the directories last, so a file still being written points past its own end.
The walk follows the chain of image directories and their SubIFDs and checks
that each directory, each out-of-line value and each strip or tile lies
inside the file. Data no directory points at may follow legitimately, so the
furthest byte referenced is where the picture ends, not necessarily the file.
BigTIFF is not walked; its full decode is its check.
"""

from __future__ import annotations

from clinfile.app.ingest.safety.ending import Cut, Ending, u16, u32

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
               13: 4}
_SHORT, _LONG = 3, 4
_STRIP_OFFSETS, _STRIP_COUNTS = 273, 279
_TILE_OFFSETS, _TILE_COUNTS = 324, 325
_SUB_IFDS = 330
_MAX_DIRECTORIES = 1024


def tiff_ending(data: bytes) -> Ending:
    """Check every directory and the pieces of picture each points at.

    Raises:
        Cut: something a directory points at lies beyond the end of the file.
    """
    order = "little" if data[:2] == b"II" else "big"
    if u16(data, 2, order) != 42:
        return Ending(None)
    waiting, seen, furthest = [u32(data, 4, order)], set(), 8
    while waiting and len(seen) < _MAX_DIRECTORIES:
        at = waiting.pop()
        if at == 0 or at in seen:
            continue
        seen.add(at)
        count = u16(data, at, order)
        next_at = at + 2 + 12 * count
        waiting.append(u32(data, next_at, order))
        furthest = max(furthest, next_at + 4)
        values = {}
        for entry in range(at + 2, next_at, 12):
            tag, kind = u16(data, entry, order), u16(data, entry + 2, order)
            number = u32(data, entry + 4, order)
            size = _TYPE_SIZES.get(kind, 0) * number
            value_at = entry + 8 if size <= 4 else u32(data, entry + 8, order)
            if value_at + size > len(data):
                raise Cut()
            furthest = max(furthest, value_at + size)
            if kind in (_SHORT, _LONG) and tag in (_STRIP_OFFSETS, _STRIP_COUNTS, _TILE_OFFSETS,
                                                   _TILE_COUNTS, _SUB_IFDS):
                values[tag] = _numbers(data, value_at, kind, number, order)
        waiting += values.get(_SUB_IFDS, [])
        furthest = max(furthest, _pieces_end(values, _STRIP_OFFSETS, _STRIP_COUNTS),
                       _pieces_end(values, _TILE_OFFSETS, _TILE_COUNTS))
    if furthest > len(data):
        raise Cut()
    return Ending(furthest)


def _numbers(data: bytes, at: int, kind: int, number: int, order: str) -> list[int]:
    width = 2 if kind == _SHORT else 4
    return [int.from_bytes(data[i:i + width], order) for i in range(at, at + width * number, width)]


def _pieces_end(values: dict[int, list[int]], offsets_tag: int, counts_tag: int) -> int:
    """The furthest end of the strips (or tiles) a directory lists."""
    pairs = zip(values.get(offsets_tag, []), values.get(counts_tag, []), strict=False)
    return max((offset + count for offset, count in pairs), default=0)
