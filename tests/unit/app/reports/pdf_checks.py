"""Checking PDFs and pictures with the real tools a reader's computer would use.

qpdf for structure, poppler (pdftotext, pdfimages, pdfinfo, pdftoppm) for
what a person or an import script sees, exiftool for what a file says about
itself. Every file here is made by the test from synthetic data.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter

TOOLS = ("qpdf", "pdftotext", "pdfimages", "pdfinfo", "pdftoppm", "exiftool")

#: exiftool groups that may appear in a clean JPEG: the file itself, JFIF's
#: pixel density, and what exiftool computes. Anything else (EXIF, XMP, IPTC,
#: ICC_Profile, MakerNotes, GPS, Photoshop, Comment...) is metadata that leaked.
CLEAN_JPEG_GROUPS = {"ExifTool", "System", "File", "JFIF", "Composite"}


def require_tools() -> None:
    """Skip when the PDF tools are missing (CI installs them: .ci/run)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)}")


def run(*argv: str | Path) -> str:
    """Run a tool, fail the test on a non-zero exit, and return its standard output."""
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{argv[0]} failed: {done.stderr or done.stdout}"
    return done.stdout


def save(pdf: bytes, folder: Path, name: str = "document.pdf") -> Path:
    """Write a rendered PDF where the tools can read it."""
    path = folder / name
    path.write_bytes(pdf)
    return path


def qpdf_check(path: Path) -> None:
    """qpdf --check passes: the cross-reference table, objects and streams are sound."""
    out = run("qpdf", "--check", path)
    assert "No syntax or stream encoding errors found" in out


def page_texts(path: Path) -> list[str]:
    """The text of each page, in pdftotext's reading order."""
    text = run("pdftotext", path, "-")
    return [page for page in text.split("\f") if page.strip()]


def info(path: Path) -> dict[str, str]:
    """The document information dictionary and page facts, as pdfinfo reports them."""
    fields = {}
    for line in run("pdfinfo", path).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def metadata_text(path: Path) -> str:
    """Everything exiftool reads from the PDF's own metadata (Info dictionary and XMP)."""
    return run("exiftool", "-a", "-u", "-G1", "-PDF:all", "-XMP:all", path)


def extract_images(path: Path, folder: Path) -> list[Path]:
    """Extract every embedded image in its own format with pdfimages -all."""
    folder.mkdir(exist_ok=True)
    run("pdfimages", "-all", path, folder / "img")
    return sorted(folder.iterdir())


def exif_groups(path: Path) -> dict[str, dict]:
    """exiftool's reading of a file, every tag grouped by where it was found."""
    found = json.loads(run("exiftool", "-j", "-a", "-u", "-G1", path))[0]
    found.pop("SourceFile")
    groups: dict[str, dict] = {}
    for key, value in found.items():
        group, _, tag = key.partition(":")
        groups.setdefault(group, {})[tag] = value
    return groups


def leaked_metadata(path: Path) -> dict[str, dict]:
    """The groups of tags in a picture beyond what any clean JPEG carries."""
    return {g: tags for g, tags in exif_groups(path).items() if g not in CLEAN_JPEG_GROUPS}


def rasterise(pdf: Path, folder: Path, *, dpi: int = 150, page: int = 1) -> Image.Image:
    """Print one page to pixels, as a scanner or camera would see it."""
    stem = folder / f"page-{page}"
    run("pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
        pdf, stem)
    with Image.open(stem.with_suffix(".png")) as image:
        return image.convert("RGB")


def photographed(page: Image.Image, *, angle: float, blur: float, noise: float,
                 seed: int = 7) -> Image.Image:
    """Make a rendered page look like a phone photo of paper on a desk.

    Turned a few degrees on a darker desk, a little out of focus, with
    sensor noise and uneven light. The noise comes from ``seed`` alone, so a
    photo is the same whichever tests ran before it.
    """
    turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                         fillcolor=(92, 80, 66))
    soft = turned.filter(ImageFilter.GaussianBlur(blur))
    grain = _sensor_noise(soft.size, noise, random.Random(seed)).convert("RGB")
    noisy = Image.blend(soft, grain, 0.22)
    light = Image.linear_gradient("L").resize(noisy.size).point(lambda v: 200 + v // 5)
    return Image.composite(noisy, Image.new("RGB", noisy.size, (40, 36, 30)), light)


def _sensor_noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Grey noise around mid-grey with about ``sigma`` spread, bell-shaped.

    Pillow's own noise draws from the C library's generator, whose state is
    whatever earlier tests left; three uniform layers mixed give a bell
    shape from ``rng`` alone.
    """
    layers = [Image.frombytes("L", size, rng.randbytes(size[0] * size[1])) for _ in range(3)]
    mixed = ImageChops.add(ImageChops.add(layers[0], layers[1], scale=2.0), layers[2], scale=2.0)
    spread = sigma / 45.2  # the mix's standard deviation is 45.2 grey levels
    return mixed.point(lambda v: round(128 + (v - 128) * spread))


def jpeg_bytes(image: Image.Image, quality: int = 88) -> bytes:
    """Encode a picture as a phone would save it."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
