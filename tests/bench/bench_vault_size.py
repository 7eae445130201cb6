"""The vault's size on disk against the pictures it holds, at 1,000 and 10,000 pictures.

Target: at most 1.15x the sources for camera JPEGs, and the same ratio at
both sizes. Pictures go in through the real import (``ImportService``,
sources kept): 1600×1200 camera JPEGs made in this run from the corpus's
camera JPEGs (their EXIF kept, each made unique by its own comment), and
the corpus's readable colour JPEGs themselves. HEIC pictures and JPEGs that
must be turned upright need their display copy encoded anew, which is
stored; they are reported apart. The vault's size counts every file in its
folder; for the corpus's few files, what the import added to it is counted.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.service import ImportService
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.vault import Vault

SIZES = (1_000, 10_000)
PASSWORD = "benchmark password"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "exif-samples"
CAMERA_JPEGS = sorted(p for p in (CORPUS / "jpg").rglob("*")
                      if p.suffix.lower() in (".jpg", ".jpeg") and "invalid" not in p.parts
                      and "corrupt" not in p.name)
BATCH = 500


def run() -> list[str]:
    """Measure and return the report lines."""
    bases = _bases()
    lines = []
    ratios = {}
    for size in SIZES:
        ratios[size] = _ratio(lambda folder, start, n: _camera_jpegs(folder, bases, start, n),
                              size)[:2]
        lines.append(f"{size:>6} 1600x1200 camera JPEGs: vault / sources"
                     f" {ratios[size][0]:.3f}x ({ratios[size][1] / 1e6:.0f} MB of pictures)"
                     " (target <= 1.15x)")
    small, large = SIZES
    lines.append(f"growth {small} -> {large}: {ratios[large][0] / ratios[small][0]:.2f}x")
    corpus = _distinct([p for p in CAMERA_JPEGS if _upright_camera_jpeg(p)])
    turned = _distinct([p for p in CAMERA_JPEGS if _turned_camera_jpeg(p)])
    heic = _distinct(sorted(p for p in (CORPUS / "heic").rglob("*")
                            if p.suffix.lower() in (".heic", ".heif")))
    for label, make, count in (
            ("corpus camera JPEGs", lambda folder, s, n: _copies(folder, corpus[s:s + n]),
             len(corpus)),
            ("corpus JPEGs to turn upright (orientation 2-8)",
             lambda folder, s, n: _copies(folder, turned[s:s + n]), len(turned)),
            ("HEIC", lambda folder, s, n: _copies(folder, heic[s:s + n]), len(heic))):
        _whole, sources, added = _ratio(make, count)
        lines.append(f"{label}: added to the vault / sources {added / sources:.3f}x"
                     f" ({count} files, {sources / 1e6:.1f} MB)")
    return lines


def _ratio(make: Callable[[Path, int, int], list[Path]], count: int
           ) -> tuple[float, int, int]:
    """Import ``count`` pictures in batches into a new vault.

    Returns the vault's size over the sources', the sources' size, and how
    much the import added to the vault (for a few pictures, the empty
    vault's own files would hide what each picture costs).
    """
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        Vault.create(root / "vault", "bench", PASSWORD).vault.lock()
        admin = Session.login(root / "vault", "bench", PASSWORD)
        UserService(admin).add("reception", "reception", PASSWORD)
        admin.lock(reason="benchmark set up")
        session = Session.login(root / "vault", "reception", PASSWORD)
        empty = _size(root / "vault")
        sources = 0
        for start in range(0, count, BATCH):
            folder = root / f"in-{start}"
            files = make(folder, start, min(BATCH, count - start))
            sources += sum(p.stat().st_size for p in files)
            events = list(ImportService(session).import_paths([folder], keep_source=True))
            stored = [e for e in events if isinstance(e, ev.Imported)]
            if len(stored) != len(files):
                raise RuntimeError(f"only {len(stored)} of {len(files)} pictures went in")
            for path in files:
                path.unlink()
        session.lock(reason="benchmark finished")
        held = _size(root / "vault")
    return held / sources, sources, held - empty


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _bases() -> list[tuple[bytes, bytes]]:
    """1600×1200 pixels and EXIF from each upright corpus camera JPEG."""
    bases = []
    for path in CAMERA_JPEGS:
        if not _upright_camera_jpeg(path):
            continue
        with Image.open(path) as image:
            exif = image.getexif()
            picture = image.convert("RGB").resize((1600, 1200))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=92)
        bases.append((buffer.getvalue(), exif.tobytes()))
    return bases


def _camera_jpegs(folder: Path, bases: list[tuple[bytes, bytes]], start: int, count: int
                  ) -> list[Path]:
    folder.mkdir()
    files = []
    for n in range(start, start + count):
        pixels, exif = bases[n % len(bases)]
        with Image.open(io.BytesIO(pixels)) as image:
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=92, exif=exif,
                       comment=f"IMG_{n:05d}".encode())
        path = folder / f"IMG_{n:05d}.jpg"
        path.write_bytes(buffer.getvalue())
        files.append(path)
    return files


def _copies(folder: Path, files: list[Path]) -> list[Path]:
    folder.mkdir()
    copies = []
    for n, path in enumerate(files):
        copy = folder / f"{n:03d}{path.suffix}"
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    return copies


def _distinct(files: list[Path]) -> list[Path]:
    """One of each picture: the import keeps a picture once, however often it is offered."""
    seen = {}
    for path in files:
        seen.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return list(seen.values())


def _upright_camera_jpeg(path: Path) -> bool:
    return _orientation(path) == 1


def _turned_camera_jpeg(path: Path) -> bool:
    return _orientation(path) not in (None, 1)


def _orientation(path: Path) -> int | None:
    """A readable colour JPEG's EXIF orientation (1 when it has none); None for any other file."""
    try:
        with Image.open(path) as image:
            image.load()
            return image.getexif().get(0x0112, 1) if image.mode == "RGB" else None
    except (OSError, SyntaxError, ValueError):
        return None


if __name__ == "__main__":
    print("\n".join(run()))
