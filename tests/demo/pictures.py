"""Invented clinical-looking photographs for the demonstration practice and its screenshots.

A fresh clone has no camera files beside it, so the demonstration makes its
own: skin-toned pictures with a blotch, a wound or a label, carrying the
camera facts a real phone writes (make, model, capture time, orientation and,
for one, GPS), so every badge and rule of the window has something to show.
Nothing here is a real patient.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

_MAKE, _MODEL, _ORIENTATION, _DATETIME = 0x010F, 0x0110, 0x0112, 0x0132
_EXIF_IFD, _GPS_IFD, _TAKEN = 0x8769, 0x8825, 0x9003


@dataclass(frozen=True)
class DemoPicture:
    """What one invented photograph shows and how its camera described it."""

    name: str
    lesion: str
    camera: tuple[str, str]
    hours_ago: float
    gps: bool = False
    orientation: int = 1


DEMO_PICTURES = (
    DemoPicture("Mai Nguyen 5-6-90 rash.jpg", "rash", ("Apple", "iPhone 13"), 14, gps=True),
    DemoPicture("IMG_2041.jpg", "rash", ("Apple", "iPhone 13"), 13.5),
    DemoPicture("IMG_2042.jpg", "mole", ("samsung", "SM-A536E"), 12),
    DemoPicture("wound day 3.jpg", "ulcer", ("Canon", "PowerShot G7 X"), 3),
    DemoPicture("DSCN0012.jpg", "bruise", ("NIKON", "COOLPIX P1"), 30, gps=True),
    DemoPicture("scan.jpg", "ulcer", ("FUJIFILM", "FinePix E500"), 2, orientation=6),
)
PHONE_PICTURES = tuple(
    DemoPicture(f"IMG_{3101 + n}.JPG", lesion, ("Apple", "iPhone 15"), hours)
    for n, (lesion, hours) in enumerate((("mole", 26), ("rash", 25), ("ulcer", 0.5),
                                         ("bruise", 0.4), ("ulcer", 0.3))))


def write_demo_picture(picture: DemoPicture, folder: Path, *, now: datetime,
                       seed: int = 0) -> Path:
    """Draw one invented photograph into ``folder`` as a JPEG with its camera's EXIF."""
    draw_seed = sum(map(ord, picture.name)) + seed
    image = _skin(random.Random(draw_seed), picture.lesion)
    exif = image.getexif()
    taken = (now - timedelta(hours=picture.hours_ago)).strftime("%Y:%m:%d %H:%M:%S")
    exif[_MAKE], exif[_MODEL] = picture.camera
    exif[_ORIENTATION] = picture.orientation
    exif[_DATETIME] = taken
    exif.get_ifd(_EXIF_IFD)[_TAKEN] = taken
    if picture.gps:
        exif.get_ifd(_GPS_IFD).update({1: "S", 2: (37.0, 48.0, 3.6), 3: "E",
                                       4: (144.0, 54.0, 0.0)})
    path = Path(folder) / picture.name
    image.save(path, "JPEG", quality=85, exif=exif.tobytes())
    return path


def _skin(rng: random.Random, lesion: str) -> Image.Image:
    """A softly lit patch of skin with one lesion, 1200 × 900."""
    width, height = 1200, 900
    tone = (rng.randint(170, 225), rng.randint(130, 170), rng.randint(105, 140))
    image = Image.new("RGB", (width, height), tone)
    pen = ImageDraw.Draw(image)
    for _ in range(900):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randint(8, 40)
        shade = rng.randint(-14, 14)
        pen.ellipse((x - r, y - r, x + r, y + r),
                    fill=tuple(max(0, min(255, c + shade)) for c in tone))
    image = image.filter(ImageFilter.GaussianBlur(18))
    pen = ImageDraw.Draw(image)
    cx, cy = width // 2 + rng.randint(-120, 120), height // 2 + rng.randint(-90, 90)
    _lesion(pen, rng, lesion, cx, cy)
    return image.filter(ImageFilter.GaussianBlur(2))


def _lesion(pen: ImageDraw.ImageDraw, rng: random.Random, kind: str, cx: int, cy: int) -> None:
    if kind == "rash":
        for _ in range(140):
            x, y = cx + int(rng.gauss(0, 110)), cy + int(rng.gauss(0, 80))
            r = rng.randint(4, 11)
            pen.ellipse((x - r, y - r, x + r, y + r), fill=(200 + rng.randint(0, 40), 70, 70))
    elif kind == "mole":
        pen.ellipse((cx - 34, cy - 28, cx + 38, cy + 30), fill=(92, 58, 40))
    elif kind == "ulcer":
        pen.ellipse((cx - 150, cy - 100, cx + 150, cy + 100), fill=(170, 60, 55))
        pen.ellipse((cx - 95, cy - 60, cx + 95, cy + 60), fill=(205, 170, 95))
    else:
        pen.ellipse((cx - 170, cy - 120, cx + 170, cy + 120), fill=(120, 90, 140))
