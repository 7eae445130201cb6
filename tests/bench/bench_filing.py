"""Filing one picture, as ``clinfile file`` does, in a vault of 1,000 and of 10,000 filed.

Target: the cost per picture is the same whatever the vault holds (growth
ratio about 1.0x). ``clinfile file`` files the items and prints each one's
"kept until", so each picture measured here is filed as an episode of its
own and then asked its retention date, in one session, as the command does
once logged in. The vault is grown with index rows written directly (a
year of filings spread over the practice's patients, a few corrected or
moved); the pictures' bytes are never read by filing, so none are stored.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.retention import RetentionService
from clinfile.app.filing.service import FilingService
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import transaction

SIZES = (1_000, 10_000)
PICTURES = 20
IMAGES_PER_PATIENT = 5
PASSWORD = "benchmark password"
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)


def run() -> list[str]:
    """Measure and return the report lines."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp) / "vault"
        Vault.create(root, "bench", PASSWORD).vault.lock()
        admin = Session.login(root, "bench", PASSWORD)
        UserService(admin).add("desk", "reception", PASSWORD)
        admin.lock()
        session = Session.login(root, "desk", PASSWORD)
        per_picture = {}
        for size in SIZES:
            _grow_to(session, size)
            per_picture[size] = _file_pictures(session)
        session.lock()
    small, large = (statistics.median(per_picture[s]) for s in SIZES)
    ratio = large / small
    verdict = "meets" if ratio <= 1.5 else "MISSES"
    return [
        f"file one picture and print its kept-until ({PICTURES} pictures, median):"
        f" {small * 1000:.1f} ms with {SIZES[0]:,} filed, {large * 1000:.1f} ms with"
        f" {SIZES[1]:,} filed",
        f"growth {SIZES[0]:,} -> {SIZES[1]:,} filed: {ratio:.2f}x per picture"
        f" ({verdict} the target of flat, <= 1.5x)",
    ]


def _grow_to(session: Session, filed: int) -> None:
    """Write index rows until ``filed`` pictures are filed, as a year of filing would leave."""
    with session.vault.index() as conn, transaction(conn):
        have = conn.execute("SELECT COUNT(*) FROM filed_images").fetchone()[0]
        patients = [_add_patient(conn, n) for n in range(have // IMAGES_PER_PATIENT,
                                                         filed // IMAGES_PER_PATIENT)]
        episode = None
        for n in range(have, filed):
            at = (YEAR_START + timedelta(minutes=52 * n)).isoformat(timespec="seconds")
            image_id = _add_inbox_row(conn, f"grown {n}", status="filed")
            if n % 3 == 0:
                episode = conn.execute("INSERT INTO episodes (description, created_by, "
                                       "created_at) VALUES ('', 'desk', ?)", (at,)).lastrowid
            patient_id = patients[(n - have) // IMAGES_PER_PATIENT]
            conn.execute(
                "INSERT INTO filed_images (image_id, patient_id, episode_id, kind, body_site, "
                "consent_basis, filed_by, filed_at) VALUES (?, ?, ?, 'patient-sent', "
                "'left-knee', 'implied', 'desk', ?)", (image_id, patient_id, episode, at))
            _correct_some(conn, n, image_id, patient_id, patients, at)


def _correct_some(conn, n: int, image_id: int, patient_id: int, patients: list[int],
                  at: str) -> None:
    """Correct one picture in fifty's body site and move one in a hundred to another patient."""
    if n % 50 == 7:
        conn.execute("INSERT INTO filing_corrections (image_id, what, body_site, reason, "
                     "corrected_by, corrected_at) VALUES (?, 'body-site', 'right-knee', "
                     "'wrong side', 'desk', ?)", (image_id, at))
    if n % 100 == 13:
        conn.execute("INSERT INTO filing_corrections (image_id, what, from_patient_id, "
                     "to_patient_id, reason, corrected_by, corrected_at) VALUES (?, 'patient', "
                     "?, ?, 'wrong patient', 'desk', ?)",
                     (image_id, patient_id, patients[0], at))


def _file_pictures(session: Session) -> list[float]:
    """File fresh pictures one by one as the command does; return the seconds each took."""
    with session.vault.index() as conn, transaction(conn):
        patient_ids = [r[0] for r in conn.execute(
            "SELECT id FROM patients ORDER BY random() LIMIT ?", (PICTURES,))]
        image_ids = [_add_inbox_row(conn, f"fresh {time.time_ns()} {n}")
                     for n in range(PICTURES)]
    filing, retention = FilingService(session), RetentionService(session)
    times = []
    for image_id, patient_id in zip(image_ids, patient_ids, strict=True):
        started = time.perf_counter()
        episode = filing.file(FilingRequest((image_id,), patient_id, ImageKind.PATIENT_SENT,
                                            BodySite.parse("left-knee")))
        for image in episode.images:
            retention.of(image.image_id)
        times.append(time.perf_counter() - started)
    return times


def _add_patient(conn, n: int) -> int:
    born = f"{1940 + n % 80}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    return int(conn.execute(
        "INSERT INTO patients (record_number, family_name, given_names, birth_date, created_at, "
        "updated_at) VALUES (?, ?, 'Sam', ?, '2025-01-01', '2025-01-01')",
        (f"B{n:06d}", f"Family{n}", born)).lastrowid)


def _add_inbox_row(conn, name: str, status: str = "unfiled") -> int:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return int(conn.execute(
        "INSERT INTO images (sha256, original_blob, derivative_blob, thumbnail_blob, size, "
        "format, source_kind, source_path, received_at, received_by, width, height, status) "
        "VALUES (?, ?, ?, ?, 1, 'JPEG', 'drop_folder', ?, '2025-01-01T00:00:00+00:00', "
        "'desk', 1600, 1200, ?)",
        (digest, f"o{digest}", f"d{digest}", f"t{digest}", f"{name}.jpg", status)).lastrowid)


if __name__ == "__main__":
    for line in run():
        print(line)  # noqa: T201 - a benchmark's report is its output
