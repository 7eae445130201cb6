"""Where WebP and BMP files end: both state their own length in their header."""

from __future__ import annotations

from clinfile.app.ingest.safety.ending import Cut, Ending, u32


def webp_ending(data: bytes) -> Ending:
    """The RIFF container's stated size, padded to an even length.

    Raises:
        Cut: the file is shorter than the size it states.
    """
    size = u32(data, 4, "little")
    end = 8 + size + (size & 1)
    if end > len(data):
        raise Cut()
    return Ending(end)


def bmp_ending(data: bytes) -> Ending:
    """The file size stated in the BMP header; some writers leave it zero.

    Raises:
        Cut: the file is shorter than the size it states, or than the offset
            where its pixels should start.
    """
    size, pixels_at = u32(data, 2, "little"), u32(data, 10, "little")
    if pixels_at > len(data) or size > len(data):
        raise Cut()
    return Ending(size or None)
