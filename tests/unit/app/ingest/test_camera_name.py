"""A camera is named as its maker names it, the maker said once."""

from __future__ import annotations

import pytest

from clinfile.app.ingest.metadata import camera_name


@pytest.mark.parametrize(("make", "model", "named"), [
    ("Canon", "Canon EOS 40D", "Canon EOS 40D"),
    ("CANON", "canon  EOS 40D ", "canon EOS 40D"),
    (" Canon ", "Canon", "Canon"),
    ("NIKON CORPORATION", "NIKON D70", "NIKON D70"),
    ("Apple", "iPhone 12", "Apple iPhone 12"),
    ("Pentax", "PentaxK10D", "Pentax PentaxK10D"),
    ("OLYMPUS IMAGING CORP.", "E-M10", "OLYMPUS IMAGING CORP. E-M10"),
    ("Canon", None, "Canon"),
    (None, " EOS  40D", "EOS 40D"),
    (None, None, ""),
])
def test_the_maker_is_said_once_whatever_its_case_or_spacing(make, model, named):
    assert camera_name(make, model) == named
