"""Judging data found after a picture's end.

A picture file can carry a second file behind it: a ZIP appended to a JPEG
still opens as the JPEG, and whoever receives the "photo" receives the ZIP
too. Such a file is refused, so the vault never keeps bytes it cannot vouch
for and no export could carry them out. Phones put their own things there,
which are taken: a Samsung trailer (ending in ``SEFT``) and a motion photo's
video (a whole MP4). A few stray bytes (an Olympus D320L leaves one) or
padding of zero or 0xFF bytes are no file at all. The derivatives made from a picture
never include any of it.
"""

from __future__ import annotations

from clinfile.app.ingest import refusal
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.ending import u32
from clinfile.app.ingest.safety.isobmff import iso_ending
from clinfile.app.ingest.sniff import looks_like

STRAY_BYTES = 32
_ZIP_DIRECTORY_END = b"PK\x05\x06"


def judge_trailing(data: bytes, end: int, pillow_format: str) -> None:
    """Accept what follows a picture's end, or refuse the file with the reason.

    Raises:
        Refused: another file, or anything unaccounted for, follows the picture.
        Cut: a phone's motion-photo video after the picture is not yet whole.
    """
    tail = data[end:]
    if len(tail) <= STRAY_BYTES or not tail.strip(b"\x00\xff"):
        return
    if pillow_format == "JPEG" and (_samsung_trailer(tail) or _whole_video(tail)):
        return
    raise Refused(refusal.hidden_after_end(_describe(tail)))


def _samsung_trailer(tail: bytes) -> bool:
    """Whether this is a Samsung trailer: its directory (``SEFH``), length, and ``SEFT``."""
    if not tail.endswith(b"SEFT"):
        return False
    directory = len(tail) - 8 - u32(tail, len(tail) - 8, "little")
    return directory >= 0 and tail[directory:directory + 4] == b"SEFH"


def _whole_video(tail: bytes) -> bool:
    """A motion photo's video: an ISO media file whose boxes fill the rest exactly."""
    return tail[4:8] == b"ftyp" and iso_ending(tail).end == len(tail)


def _describe(tail: bytes) -> str | None:
    if _ZIP_DIRECTORY_END in tail[-65_557:]:
        return "a ZIP archive"
    kind = looks_like(tail[:64])
    return kind if kind and kind != "text" else None
