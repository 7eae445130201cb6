"""The vault's size on disk against the pictures it holds, at 1,000 and 10,000 pictures.

Target: at most 1.15x the sources for camera JPEGs, and the same ratio at
both sizes (the growth line). Each line is printed as soon as it is measured.

The camera JPEGs are 1600×1200 pictures made in this run from the corpus's
upright camera JPEGs (their EXIF kept), each unique by its own comment. A
real import (``ImportService``) takes about 0.2 s a picture on a busy
2-core machine: about 35 ms decoding (a 1/8-scale decode and the
thumbnail), and the rest in storing, where every picture is its own
durable commit (about 20 fsyncs: the claim, the shard's transaction, the
index's, the audit head), the SQLCipher page encryption and the read-back.
Encoding each file anew with Pillow cost another 0.1 s. At 10,000
pictures that was one to two hours, so the run never finished.

What is shortcut, and why the figure stays honest:

- Each picture's file is its base encoded once by Pillow with a comment of
  the same length, that comment's bytes then replaced by the picture's own
  (``IMG_00042``): byte for byte what Pillow writes for that comment.
- The decoding is done once per base: the thumbnail is made from pixels the
  comment does not touch, so it is the same bytes for every picture of a
  base. Each picture's own facts and its clean copy's byte ranges are read
  from its own bytes, as the import reads them.
- The pictures are stored by the import's own storing code,
  :meth:`Custodian.claim` then :meth:`Custodian.commit` (the journal row,
  the original and its derivatives in one shard transaction, the read-back,
  the inbox item and its audit row), on one thread, with every fsync kept;
  only the file on disk, the worker process and the dispatcher are left out.
  The source files are never written; their sizes are the bytes made.
- Check: 50 of the pictures are also written out and taken in by a real
  import into a second vault, and their rows and blobs compared with those
  of the benchmark's vault (every field but ids and times; each blob's
  SHA-256, size, and the bytes its shard keeps for it). A difference stops
  the benchmark.

The corpus's own readable colour JPEGs, those that must be turned upright,
and HEIC pictures go in through the real import; the last two need their
display copy encoded anew, which is stored, and are reported apart. The
vault's size counts every file in its folder; for the corpus's few files,
what the import added to it is counted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.custody import Candidate, Custodian
from clinfile.app.ingest.decode import Decoded, decode
from clinfile.app.ingest.derivatives import Derivatives, clean_ranges, cut
from clinfile.app.ingest.metadata import read_facts
from clinfile.app.ingest.safety.open import StagedFile
from clinfile.app.ingest.service import ImportService
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.vault import Vault
from clinfile.db.images import ImageRepository, ImageRow

SIZES = (1_000, 10_000)
SAMPLE = 50
PASSWORD = "benchmark password"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "exif-samples"
CAMERA_JPEGS = sorted(p for p in (CORPUS / "jpg").rglob("*")
                      if p.suffix.lower() in (".jpg", ".jpeg") and "invalid" not in p.parts
                      and "corrupt" not in p.name)
BATCH = 500
PLACEHOLDER = b"IMG_00000"
BLOB_FIELDS = ("original_blob", "derivative_blob", "thumbnail_blob")


class _Base:
    """One base picture: its file with the placeholder comment, and its decoding."""

    def __init__(self, template: bytes, comment_at: int, decoded: Decoded) -> None:
        self.template = template
        self.comment_at = comment_at
        self.decoded = decoded

    def picture(self, n: int) -> bytes:
        """The file of picture ``n``: the template with its own comment."""
        end = self.comment_at + len(PLACEHOLDER)
        return self.template[:self.comment_at] + _comment(n) + self.template[end:]


def run() -> Iterator[str]:
    """Measure, yielding each report line as soon as it is known."""
    bases = _bases()
    ratios = {}
    for size in SIZES:
        ratio, sources = _camera_vault(bases, size, check=size == max(SIZES))
        ratios[size] = ratio
        yield (f"{size:>6} 1600x1200 camera JPEGs: vault / sources {ratio:.3f}x"
               f" ({sources / 1e6:.0f} MB of pictures) (target <= 1.15x)")
    small, large = min(SIZES), max(SIZES)
    yield f"growth {small} -> {large}: {ratios[large] / ratios[small]:.3f}x"
    corpus = _distinct([p for p in CAMERA_JPEGS if _upright_camera_jpeg(p)])
    turned = _distinct([p for p in CAMERA_JPEGS if _turned_camera_jpeg(p)])
    heic = _distinct(sorted(p for p in (CORPUS / "heic").rglob("*")
                            if p.suffix.lower() in (".heic", ".heif")))
    for label, files in (("corpus camera JPEGs", corpus),
                         ("corpus JPEGs to turn upright (orientation 2-8)", turned),
                         ("HEIC", heic)):
        sources, added = _imported(lambda folder, s, n, f=files: _copies(folder, f[s:s + n]),
                                   len(files))
        yield (f"{label}: added to the vault / sources {added / sources:.3f}x"
               f" ({len(files)} files, {sources / 1e6:.1f} MB)")


def _camera_vault(bases: list[_Base], count: int, *, check: bool) -> tuple[float, int]:
    """Store ``count`` camera JPEGs by the import's storing code; return vault/sources and sources.

    With ``check``, a sample is also taken in by a real import and compared.
    """
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        session = _reception(root / "vault")
        sources = 0
        with Custodian(session.vault, session.actor.name) as custodian:
            for n in range(count):
                data = bases[n % len(bases)].picture(n)
                sources += len(data)
                _store(custodian, root / "in", n, data, bases[n % len(bases)].decoded)
        held = _size(root / "vault")
        if check:
            _check_sample(root, session, bases, range(0, count, max(1, count // SAMPLE)))
        session.lock(reason="benchmark finished")
    return held / sources, sources


def _store(custodian: Custodian, folder: Path, n: int, data: bytes, base: Decoded) -> None:
    """Claim and commit one picture as the import's writer does, its base's thumbnail reused."""
    path = folder / _name(n)
    staged = StagedFile(path, data, hashlib.sha256(data).hexdigest(), len(data), 0, 0, 0)
    candidate = Candidate(path, folder, ev.SourceKind.MANUAL, False)
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        facts = read_facts(image)
        ranges = clean_ranges(data, image, facts.orientation)
    made = base.derivatives
    decoded = Decoded(base.format, facts, Derivatives(cut(data, ranges), made.thumbnail,
                                                      made.width, made.height, ranges))
    claim = custodian.claim(candidate, staged.sha256)
    if claim is None or isinstance(claim, ImageRow):
        raise RuntimeError(f"picture {n} was not new to the vault")
    custodian.commit(candidate, staged, decoded, claim)


def _check_sample(root: Path, session: Session, bases: list[_Base], numbers: range) -> None:
    """Take the sample in by a real import into a second vault and compare what each stores."""
    folder = root / "in"
    folder.mkdir()
    for n in numbers:
        (folder / _name(n)).write_bytes(bases[n % len(bases)].picture(n))
    real = _reception(root / "real")
    events = list(ImportService(real).import_paths([folder], keep_source=True))
    if sum(isinstance(e, ev.Imported) for e in events) != len(numbers):
        raise RuntimeError("the real import of the sample did not take every picture")
    for path in sorted(folder.iterdir()):
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        ours, theirs = _record(session, sha256), _record(real, sha256)
        if ours != theirs:
            raise RuntimeError(f"{path.name} is stored differently from a real import:"
                               f" {ours} != {theirs}")
    real.lock(reason="benchmark finished")


def _record(session: Session, sha256: str) -> tuple[dict, list[tuple]]:
    """A picture's row (ids and times left out) and, per blob, what its shard keeps."""
    with session.vault.index() as conn:
        row = ImageRepository(conn).by_sha256(sha256)
    fields = dataclasses.asdict(row)
    blobs = [_kept(session.vault, fields.pop(name)) for name in BLOB_FIELDS]
    for name in ("id", "received_at"):
        fields.pop(name)
    return fields, blobs


