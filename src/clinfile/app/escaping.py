r"""Showing words that come from outside (file names above all) so they cannot forge a line.

A file name is chosen by whoever sent the file. On Linux it may hold a
newline, a tab, a terminal escape or a right-to-left override, so that
``"a\nDeleted the source b.jpg"`` prints as a second, false line of the
import's report, and ``"x\u202egpj.exe"`` reads as ``xexe.jpg``. Every
place that shows such a word — the command line, the audit listing,
quarantine reasons, the window's lists and the PDFs — passes it through
:func:`escaped`, which writes each such character as a visible escape and
leaves every other letter, in any script, as it is.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Characters that change the order or the lines in which text is shown, beyond the
# control characters: direction embeddings, overrides, isolates and marks, and the
# Unicode line and paragraph separators.
_REORDERING = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)

# Undecodable bytes of a file name arrive as lone surrogates (Python's surrogateescape).
_SURROGATE_BYTES = range(0xDC80, 0xDD00)


def escaped(text: object) -> str:
    r"""Return ``text`` with every control, direction and line-breaking character made visible.

    A newline becomes ``\n``, a tab ``\t``, an undecodable byte ``\xff``
    and a direction override ``\u202e``; nothing else changes, so names in
    any script read as they were written.
    """
    return "".join(_visible(character) for character in str(text))


def recorded(path: object) -> str:
    r"""Return a file's path as the vault records it: each undecodable byte written ``\xff``.

    A Linux file name is bytes, and not every name is valid UTF-8 (a camera's
    or another system's ``bad\xffname.jpg``); Python carries such bytes as
    lone surrogates, which the index cannot hold as text. Written as the
    escape :func:`escaped` shows, the record reads as every listing shows the
    name, and every other character is kept as it is. Such a record names
    the file for people but no longer opens it: what is done later by the
    recorded path alone (recovery after a crash, deleting from quarantine)
    finds no file there and leaves it be.
    """
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if ord(c) in _SURROGATE_BYTES else c
                   for c in str(path))


def _visible(character: str) -> str:
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    if code in _SURROGATE_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    category = unicodedata.category(character)
    if category in ("Cc", "Cs") or character in _REORDERING:
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return character
