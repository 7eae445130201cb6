"""Where a GIF ends: its trailer byte, after every block has been stepped over."""

from __future__ import annotations

from clinfile.app.ingest.safety.ending import Cut, Ending

_IMAGE, _EXTENSION, _TRAILER = 0x2C, 0x21, 0x3B


def gif_ending(data: bytes) -> Ending:
    """Step over the header, colour tables and blocks to the trailer.

    Raises:
        Cut: the file ends before the trailer.
    """
    if len(data) < 13:
        raise Cut()
    pos = 13 + _colour_table(data[10])
    while True:
        if pos >= len(data):
            raise Cut()
        kind = data[pos]
        if kind == _TRAILER:
            return Ending(pos + 1)
        if kind == _EXTENSION:
            pos = _sub_blocks(data, pos + 2)
        elif kind == _IMAGE:
            if pos + 10 > len(data):
                raise Cut()
            pos = _sub_blocks(data, pos + 10 + _colour_table(data[pos + 9]) + 1)
        else:
            return Ending(None)


def _colour_table(flags: int) -> int:
    return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0


def _sub_blocks(data: bytes, pos: int) -> int:
    """Step over data sub-blocks up to and past their zero-length terminator."""
    while True:
        if pos >= len(data):
            raise Cut()
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
