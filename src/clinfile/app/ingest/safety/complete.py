"""Taking a file only once it is complete.

A file copied, saved or synced into a folder exists, with a growing size,
long before it is whole, and a writer may pause half way (a phone's sync, a
mail client between attachments). Deleting the source of a half-taken file
loses the picture, so before anything is committed a staged file must pass,
in this order:

1. **Settled.** Its size and ``mtime_ns`` unchanged for ``settle_seconds``.
   Every write moves ``mtime_ns``, so a file last changed that long ago has
   passed; a fresher one is looked at again once that much time has gone by
   since its last change. A fresh file that already proves itself whole
   (:func:`proves_whole`) need only settle for ``WHOLE_SETTLE_SECONDS``: a
   folder of photos copied a moment ago is taken at once, not a second
   later. A watched drop folder has already seen each file settle, so its
   files pass with no wait.
2. **Ended.** Its own structure reaches its end: a HEIC's boxes add up to
   the file's length and its items lie inside it, a PNG reaches IEND, a JPEG
   its EOI and the pictures its MPF index lists, a TIFF's strips and tiles
   lie inside the file (see the ``*_end`` modules).
3. **Not held open for writing** by a process this computer can see
   (:mod:`app.ingest.safety.writers`).

A file that fails is :class:`Incomplete`: left where it is, neither
quarantined nor deleted, and tried again when it changes. A file cut short
that no program holds open and nothing has written to for
``ABANDONED_AFTER_SECONDS`` is no longer on its way: it was cut off for good
(a broken download, an attachment that never finished), and is refused, so
that it shows in quarantine with its reason instead of lingering unseen. Only a file that
passes all three is judged as it stands: a structure claiming a picture its
data cannot hold is damaged, and data after the picture's end is judged by
:mod:`app.ingest.safety.trailing`. A format whose end cannot be proved is not
held back here: every picture is decoded in full before its source is
touched (a JPEG's 1/8-scale draft still decodes all of its image data).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.declared_end import bmp_ending, webp_ending
from clinfile.app.ingest.safety.ending import Cut, Ending
from clinfile.app.ingest.safety.gif_end import gif_ending
from clinfile.app.ingest.safety.isobmff import iso_ending
from clinfile.app.ingest.safety.jpeg_end import jpeg_ending
from clinfile.app.ingest.safety.open import SourceChanged, StagedFile, stage
from clinfile.app.ingest.safety.png_end import png_ending
from clinfile.app.ingest.safety.tiff_end import tiff_ending
from clinfile.app.ingest.safety.trailing import judge_trailing
from clinfile.app.ingest.safety.writers import open_for_writing
from clinfile.app.ingest.sniff import SNIFF_BYTES, sniff

STILL_CHANGING = ("This file is still being written; it was left where it is, to be taken "
                  "once it stops changing.")
CUT_SHORT = ("This file is incomplete (still being written, or cut off part way); it was left "
             "where it is, to be taken once it is whole.")
CUT_OFF_FOR_GOOD = ("This file is cut off part way and nothing has added to it for over ten "
                    "minutes, so the rest is not coming; ask for the picture to be sent again.")
ABANDONED_AFTER_SECONDS = 10 * 60
#: How long a file proved whole, or seen closed by its writer, must stay unchanged.
WHOLE_SETTLE_SECONDS = 0.15
HELD_OPEN = ("Another program still has this file open for writing; it was left where it is, "
             "to be taken once that program has finished with it.")

_ENDINGS = {"JPEG": jpeg_ending, "PNG": png_ending, "HEIF": iso_ending, "TIFF": tiff_ending,
            "GIF": gif_ending, "WEBP": webp_ending, "BMP": bmp_ending}
#: Formats whose every byte belongs to a picture up to its end, so anything after is judged.
_END_IS_THE_FILE = {"JPEG", "PNG", "HEIF", "GIF", "WEBP", "BMP"}


class Incomplete(Exception):
    """The file is not yet whole; ``reason`` says so in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def prove_complete(staged: StagedFile, pillow_format: str, *, settle_seconds: float) -> None:
    """Return only if the staged file is complete and may be taken in.

    Raises:
        Incomplete: it is still being written or is cut short; leave it be.
        Refused: it is whole but damaged, or carries something else after
            the picture; quarantine it with the reason.
        FileNotFoundError: it vanished while waiting to settle.
    """
    if settle_seconds > WHOLE_SETTLE_SECONDS and _proved_whole(staged, pillow_format):
        settle_seconds = WHOLE_SETTLE_SECONDS
    _wait_until_settled(staged, settle_seconds)
    try:
        ending = _ENDINGS[pillow_format](staged.data)
    except Cut:
        raise _cut_short(staged) from None
    if open_for_writing(staged.path, staged.device, staged.inode):
        raise Incomplete(HELD_OPEN)
    _judge(staged, ending, pillow_format)


def proves_whole(root: Path, path: Path, max_bytes: int) -> bool:
    """Whether a file's own structure shows it whole and no process here holds it open to write.

    A file renamed into a watched folder brings no close event, so it would
    wait the folder's whole stability interval. One that proves itself whole
    need only settle briefly; anything short of that proof waits the full
    interval as before. The import proves it again, whatever this said.
    """
    try:
        staged = stage(root, path, max_bytes)
    except (Refused, SourceChanged, OSError):
        return False
    return _proved_whole(staged, sniff(staged.data[:SNIFF_BYTES]).pillow_format)


def _proved_whole(staged: StagedFile, pillow_format: str | None) -> bool:
    """Whether the file's structure reaches its end at its last byte, with no writer holding it.

    Anything short of that proof (a format whose end cannot be proved, a
    cut, a trailer, a writer, damage) is no proof, and the file waits its
    full settle.
    """
    if pillow_format not in _END_IS_THE_FILE:
        return False
    try:
        ending = _ENDINGS[pillow_format](staged.data)
    except Cut:
        return False
    if ending.damaged or ending.end != staged.size:
        return False
    return not open_for_writing(staged.path, staged.device, staged.inode)


def _cut_short(staged: StagedFile) -> Exception:
    """Wait for the rest of a cut-short file, unless it was plainly abandoned."""
    unchanged_for = (time.time_ns() - staged.mtime_ns) / 1e9
    if (unchanged_for >= ABANDONED_AFTER_SECONDS
            and not open_for_writing(staged.path, staged.device, staged.inode)):
        return Refused(CUT_OFF_FOR_GOOD)
    return Incomplete(CUT_SHORT)


def _wait_until_settled(staged: StagedFile, settle_seconds: float) -> None:
    unchanged_for = (time.time_ns() - staged.mtime_ns) / 1e9
    if unchanged_for >= settle_seconds:
        return
    time.sleep(settle_seconds - max(unchanged_for, 0.0))
    now = os.lstat(staged.path)
    if (now.st_ino, now.st_size, now.st_mtime_ns) != (staged.inode, staged.size,
                                                       staged.mtime_ns):
        raise Incomplete(STILL_CHANGING)


def _judge(staged: StagedFile, ending: Ending, pillow_format: str) -> None:
    if ending.damaged:
        raise Refused(ending.damaged)
    if ending.end is not None and pillow_format in _END_IS_THE_FILE:
        try:
            judge_trailing(staged.data, ending.end, pillow_format)
        except Cut:
            raise _cut_short(staged) from None
