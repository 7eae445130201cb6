"""Exporting one patient's record, as PDF and as a folder of JPEGs, at 200 and 2,000 pictures.

Targets: peak memory under 300 MB whatever the count, and time linear (the
per-picture time at 2,000 within 1.2x of that at 200). Each export runs in
a process of its own, as the desk's Export does for one person, so its peak
resident memory is its own; the baseline is the same process logging in and
listing the record without exporting. The pictures are 1600x1200 JPEGs
made from corpus photos, each stored in the vault as a clean copy of its
own (a comment byte apart), filed to one patient.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PIL import Image

from clinfile.app.vault.vault import Vault
from clinfile.db.connection import transaction

CORPUS = ROOT.parent / "shared" / "corpus" / "exif-samples" / "jpg"
SOURCES = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "hdr/iphone_hdr_YES.jpg", "Canon_40D.jpg",
           "gps/DSCN0029.jpg"]
COUNTS = (200, 2_000)
SIZE = (1600, 1200)
TARGET_MB = 300
PASSWORD = "benchmark password"


def run() -> list[str]:
    """Measure and return the report lines."""
    lines = []
    results = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        vault_path = root / "vault"
        Vault.create(vault_path, "bench", PASSWORD).vault.lock()
        _add_clinician(vault_path)
        patients = {}
        filed = 0
        for count in COUNTS:
            patients[count] = _file_pictures(vault_path, count, first=filed)
            filed += count
        baseline = _child(vault_path, patients[COUNTS[0]], "none", root / "out-none")
        for count in COUNTS:
            for file_format in ("pdf", "jpeg"):
                results[count, file_format] = _child(vault_path, patients[count], file_format,
                                                     root / f"out-{file_format}-{count}")
    lines.append(f"baseline process (log in, list the record): peak {baseline['peak_mb']:.0f} MB")
    for file_format in ("pdf", "jpeg"):
        small, large = (results[c, file_format] for c in COUNTS)
        per_small, per_large = (r["seconds"] / c * 1000 for r, c in zip((small, large), COUNTS,
                                                                           strict=True))
        growth = per_large / per_small
        peak = max(small["peak_mb"], large["peak_mb"])
        verdict = "meets" if peak < TARGET_MB and growth <= 1.2 else "MISSES"
        lines.append(
            f"export {file_format}: {COUNTS[0]:,} pictures {small['seconds']:.1f} s"
            f" ({per_small:.0f} ms each), peak {small['peak_mb']:.0f} MB,"
            f" {small['written_mb']:.0f} MB written; {COUNTS[1]:,} pictures"
            f" {large['seconds']:.1f} s ({per_large:.0f} ms each), peak"
            f" {large['peak_mb']:.0f} MB, {large['written_mb']:.0f} MB written")
        lines.append(
            f"export {file_format} growth {COUNTS[0]:,} -> {COUNTS[1]:,}: time per picture"
            f" {growth:.2f}x, peak memory {large['peak_mb'] / small['peak_mb']:.2f}x"
            f" ({large['peak_mb'] - baseline['peak_mb']:+.0f} MB over the baseline)"
            f" ({verdict} the target of < {TARGET_MB} MB and linear time)")
    return lines


def _add_clinician(vault_path: Path) -> None:
    """Exports are a clinician's to make; the practice manager adds one."""
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService

    admin = Session.login(vault_path, "bench", PASSWORD)
    UserService(admin).add("doctor", "clinician", PASSWORD)
    admin.lock()


def _file_pictures(vault_path: Path, count: int, *, first: int) -> int:
    """Store ``count`` pictures' clean copies and file them all to one new patient."""
    from clinfile.app.security.session import Session

    session = Session.login(vault_path, "bench", PASSWORD)
    vault = session.vault
    bases = [_picture(name) for name in SOURCES]
    blobs = [vault.blobs.put_bytes(_unique(bases[n % len(bases)], first + n)).id
             for n in range(count)]
    with vault.index() as conn, transaction(conn):
        patient = conn.execute(
            "INSERT INTO patients (record_number, family_name, given_names, birth_date, "
            "created_at, updated_at) VALUES (?, 'Citizen', 'Jane', '1961-04-02', "
            "'2025-01-01', '2025-01-01')", (f"BENCH-{count}",)).lastrowid
        episode = conn.execute("INSERT INTO episodes (description, created_by, created_at) "
                               "VALUES ('leg ulcer', 'bench', '2025-01-01T00:00:00+00:00')"
                               ).lastrowid
        for n, blob in enumerate(blobs):
            image = conn.execute(
                "INSERT INTO images (sha256, original_blob, derivative_blob, thumbnail_blob, "
                "size, format, source_kind, source_path, received_at, received_by, width, "
                "height, status) VALUES (?, ?, ?, ?, 1, 'JPEG', 'drop_folder', ?, "
                "'2025-01-01T00:00:00+00:00', 'bench', ?, ?, 'filed')",
                (f"{first + n:064x}", blob, blob, blob, f"IMG_{n:04d}.jpg", *SIZE)).lastrowid
            conn.execute(
                "INSERT INTO filed_images (image_id, patient_id, episode_id, kind, body_site, "
                "description, consent_basis, filed_by, filed_at) VALUES (?, ?, ?, "
                "'patient-sent', 'left-lower-leg', ?, 'implied', 'bench', ?)",
                (image, patient, episode, f"ulcer, review {n + 1}",
                 f"2025-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"))
    session.lock()
    return int(patient)


def _picture(name: str) -> bytes:
    with Image.open(CORPUS / name) as source:
        picture = source.convert("RGB").resize(SIZE, Image.Resampling.BICUBIC)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def _unique(jpeg: bytes, n: int) -> bytes:
    """The same picture with a comment of its own, so each is a blob of its own."""
    comment = f"bench {n}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def _child(vault_path: Path, patient: int, file_format: str, out: Path) -> dict:
    """Export in a process of its own and return its time, peak memory and bytes written."""
    done = subprocess.run(
        [sys.executable, __file__, str(vault_path), str(patient), file_format, str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"the export process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _export_here(vault_path: Path, patient: int, file_format: str, out: Path) -> dict:
    from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
    from clinfile.app.desk.exports import ExportRequest, export_record
    from clinfile.app.filing.service import FilingService
    from clinfile.app.security.session import Session

    session = Session.login(vault_path, "doctor", PASSWORD)
    started = time.perf_counter()
    if file_format == "none":
        FilingService(session).images_of(patient)
    else:
        export_record(session, ExportRequest(patient, Purpose.CLINICAL_CARE,
                                             Recipient(group=RecipientClass.TREATING_TEAM),
                                             file_format, out))
    seconds = time.perf_counter() - started
    session.lock()
    written = sum(p.stat().st_size for p in out.glob("*")) if out.exists() else 0
    return {"seconds": seconds, "written_mb": written / 1e6,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    if len(sys.argv) == 5:
        print(json.dumps(_export_here(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3],  # noqa: T201
                                      Path(sys.argv[4]))))
    else:
        for line in run():
            print(line)  # noqa: T201 - a benchmark's report is its output
