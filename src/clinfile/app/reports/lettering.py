"""The type every Clinfile PDF is drawn in, and words put in the order they are drawn.

A practice's patients and the people pictures are sent to have names in
every script: Hebrew, Arabic, Greek, Cyrillic, Vietnamese with its accents.
The PDF standard fonts (Helvetica, Courier) know Western European letters
only, and print any other as a black box, so a breach report could not say
who received a picture. Every PDF is drawn in DejaVu Sans instead, shipped
in ``clinfile/resources/fonts`` with its licence and embedded in each file,
so a print from Windows or macOS shows the same letters as one from Linux.

reportlab draws the characters of a line from left to right in the order it
is given them. Hebrew and Arabic are stored in reading order, right to
left, so as given they would print backwards, and Arabic letters would
stand apart instead of joining. :func:`drawn` joins Arabic letters into
the forms they take within a word (arabic-reshaper, keeping only the
ligatures the font can draw) and turns each right-to-left run round
(python-bidi), inside a line that reads left to right.
"""

from __future__ import annotations

from importlib.resources import as_file, files

import arabic_reshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.tables import CellStyle

from clinfile.app.escaping import escaped

SANS = "ClinfileSans"
SANS_BOLD = "ClinfileSans-Bold"
MONO = "ClinfileMono"
MONO_BOLD = "ClinfileMono-Bold"

_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf",
          MONO: "DejaVuSansMono.ttf", MONO_BOLD: "DejaVuSansMono-Bold.ttf"}


def drawn(text: object) -> str:
    r"""Return words from outside as they are to be drawn on a left-to-right line.

    Control and direction characters are first made visible (a name cannot
    reorder the line it is printed in); Arabic letters then take their
    joined forms, and each right-to-left run is turned round.
    """
    return get_display(_RESHAPER.reshape(escaped(text)), base_dir="L")


def _register() -> None:
    """Register the four faces, Sans and Mono as families so ``<b>`` picks the bold face."""
    fonts = files("clinfile.resources") / "fonts"
    for name, file_name in _FILES.items():
        with as_file(fonts / file_name) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
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
