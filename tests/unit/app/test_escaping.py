"""One way of showing outside words: control, direction and line-breaking characters escaped."""

import pytest

from clinfile.app.escaping import escaped


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\nDeleted the source b.jpg", "a\\nDeleted the source b.jpg"),
    ("x\u202egpj.exe", "x\\u202egpj.exe"),
    ("tab\there\rcr", "tab\\there\\rcr"),
    ("\x1b[2Jbell\x07del\x7fnel\x85", "\\x1b[2Jbell\\x07del\\x7fnel\\x85"),
    ("iso\u2066late\u2069 mark\u200f", "iso\\u2066late\\u2069 mark\\u200f"),
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ("bad byte \udcff", "bad byte \\xff"),
])
def test_what_could_forge_a_line_is_shown_as_an_escape(raw, shown):
    assert escaped(raw) == shown
    assert "\n" not in escaped(raw) and "\u202e" not in escaped(raw)


@pytest.mark.parametrize("name", ["Nguyễn Thị Mai.jpg", "نوید.heic", "山田 花子.png",
                                  "O'Brien-Smith (2).jpg", "C:\\Users\\jo\\photo.jpg",
                                  "👩\u200d⚕️ wound.jpg"])
def test_every_script_reads_as_written(name):
    assert escaped(name) == name
