"""Every file of the shared corpus: imported with the right shape, or refused with a reason."""

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.service import ImportService
from clinfile.db.images import ImageRepository

FORBIDDEN_GROUPS = ("EXIF", "XMP", "IPTC", "ICC_Profile", "MakerNotes", "Photoshop", "GPS",
                    "APP", "FlashPix", "MPF", "Trailer")


def _expected_size(path: Path) -> tuple[int, int]:
    """The displayed size, worked out independently of the pipeline."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    with Image.open(path) as image:
        if image.format == "HEIF":
            return image.size
        return ImageOps.exif_transpose(image).size


def _exiftool(paths: list[Path]) -> list[dict]:
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed (Debian: libimage-exiftool-perl)")
    out = subprocess.run(["exiftool", "-j", "-G", "-a", "-u", *map(str, paths)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.mark.slow
def test_every_corpus_file_is_imported_correctly_or_refused_with_a_reason(
        login, corpus, tmp_path):
    source = tmp_path / "corpus"
    shutil.copytree(corpus, source)
    originals = {p: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(source.rglob("*")) if p.is_file()}
    expected = {sha: _expected_size(corpus / p.relative_to(source))
                for p, sha in originals.items() if p.suffix.lower() in
                {".jpg", ".jpeg", ".tiff", ".heic", ".heif"}}

    service = ImportService(login("reception"))
    events = [e for e in service.import_paths([source]) if not isinstance(e, ev.Progress)]

    imported = {e.source: e for e in events if isinstance(e, ev.Imported)}
    duplicates = {e.source: e for e in events if isinstance(e, ev.Duplicate)}
    refused = {e.source: e.reason for e in events if isinstance(e, ev.Quarantined)}
    assert set(imported) | set(duplicates) | set(refused) == set(originals)
    for path in refused:
        assert path.exists() and refused[path].endswith(".")
    for path in (*imported, *duplicates):
        assert not path.exists()
    assert all(p.name != "README" for p in (*imported, *duplicates))

    vault = service._session.vault
    with vault.index() as conn:
        rows = {r.sha256: r for r in ImageRepository(conn).unfiled()}
    assert len(rows) == len({originals[p] for p in (*imported, *duplicates)})
    derivatives = tmp_path / "derivatives"
    derivatives.mkdir()
    for sha, row in rows.items():
        assert vault.blobs.verify(row.original_blob, sha)
        assert (row.width, row.height) == expected[sha], row.source_path
        display = vault.blobs.read_bytes(row.derivative_blob)
        with Image.open(io.BytesIO(display)) as shown:
            assert shown.format == "JPEG" and shown.size == expected[sha], row.source_path
        (derivatives / f"{row.id}-display.jpg").write_bytes(display)
        (derivatives / f"{row.id}-thumb.jpg").write_bytes(vault.blobs.read_bytes(
            row.thumbnail_blob))

    for report in _exiftool(sorted(derivatives.iterdir())):
        # Adobe's APP14 only says how colours are encoded; it is kept so they read right.
        leaks = [k for k in report if k.split(":")[0].startswith(FORBIDDEN_GROUPS)
                 and not k.startswith("APP14:")]
        leaks += [k for k in report if k.endswith((":Comment", ":ThumbnailImage",
                                                   ":PreviewImage", ":SerialNumber"))]
        assert leaks == [], report["SourceFile"]

    _orientations_look_alike(vault, rows, "landscape")
    _orientations_look_alike(vault, rows, "portrait")
    gps_rows = [r for r in rows.values() if "/gps/" in r.source_path]
    assert gps_rows and all(r.had_gps for r in gps_rows)


def _orientations_look_alike(vault, rows, kind: str) -> None:
    """All eight EXIF orientations of one scene must display identically once applied."""
    thumbs = {}
    for row in rows.values():
        name = Path(row.source_path).stem
        if name.startswith(f"{kind}_"):
            data = vault.blobs.read_bytes(row.derivative_blob)
            thumbs[name] = Image.open(io.BytesIO(data)).convert("L").resize((32, 24))
    assert len(thumbs) == 8
    reference = thumbs[f"{kind}_1"]
    for name, thumb in thumbs.items():
        difference = ImageChops.difference(reference, thumb)
        mean = ImageStat.Stat(difference).mean[0]
        assert mean < 12, f"{name} is not shown the same way up as {kind}_1"
