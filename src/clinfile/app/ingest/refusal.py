"""Why a file was refused, in words a receptionist understands."""

from __future__ import annotations


class Refused(Exception):
    """A file that will not be taken in; ``reason`` is shown to the person as it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


LINK = "This is a shortcut (link) to another file, not a picture itself. Copy the picture in."
LINKED_FOLDER = ("This is a shortcut (link) to a folder elsewhere, not a picture. Import the "
                 "folder itself, or copy its pictures in.")
HARD_LINK_OUTSIDE = ("This file is also linked from a place outside the folder being imported. "
                     "Copy the picture in as a plain file.")
SPECIAL_FILE = "This is not an ordinary file (it is a special system item)."
FOLDER = "This is a folder, not a picture."
OUTSIDE_ROOT = "This file lies outside the folder being imported."
EMPTY = "This file is empty."
UNREADABLE = "Clinfile is not allowed to read this file."
DAMAGED_TRUNCATED = "The picture is damaged (cut off part way)."
DAMAGED = "The picture is damaged and cannot be opened."
TOO_SLOW = "The picture took too long to open safely; it may be damaged."
DECODER_FAILED = "The picture could not be opened safely (the reader failed on it)."


def too_large_file(limit_bytes: int) -> str:
    """The file is over the size limit."""
    return f"Too large to open safely (over {limit_bytes // 1_000_000} MB)."


def too_many_pixels(megapixels: float | None, limit: int) -> str:
    """The picture is over the pixel limit (or a decompression bomb)."""
    size = f"{megapixels:.0f} megapixels; " if megapixels else ""
    return f"Too large to open safely ({size}the limit is {limit // 1_000_000} megapixels)."


def not_a_picture(looks_like: str | None) -> str:
    """The bytes are not an image of any kind we know."""
    if looks_like:
        return f"This file is not a picture — it looks like {looks_like}."
    return "This file is not a picture Clinfile can read."


def unsupported_picture(kind: str) -> str:
    """A real picture in a format the practice cannot take in."""
    return f"This kind of picture ({kind}) cannot be taken in; save it as JPEG or PNG first."


def too_little_data(width: int, height: int) -> str:
    """The file claims a picture far larger than the data it holds could make."""
    return (f"The picture is damaged: it claims to be {width} × {height} pixels but holds far "
            "too little data for that.")


def hidden_after_end(looks_like: str | None) -> str:
    """Something other than the picture is attached after the picture's end."""
    what = looks_like or "data that is not part of the picture"
    return (f"Something else is attached after the end of this picture ({what}), so it was "
            "not taken in. Ask for the picture on its own.")
