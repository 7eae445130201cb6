"""Whether an ISO base media file (HEIC, HEIF, AVIF, a phone's MP4) is whole.

pillow-heif decodes a HEIC cut in half without complaint, painting the
missing part green, so its completeness must be proved from the structure:
the top-level boxes must add up to the file's length, the file must hold
what a picture is made of (a ``meta`` box locating its items, or a movie's
``moov``), and every item the ``meta`` box locates (``iloc``) must lie inside
the file. A writer puts the boxes down one by one, so a file holding only its
``ftyp`` so far has boxes adding up to its length and no picture yet. The
last box may say "to the end of the file" (size 0); then only the item
locations prove that the pictures are all there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from clinfile.app.ingest import refusal
from clinfile.app.ingest.safety.ending import Cut, Ending, u16, u32, u64

_FILE_OFFSETS = 0


@dataclass(frozen=True)
class Box:
    """One box: its four-character type, where its contents start, and where it ends."""

    kind: bytes
    body: int
    end: int


def iso_ending(data: bytes) -> Ending:
    """Walk the top-level boxes and check the picture's items are there, inside the file.

    The boxes end where the next four bytes can no longer be a box type;
    anything after that is data after the picture's end.

    Raises:
        Cut: a box or an item runs past the end of the file, or the boxes
            so far hold no picture (no located items, no movie).
    """
    end, holds_picture = 0, False
    try:
        for box in boxes(data, 0, len(data)):
            if box.kind == b"meta":
                holds_picture = _items_inside(data, box)
            elif box.kind == b"moov":
                holds_picture = True
            end = box.end
    except _NotABox as stopped:
        if stopped.at == 0:
            return Ending(None, damaged=refusal.DAMAGED)
        end = stopped.at
    if not holds_picture:
        raise Cut()
    return Ending(end)


class _NotABox(Exception):
    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


def boxes(data: bytes, start: int, end: int) -> Iterator[Box]:
    """Yield the boxes laid end to end from ``start`` to ``end``.

    Raises:
        Cut: a box's stated size runs past ``end``.
    """
    pos = start
    while pos < end:
        size, kind = u32(data, pos), data[pos + 4:pos + 8]
        if len(kind) < 4:
            raise Cut()
        if not all(0x20 <= c < 0x7F for c in kind):
            raise _NotABox(pos)
        body = pos + 8
        if size == 1:
            size, body = u64(data, body), body + 8
        elif size == 0:
            size = end - pos
        if size < body - pos:
            raise _NotABox(pos)
        if pos + size > end:
            raise Cut()
        yield Box(kind, body, pos + size)
        pos += size


def _items_inside(data: bytes, meta: Box) -> bool:
    """Whether this ``meta`` box locates items, stored in the file or in its own ``idat``.

    Raises:
        Cut: an item lies past the end of the file.
    """
    furthest, in_meta = 0, False
    for box in boxes(data, meta.body + 4, meta.end):
        if box.kind == b"iloc":
            furthest = _iloc_end(data, box)
        in_meta = in_meta or box.kind == b"idat"
    if furthest > len(data):
        raise Cut()
    return furthest > 0 or in_meta


def _iloc_end(data: bytes, iloc: Box) -> int:
    """Read the item location box (versions 0 to 2) and return its furthest file extent.

    Items stored in the ``idat`` box or built from other items lie inside the
    ``meta`` box already; only file-offset extents can reach past the end.
    """
    pos = iloc.body
    version = data[pos]
    sizes = u16(data, pos + 4)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 0xF
    base_size, index_size = (sizes >> 4) & 0xF, (sizes & 0xF) if version else 0
    pos += 6
    if version < 2:
        count, pos = u16(data, pos), pos + 2
    else:
        count, pos = u32(data, pos), pos + 4
    furthest = 0
    for _ in range(count):
        pos += 2 if version < 2 else 4
        method = u16(data, pos) & 0xF if version else _FILE_OFFSETS
        pos += 2 if version else 0
        pos += 2
        base, pos = _number(data, pos, base_size), pos + base_size
        extents, pos = u16(data, pos), pos + 2
        for _ in range(extents):
            pos += index_size
            offset, pos = _number(data, pos, offset_size), pos + offset_size
            length, pos = _number(data, pos, length_size), pos + length_size
            if method == _FILE_OFFSETS:
                furthest = max(furthest, base + offset + length)
    if pos > iloc.end:
        raise Cut()
    return furthest


def _number(data: bytes, pos: int, size: int) -> int:
    if size == 0:
        return 0
    if pos + size > len(data):
        raise Cut()
    return int.from_bytes(data[pos:pos + size], "big")
