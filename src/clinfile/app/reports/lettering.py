"""The type every Clinfile PDF is drawn in, and words put in the order they are drawn.

A practice's patients and the people pictures are sent to have names in
every script: Hebrew, Arabic, Greek, Cyrillic, Vietnamese with its accents.
The PDF standard fonts (Helvetica, Courier) know Western European letters
only, and print any other as a black box, so a breach report could not say
who received a picture. Every PDF is drawn in DejaVu Sans instead, shipped
in ``clinfile/resources/fonts`` with its licence and embedded in each file,
so a print from Windows or macOS shows the same letters as one from Linux.
DejaVu has no Chinese, Japanese or Korean letters; each face borrows every
letter it lacks from Droid Sans Fallback, shipped beside it under the Apache
licence, and only the letters a file uses are embedded in it.

reportlab draws the characters of a line from left to right in the order it
is given them. Hebrew and Arabic are stored in reading order, right to
left, so as given they would print backwards, and Arabic letters would
stand apart instead of joining. :func:`shaped` joins Arabic letters into
the forms they take within a word (arabic-reshaper, keeping only the
ligatures the font can draw); each line, once it is a line, then has each
right-to-left run turned round (python-bidi), inside a line that reads left
to right. A line drawn on its own is both at once (:func:`drawn`); a
:class:`Paragraph` wraps the words in reading order first and turns each
line round as it draws it, so a long Hebrew note reads from its first line
down.

A name imported ten thousand letters long must not run off the page over
what is printed beside it, nor make a table row taller than a page (which
reportlab cannot lay out at all). A line drawn on its own is cut with '…'
to the room it is given (:func:`shortened`); in a :class:`Paragraph`, a
word is broken over at most :data:`WORD_LINES` lines and cut with '…' after
them, so a record number or a fingerprint wider than a narrow column still
prints whole, as does a sentence in a script written without spaces. Both
cut in reading order, before the line is turned round, so a Hebrew name
keeps its first letters and loses its last. The whole name is in the vault.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import as_file, files
from itertools import groupby

import arabic_reshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi import get_display
from reportlab import platypus
from reportlab.lib.utils import asUnicode
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.paragraph import ParaLines
from reportlab.platypus.tables import CellStyle

from clinfile.app.escaping import escaped

SANS = "ClinfileSans"
SANS_BOLD = "ClinfileSans-Bold"
MONO = "ClinfileMono"
MONO_BOLD = "ClinfileMono-Bold"

FALLBACK = "ClinfileFallback"

CUT = "…"
WORD_LINES = 5

_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf",
          MONO: "DejaVuSansMono.ttf", MONO_BOLD: "DejaVuSansMono-Bold.ttf"}
_FALLBACK_FILE = "DroidSansFallback.ttf"

# A face numbers the subsets of its letters embedded in one file from 0; the
# subsets of letters it borrows are numbered from here, so a line can say
# which face each run of letters comes from.
_BORROWED = 1 << 16


def drawn(text: object) -> str:
    r"""Return words from outside as they are to be drawn on one left-to-right line."""
    return _in_drawing_order(shaped(text))


def shaped(text: object) -> str:
    r"""Return words from outside in reading order, ready to be wrapped into lines.

    Control and direction characters are made visible (a name cannot reorder
    the line it is printed in), and Arabic letters take their joined forms.
    """
    return _RESHAPER.reshape(escaped(text))


def shortened(text: object, font: str, size: float, room: float) -> str:
    """Return words from outside, cut at their end with '…' to be no wider than ``room``.

    Measured as drawn, in ``font`` at ``size``; the result goes to :func:`drawn`.
    """
    text = str(text)
    return _cut(text, lambda part: stringWidth(shaped(part), font, size) <= room)


def _cut(text: str, fits: Callable[[str], bool]) -> str:
    """Return ``text`` whole if it fits, else its longest beginning that fits with '…' after it.

    The beginning is found by halving, so a name ten thousand letters long
    is measured some fourteen times, not ten thousand.
    """
    if fits(text):
        return text
    kept, too_many = 0, len(text)
    while too_many - kept > 1:
        middle = (kept + too_many) // 2
        kept, too_many = (middle, too_many) if fits(text[:middle] + CUT) else (kept, middle)
    return text[:kept] + CUT


def _in_drawing_order(line: str) -> str:
    """Turn each right-to-left run of one line round, inside a line that reads left to right."""
    return get_display(line, base_dir="L")


class Paragraph(platypus.Paragraph):
    """A paragraph whose words wrap in reading order and whose lines are drawn turned round.

    Turning a whole Hebrew paragraph round before wrapping it would put its
    last words on the first line. The lines are worked out from the words
    as written, and each is put in drawing order only while it is drawn;
    the lines kept stay in reading order, so a paragraph split across two
    pages wraps its rest from the right words.
    """

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        """Cut each word longer than :data:`WORD_LINES` lines with '…', then wrap as usual."""
        room = availWidth - self.style.leftIndent - self.style.rightIndent \
            - max(self.style.firstLineIndent, 0)
        for piece in self.frags:
            if getattr(piece, "text", ""):
                piece.text = _words_cut_to(piece.text, piece.fontName, piece.fontSize,
                                           room * WORD_LINES)
        return super().wrap(availWidth, availHeight)

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 - reportlab's name
        """Draw the lines, each in drawing order."""
        in_reading_order = self.blPara
        self.blPara = _lines_in_drawing_order(in_reading_order)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = in_reading_order


def _words_cut_to(text: str, font: str, size: float, room: float) -> str:
    """Return ``text`` (in reading order) with each word wider than ``room`` cut with '…' to it.

    A word is what no line breaks inside: letters between spaces. Left
    whole, reportlab breaks it over as many lines as it takes, and a runaway
    name in a table cell makes a row taller than a page.
    """
    if stringWidth(text, font, size) <= room:
        return text
    return " ".join(_cut(word, lambda part: stringWidth(part, font, size) <= room)
                    for word in text.split(" "))


def _lines_in_drawing_order(lines: ParaLines) -> ParaLines:
    """Return a paragraph's lines, each with its right-to-left runs turned round.

    A paragraph in one style holds each line as its words; one in several
    styles holds each line as pieces of text, one for each style. Words
    from outside are set in one style throughout, so a right-to-left run
    lies within one piece and is turned round there.
    """
    if lines.kind == 0:
        return lines.clone(lines=[(room, _in_drawing_order(" ".join(words)).split(" "))
                                  for room, words in lines.lines])
    return lines.clone(lines=[line.clone(words=[
        piece.clone(text=_in_drawing_order(piece.text)) if hasattr(piece, "text") else piece
        for piece in line.words]) for line in lines.lines])


class _Face(TTFont):
    """A face that draws each letter it has not got with the fallback face.

    reportlab embeds a face in a file as subsets of its letters and switches
    subset within a line as the letters need; a borrowed letter is one more
    switch, to a subset of the fallback face, which is embedded in the file
    like any other.
    """

    def __init__(self, name: str, path: str, fallback: TTFont) -> None:
        super().__init__(name, path)
        self.fallback = fallback

    def stringWidth(self, text, size, encoding="utf8") -> float:  # noqa: N802 - reportlab's name
        """Return the width of ``text``, each run measured in the face that draws it."""
        return sum(TTFont.stringWidth(face, run, size) for face, run in self._runs(text))

    def splitString(self, text, doc, encoding="utf-8") -> list[tuple[int, bytes]]:  # noqa: N802
        """Split ``text`` into runs of one subset each, borrowed subsets numbered apart."""
        pieces = []
        for face, run in self._runs(text):
            first = _BORROWED if face is self.fallback else 0
            pieces += [(first + subset, chunk)
                       for subset, chunk in TTFont.splitString(face, run, doc)]
        return pieces

    def getSubsetInternalName(self, subset, doc) -> str:  # noqa: N802 - reportlab's name
        """Name a subset of this face, or of the fallback face for a borrowed one."""
        if subset >= _BORROWED:
            return self.fallback.getSubsetInternalName(subset - _BORROWED, doc)
        return super().getSubsetInternalName(subset, doc)

    def _runs(self, text) -> list[tuple[TTFont, str]]:
        """Split ``text`` into runs of letters drawn by one face: this one, or the fallback."""
        own, borrowed = self.face.charToGlyph, self.fallback.face.charToGlyph
        runs = groupby(asUnicode(text),
                       key=lambda c: ord(c) not in own and ord(c) in borrowed)
        return [(self.fallback if is_borrowed else self, "".join(letters))
                for is_borrowed, letters in runs]


def _register() -> None:
    """Register the four faces, each borrowing from the fallback; Sans and Mono as families.

    As families, ``<b>`` in a paragraph picks the bold face.
    """
    fonts = files("clinfile.resources") / "fonts"
    with as_file(fonts / _FALLBACK_FILE) as path:
        fallback = TTFont(FALLBACK, str(path))
    pdfmetrics.registerFont(fallback)
    for name, file_name in _FILES.items():
        with as_file(fonts / file_name) as path:
            pdfmetrics.registerFont(_Face(name, str(path), fallback))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS,
                                  boldItalic=SANS_BOLD)
    pdfmetrics.registerFontFamily(MONO, normal=MONO, bold=MONO_BOLD, italic=MONO,
                                  boldItalic=MONO_BOLD)
    # A table cell given plain text (an empty cell to write in) is set in this
    # default, Helvetica unless told, which would put an unembedded font in the file.
    CellStyle.fontname = SANS


def _reshaper() -> arabic_reshaper.ArabicReshaper:
    """Join Arabic letters, with only the ligatures whose glyph the font has.

    Vowel marks are kept (they are part of how a name is written) and moved
    to stay on their letter once the run is turned round.
    """
    glyphs = pdfmetrics.getFont(SANS).face.charToGlyph
    has = {name: all(ord(c) in glyphs for form in forms for c in form)
           for name, (_, forms) in LIGATURES}
    return arabic_reshaper.ArabicReshaper(configuration={
        "delete_harakat": False, "shift_harakat_position": True, **has})


_register()
_RESHAPER = _reshaper()
