"""Where a PNG ends: the end of its IEND chunk.

Every chunk states its length, so the walk is exact. The image data (IDAT)
is deflate-compressed, and deflate cannot shrink anything by more than about
1032 to 1, so a file whose IDAT is too short to inflate to the rows its
header claims is damaged, whatever a decoder might paint in the gap.
"""

from __future__ import annotations

from clinfile.app.ingest import refusal
from clinfile.app.ingest.safety.ending import Cut, Ending, u32

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_DEFLATE_RATIO = 1032
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_ending(data: bytes) -> Ending:
    """Walk the chunks to IEND.

    Raises:
        Cut: the file ends before IEND.
    """
    if not data.startswith(_SIGNATURE):
        return Ending(None)
    pos, header, compressed = len(_SIGNATURE), b"", 0
    while True:
        length = u32(data, pos)
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise Cut()
        if kind == b"IHDR":
            header = data[pos + 8:pos + 8 + 13]
        elif kind == b"IDAT":
            compressed += length
        pos = end
        if kind == b"IEND":
            return Ending(pos, damaged=_impossible(header, compressed))


def _impossible(header: bytes, compressed: int) -> str:
    """Why the image data cannot make the picture the header claims, or empty."""
    if len(header) < 13 or header[9] not in _CHANNELS:
        return ""
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    row_bytes = 1 + -(-width * header[8] * _CHANNELS[header[9]] // 8)
    if height * row_bytes > compressed * _MAX_DEFLATE_RATIO + 1024:
        return refusal.too_little_data(width, height)
    return ""
