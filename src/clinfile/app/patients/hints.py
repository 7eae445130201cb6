"""Clues to who a picture shows: its filename, and barcodes on a patient label in it.

People name files "John Smith 12-03-1980.jpg" or "smith_j_dob120380.heic";
cameras name them "IMG_20240312_101530.jpg", whose date is when the photo was
taken, not a birthday, so camera names give no clue. Hospital and pathology
labels carry a barcode or QR code with the record number, often the name and
date of birth too; zxing-cpp reads it from the picture.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import zxingcpp
from PIL import Image, ImageOps

from clinfile.app.patients.query import Query, parse_query

_CAMERA_NAME = re.compile(
    r"^(img|dsc|dscn|dscf|pxl|mvimg|vid|photo|image|scan|screenshot|whatsapp image|signal|"
    r"pict?|p)[\s_\-]*[\d_\-\s.at]*(\(\d+\))?$", re.IGNORECASE)
_STAMP = re.compile(r"\b(19|20)\d{6}[_\-\s]?\d{4,9}\b|\b\d{1,2}\.\d{2}\.\d{2}\b(?=\s*$)")
_NOISE = re.compile(
    r"\b(img|dsc|pxl|photo|image|scan|copy|edited|final|pic|picture|patient|pt|before|after|"
    r"wound|rash|ulcer|lesion|mole|burn|cut|bite|swelling|skin|left|right|upper|lower|arm|leg|"
    r"foot|hand|face|back|chest|ankle|knee|wrist|elbow|shoulder|neck|eye|ear|toe|finger|head|"
    r"day|week|\(\d+\))\b", re.IGNORECASE)
_KEYED = re.compile(
    r"\b(mrn|ur|urn|rn|record(?: number| no)?|patient id|chart(?: no)?|id|medicare|ihi|dva|"
    r"name|surname|given|first name|dob|d\.o\.b\.?|born|sex)(?:\s*[:=#]\s*|\s+(?=[a-z]?\d))",
    re.IGNORECASE)
_SEX_LETTERS = {"m", "f", "u", "x"}
_RECORD_KEYS = {"mrn", "ur", "urn", "rn", "record", "record number", "record no", "patient id",
                "chart", "chart no", "id"}
MAX_LABEL_SIDE = 4000
MAX_LABEL_PIXELS = 50_000_000
_DISPLAY_FORMATS = ("JPEG", "PNG", "WEBP")


def hints_from_filename(name: str) -> Query:
    """Read names and a date of birth from a file's name; camera names give nothing."""
    stem = Path(name).name
    while re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{1,4}", Path(stem).suffix):
        stem = Path(stem).stem
    if _CAMERA_NAME.match(stem):
        return Query(text=name)
    text = _STAMP.sub(" ", stem)
    text = re.sub(r"[_+]|(?<=[a-z])\.(?=[a-z])", " ", text, flags=re.IGNORECASE)
    text = _NOISE.sub(" ", text)
    query = parse_query(text + " ")
    return Query(names=query.names, birth_dates=query.birth_dates, numbers=query.numbers,
                 codes=query.codes, text=name)


def label_query(content: str) -> Query:
    """Read what a patient label's barcode says: record number, name, date of birth.

    Labels write it many ways: ``MRN: 123456``, ``SMITH^JOHN^19800312^M^123456``,
    ``UR 123456 SMITH, John DOB 12/03/1980``, or just the record number.
    """
    text = re.sub(r"[\^|;\r\n\t]+", " ", content)
    records: list[str] = []

    def take(match: re.Match) -> str:
        key = match.group(1).casefold()
        if key in _RECORD_KEYS or key.startswith("record") or key.startswith("chart"):
            value = re.match(r"\s*([A-Za-z]*\d[\w\-]*)", text[match.end():])
            if value:
                records.append(re.sub(r"[^a-z0-9]", "", value.group(1).casefold()))
            return " "
        return " dob " if key.startswith(("dob", "d.o.b", "born")) else " "

    rest = _KEYED.sub(take, text)
    query = parse_query(rest + " ")
    numbers = tuple(r for r in records if r.isdigit())
    codes = tuple(r for r in records if not r.isdigit())
    return Query(names=tuple(n for n in query.names if n not in _SEX_LETTERS),
                 birth_dates=query.birth_dates,
                 numbers=tuple(dict.fromkeys(numbers + query.numbers)),
                 codes=tuple(dict.fromkeys(codes + query.codes)), text=content)


def barcode_texts(picture: Path | bytes) -> list[str]:
    """Return the text of every barcode and QR code zxing-cpp finds in a picture.

    The picture is one Clinfile made (the display copy of an image already in
    custody, JPEG, PNG or WebP), never a file straight from outside: those
    are only ever decoded in the import's worker processes. A picture larger
    than any display copy is not decoded at all.
    """
    source = io.BytesIO(picture) if isinstance(picture, bytes) else picture
    with Image.open(source, formats=_DISPLAY_FORMATS) as opened:
        if opened.width * opened.height > MAX_LABEL_PIXELS:
            return []
        grey = ImageOps.exif_transpose(opened).convert("L")
        if max(grey.size) > MAX_LABEL_SIDE:
            grey.thumbnail((MAX_LABEL_SIDE, MAX_LABEL_SIDE))
        found = zxingcpp.read_barcodes(grey)
    return [b.text for b in found if b.valid and b.text]


def hints_from_image(picture: Path | bytes) -> list[Query]:
    """Return a query for each barcode on a patient label in the picture (often none)."""
    return [label_query(text) for text in barcode_texts(picture)]