def _kept(vault: Vault, blob_id: str) -> tuple:
    """A blob's SHA-256 and size, the bytes its shard keeps for it, and its ranges if derived."""
    stored = vault.blobs.stat(blob_id)
    conn = vault.blobs._open_for(blob_id)
    try:
        kept = conn.execute("SELECT coalesce(sum(length(data)), 0) FROM chunk WHERE blob_id = ?",
                            (blob_id,)).fetchone()[0]
        ranges = conn.execute("SELECT ranges FROM derived WHERE blob_id = ?",
                              (blob_id,)).fetchone()
    finally:
        conn.close()
    return stored.sha256, stored.size, kept, ranges and ranges[0]


def _reception(place: Path) -> Session:
    """A new vault at ``place`` and a reception session on it."""
    Vault.create(place, "bench", PASSWORD).vault.lock()
    admin = Session.login(place, "bench", PASSWORD)
    UserService(admin).add("reception", "reception", PASSWORD)
    admin.lock(reason="benchmark set up")
    return Session.login(place, "reception", PASSWORD)


def _imported(make: Callable[[Path, int, int], list[Path]], count: int) -> tuple[int, int]:
    """Import ``count`` pictures in batches by the real import into a new vault.

    Returns the sources' size and how much the import added to the vault
    (for a few pictures, the empty vault's own files would hide what each
    picture costs).
    """
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        session = _reception(root / "vault")
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
        session.lock(reason="benchmark finished")
        held = _size(root / "vault")
    return sources, held - empty


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _bases() -> list[_Base]:
    """1600×1200 pixels and EXIF from each upright corpus camera JPEG, encoded and decoded once.

    Pillow encodes the same pixels the same way whatever the comment, so a
    picture's own comment is put in place of the placeholder's bytes; that
    this gives exactly Pillow's file is checked for each base.
    """
    bases = []
    for path in CAMERA_JPEGS:
        if not _upright_camera_jpeg(path):
            continue
        with Image.open(path) as image:
            exif = image.getexif().tobytes()
            picture = image.convert("RGB").resize((1600, 1200))
        template = _encoded(picture, exif, PLACEHOLDER)
        at = template.find(b"\xff\xfe" + (len(PLACEHOLDER) + 2).to_bytes(2, "big") + PLACEHOLDER)
        decoded = decode(template, "JPEG", 1600 * 1200)
        if at < 0 or not isinstance(decoded, Decoded) or decoded.derivatives.display_ranges is None:
            raise RuntimeError(f"{path.name} does not make a plain camera JPEG")
        base = _Base(template, at + 4, decoded)
        n = len(bases) + 1
        if base.picture(n) != _encoded(picture, exif, _comment(n)):
            raise RuntimeError(f"{path.name}: a changed comment is not what Pillow writes")
        bases.append(base)
    return bases


def _encoded(picture: Image.Image, exif: bytes, comment: bytes) -> bytes:
    """A 1600×1200 camera JPEG as made from one base: quality 92, its EXIF, a comment."""
    with Image.open(io.BytesIO(_plain(picture))) as image:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92, exif=exif, comment=comment)
    return buffer.getvalue()


def _plain(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def _comment(n: int) -> bytes:
    return f"IMG_{n:05d}".encode()


def _name(n: int) -> str:
    return f"IMG_{n:05d}.jpg"


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
    for report in run():
        print(report, flush=True)
