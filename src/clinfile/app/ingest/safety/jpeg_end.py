"""Where a JPEG ends: its primary image's EOI, then any pictures its MPF index lists.

The primary image is walked marker by marker; entropy-coded data is skipped
by searching for the next marker that is not byte stuffing or a restart.
Phones append further pictures after the primary EOI (an iPhone's HDR gain
map, a camera's multi-picture set) and list them in an APP2 "MPF" index, so
a file that ends at the primary EOI while its index promises more is still
being written.

A Huffman-coded JPEG spends at least one bit on every 8×8 block of its
largest component (each block's DC difference has a code of at least one
bit), so image data shorter than that bound cannot hold the size the frame
header claims.
"""

from __future__ import annotations

import re

from clinfile.app.ingest import refusal
from clinfile.app.ingest.safety.ending import Cut, Ending, u16, u32

_SOI, _EOI, _SOS, _APP2 = 0xD8, 0xD9, 0xDA, 0xE2
_HUFFMAN_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7}
_ALL_FRAMES = _HUFFMAN_FRAMES | {0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_MP_ENTRY = 0xB002


def jpeg_ending(data: bytes) -> Ending:
    """Find where the JPEG's last listed picture ends.

    Raises:
        Cut: the file ends before its primary image's EOI, or before a
            picture its MPF index lists.
    """
    walked = _walk_primary(data)
    if walked is None:
        return Ending(None)
    end, frame, entropy_bytes, mpf_at = walked
    if frame is not None and _too_little_data(frame, entropy_bytes):
        _marker, width, height = frame
        return Ending(end, damaged=refusal.too_little_data(width, height))
    listed = _mpf_end(data, mpf_at) if mpf_at is not None else None
    if listed is not None and listed > len(data):
        raise Cut()
    return Ending(max(end, listed or 0))


def _walk_primary(data: bytes) -> tuple[int, tuple[int, int, int] | None, int, int | None] | None:
    """Return (end, frame, entropy bytes, MPF offset), or None for a structure too odd to walk."""
    if not data.startswith(b"\xff\xd8"):
        return None
    frame, entropy, mpf_at = None, 0, None
    pos, n = 2, len(data)
    while True:
        if pos >= n:
            raise Cut()
        if data[pos] != 0xFF:
            return None
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise Cut()
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            return pos, frame, entropy, mpf_at
        if marker in _STANDALONE:
            continue
        if marker == _SOI:
            return None
        length = u16(data, pos)
        if length < 2:
            return None
        if pos + length > n:
            raise Cut()
        if marker in _ALL_FRAMES and length >= 7 and frame is None:
            frame = (marker, u16(data, pos + 5), u16(data, pos + 3))
        if marker == _APP2 and data[pos + 2:pos + 6] == b"MPF\x00":
            mpf_at = pos + 6
        pos += length
        if marker == _SOS:
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                raise Cut()
            entropy += found.start() - pos
            pos = found.start()


def _too_little_data(frame: tuple[int, int, int], entropy_bytes: int) -> bool:
    marker, width, height = frame
    if marker not in _HUFFMAN_FRAMES or not width or not height:
        return False
    blocks = -(-width // 8) * -(-height // 8)
    return entropy_bytes * 8 < blocks


def _mpf_end(data: bytes, tiff_at: int) -> int | None:
    """The furthest end of any picture the MPF index lists, or None when it cannot be read.

    MPF offsets count from the index's own TIFF header; the primary image's
    entry has offset 0 and is already covered by the walk.
    """
    try:
        order = {b"II": "little", b"MM": "big"}[data[tiff_at:tiff_at + 2]]
        ifd = tiff_at + u32(data, tiff_at + 4, order)
        for index in range(u16(data, ifd, order)):
            entry = ifd + 2 + 12 * index
            if u16(data, entry, order) != _MP_ENTRY:
                continue
            count, table = u32(data, entry + 4, order), tiff_at + u32(data, entry + 8, order)
            furthest = 0
            for item in range(table, table + count - 15, 16):
                size, offset = u32(data, item + 4, order), u32(data, item + 8, order)
                if offset:
                    furthest = max(furthest, tiff_at + offset + size)
            return furthest
    except (KeyError, Cut):
        return None
    return None
