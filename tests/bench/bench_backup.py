"""A nightly backup after a day of 50 new pictures, in a vault of 1,000 and of 10,000.

Target: the nightly backup costs in proportion to what changed, not to the
vault: bytes copied and time, each as a ratio against the first (full)
backup into the same folder in the same run, fall about tenfold from 1,000
pictures to 10,000. Each picture is stored as the import stores a 1600×1200
camera JPEG (its original and its thumbnail, of the sizes a real one made
in this run has; the bytes are random, which costs the same to encrypt and
copy), with its two audit rows, so the index grows as a practice's does.
Shards changed during the day are dated an hour before the backup runs.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path

from PIL import Image

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.vault.backup import BackupReport, backup_vault
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import transaction

SIZES = (1_000, 10_000)
DAY = 50
BATCH = 100
PASSWORD = "benchmark password"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def run() -> list[str]:
    """Measure and return the report lines."""
    original, thumbnail = _picture_sizes()
    lines = [f"a picture: original {original / 1e3:.0f} kB, thumbnail {thumbnail / 1e3:.0f} kB"]
    ratios = {}
    for size in SIZES:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
            full, nightly, full_s, nightly_s = _nightly(Path(tmp), size, original, thumbnail)
        ratios[size] = (nightly.copied_bytes / full.copied_bytes, nightly_s / full_s)
        lines.append(
            f"{size:>6} pictures: full backup {full.copied_bytes / 1e6:.0f} MB in {full_s:.1f} s;"
            f" nightly after {DAY} new {nightly.copied_bytes / 1e6:.0f} MB"
            f" ({len(nightly.copied)} files, {len(nightly.kept)} kept) in {nightly_s:.1f} s;"
            f" ratio bytes {ratios[size][0]:.3f}x, time {ratios[size][1]:.3f}x")
    small, large = SIZES
    lines.append(f"growth {small} -> {large}: nightly bytes ratio"
                 f" {ratios[large][0] / ratios[small][0]:.2f}x, time ratio"
                 f" {ratios[large][1] / ratios[small][1]:.2f}x"
                 " (the vault grew 10x; flat nightly cost shows as about 0.1x)")
    return lines


def _nightly(root: Path, size: int, original: int, thumbnail: int
             ) -> tuple[BackupReport, BackupReport, float, float]:
    vault = Vault.create(root / "vault", "bench", PASSWORD).vault
    _store(vault, size, original, thumbnail, batch=BATCH)
    _an_hour_ago(vault)
    started = time.perf_counter()
    full = backup_vault(vault, root / "backup")
    full_s = time.perf_counter() - started
    _store(vault, DAY, original, thumbnail, batch=1)
    _an_hour_ago(vault)
    started = time.perf_counter()
    nightly = backup_vault(vault, root / "backup")
    nightly_s = time.perf_counter() - started
    vault.lock()
    return full, nightly, full_s, nightly_s


def _store(vault: Vault, count: int, original: int, thumbnail: int, *, batch: int) -> None:
    """Store pictures as imports do, ``batch`` to a transaction, with their audit rows."""
    store = vault.blobs
    for start in range(0, count, batch):
        n = min(batch, count - start)
        ids = store.new_ids(2 * n)
        store.put_many([(blob_id, [os.urandom(original if i % 2 == 0 else thumbnail)])
                        for i, blob_id in enumerate(ids)])
        with vault.index() as conn, transaction(conn):
            for i in range(n):
                vault.audit.append(conn, AuditEntry("bench", "image.imported", f"image {i}",
                                                    {"sha256": "0" * 64, "size": original}))
                vault.audit.append(conn, AuditEntry("bench", "image.filed", f"image {i}",
                                                    {"patient": "record 900001"}))


def _an_hour_ago(vault: Vault) -> None:
    earlier = time.time() - 3600
    for shard in vault.blobs.shard_paths():
        if shard.stat().st_mtime > earlier:
            os.utime(shard, (earlier, earlier))


def _picture_sizes() -> tuple[int, int]:
    """The sizes of a 1600×1200 camera JPEG made from a corpus picture, and of its thumbnail."""
    source = next((CORPUS / "exif-samples" / "jpg").glob("*.jpg"))
    with Image.open(source) as image:
        picture = image.convert("RGB").resize((1600, 1200))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92, exif=Image.open(source).getexif().tobytes())
    picture.thumbnail((256, 256))
    small = io.BytesIO()
    picture.save(small, "JPEG", quality=80)
    return len(buffer.getvalue()), len(small.getvalue())


if __name__ == "__main__":
    print("\n".join(run()))
