"""Reading what the record needs from a picture's metadata, before it is stripped.

The clean derivative carries no metadata at all, so whatever the record needs
(capture time, camera, orientation) is read here into the index, and whatever
could identify someone (GPS, serial numbers, owner names) is noted as having
been present so a reader knows the original carries it. Damaged metadata
costs a fact, never the picture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import ExifTags, Image

_ORIENTATION = 0x0112
_MAKE = 0x010F
_MODEL = 0x0110
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003
_OFFSET_ORIGINAL = 0x9011

_IDENTIFYING_TAGS = {
    0xA431: "camera serial number",
    0xC62F: "camera serial number",
    0xA430: "camera owner name",
    0xA435: "lens serial number",
    0x013B: "artist",
    0x8298: "copyright",
    0xA420: "unique image id",
    0x927C: "maker notes",
    0x9286: "user comment",
    0x010E: "image description",
    0x013C: "host computer",
}
_EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^[+-]\d{2}:\d{2}$")


@dataclass(frozen=True)
class ImageFacts:
    """What the index records about a picture's origin.

    Attributes:
        orientation: the EXIF orientation the camera recorded (1–8; 1 when absent).
        had_gps: whether the original carries a location.
        identifying_tags: names of other identifying metadata found in it.
    """

    captured_at: str | None
    camera_make: str | None
    camera_model: str | None
    orientation: int
    had_gps: bool
    identifying_tags: tuple[str, ...]


def read_facts(image: Image.Image) -> ImageFacts:
    """Read capture time, camera, orientation and identifying tags from an open image."""
    exif = _exif(image)
    main = _ifd(exif, None)
    sub = _ifd(exif, ExifTags.IFD.Exif)
    gps = _ifd(exif, ExifTags.IFD.GPSInfo)
    xmp = _xmp(image)
    found = {name for tag, name in _IDENTIFYING_TAGS.items()
             if _meaningful(main.get(tag)) or _meaningful(sub.get(tag))}
    had_gps = bool(gps) or b"GPSLatitude" in xmp
    if had_gps:
        found.add("GPS location")
    if xmp:
        found.add("XMP")
    if "photoshop" in image.info or "iptc" in image.info:
        found.add("IPTC")
    if image.info.get("comment"):
        found.add("comment")
    if _ifd(exif, ExifTags.IFD.IFD1) or image.info.get("thumbnails"):
        found.add("embedded thumbnail")
    return ImageFacts(
        captured_at=_capture_time(main, sub),
        camera_make=_text(main.get(_MAKE)),
        camera_model=_text(main.get(_MODEL)),
        orientation=_orientation(image, main),
        had_gps=had_gps,
        identifying_tags=tuple(sorted(found)),
    )


def camera_name(make: str | None, model: str | None) -> str:
    """The camera as its maker names it, the maker said once: 'Canon EOS 40D'.

    Many cameras repeat the maker in the model ('Canon' and 'Canon EOS 40D',
    'NIKON CORPORATION' and 'NIKON D70'): the maker is dropped when the model
    already starts with its first word, whatever the case or spacing. Empty
    when the camera recorded neither.
    """
    make, model = " ".join((make or "").split()), " ".join((model or "").split())
    maker = make.split(" ")[0].casefold()
    if maker and (model.casefold() + " ").startswith(maker + " "):
        make = ""
    return " ".join(p for p in (make, model) if p)


def _exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:  # noqa: BLE001 - broken EXIF loses the facts, not the picture
        return None


def _ifd(exif: Image.Exif | None, which: int | None) -> dict:
    if exif is None:
        return {}
    try:
        return dict(exif) if which is None else dict(exif.get_ifd(which))
    except Exception:  # noqa: BLE001 - one damaged directory loses its own facts only
        return {}


def _xmp(image: Image.Image) -> bytes:
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = image.info.get(key)
        if value:
            return value.encode("utf-8", "replace") if isinstance(value, str) else bytes(value)
    return b""


def _orientation(image: Image.Image, main: dict) -> int:
    """HEIF decoders apply the rotation themselves and keep the original value aside."""
    value = image.info.get("original_orientation") if image.format == "HEIF" else None
    value = value if value is not None else main.get(_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _capture_time(main: dict, sub: dict) -> str | None:
    for raw, offset in ((sub.get(_DATETIME_ORIGINAL), sub.get(_OFFSET_ORIGINAL)),
                        (main.get(_DATETIME), None)):
        text = _text(raw)
        match = _EXIF_DATE.match(text or "")
        if not match:
            continue
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60
                and second < 61 and year > 1900):
            continue
        stamp = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        zone = _text(offset)
        return stamp + zone if zone and _OFFSET.match(zone) else stamp
    return None


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned or None


def _meaningful(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bytes):
        return bool(value.strip(b"\x00 "))
    if isinstance(value, str):
        return bool(value.strip("\x00 "))
    return True
