"""C-STORE throughput to a real Orthanc: Clinfile's PACS sender beside dcmtk's storescu.

Twenty 12-megapixel camera JPEGs (corpus photos enlarged to 4000x3000) are
imported and filed in a fresh vault. In the same run, against the same
Orthanc (a child process on loopback ports, emptied before every send):

- Clinfile: ``PacsService.send_waiting`` with all twenty queued: read and
  decrypt each picture from the vault, build its DICOM object in memory,
  pass the consent gate, C-STORE over two associations at once (as it
  always sends), record each in the queue and the audit trail;
- storescu (dcmtk), the baseline: the very same DICOM objects, written to
  files beforehand, sent over one association (``-xy`` offers JPEG Baseline).

Reported as images per second and as Clinfile / storescu; target >= 0.8x.
"""

from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "exif-samples" / "jpg"
SOURCES = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "hdr/iphone_hdr_YES.jpg", "gps/DSCN0029.jpg",
           "gps/DSCN0038.jpg"]
IMAGES = 20
SIZE = (4000, 3000)
RUNS = 3
TARGET = 0.8


def run() -> list[str]:
    """Measure and return the report lines."""
    from tests.integration.orthanc import ORTHANC, Orthanc

    if not Path(ORTHANC).exists() or shutil.which("storescu") is None:
        return ["skipped: Orthanc (package orthanc) and storescu (package dcmtk) are needed"]
    with tempfile.TemporaryDirectory(prefix="bench-pacs-") as scratch:
        scratch = Path(scratch)
        server = Orthanc(scratch / "orthanc").start()
        try:
            return _measure(scratch, server)
        finally:
            server.stop()


def _measure(scratch: Path, server) -> list[str]:
    from clinfile.app.interop.pacs_config import PacsConfig
    from clinfile.app.interop.pacs_service import PacsService
    from clinfile.db.connection import transaction
    from tests.integration.orthanc import AE_TITLE

    clinician, ids, files = _filed_vault(scratch)
    PacsService(_admin(scratch)).configure(PacsConfig("127.0.0.1", server.dicom_port, AE_TITLE))
    megabytes = sum(f.stat().st_size for f in files) / 1e6

    def clinfile() -> float:
        with clinician.vault.index() as conn, transaction(conn):
            conn.execute("DELETE FROM pacs_queue")
        PacsService(clinician).queue(ids)
        started = time.perf_counter()
        report = PacsService(clinician).send_waiting()
        elapsed = time.perf_counter() - started
        assert report.sent == IMAGES, report
        return elapsed

    def storescu() -> float:
        started = time.perf_counter()
        subprocess.run(["storescu", "-xy", "-aet", "CLINFILE", "-aec", AE_TITLE, "127.0.0.1",
                        str(server.dicom_port), *map(str, files)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started

    ours, theirs = [], []
    for _ in range(RUNS):
        for send, times in ((storescu, theirs), (clinfile, ours)):
            _empty(server)
            times.append(send())
            assert len(server.get("/instances")) == IMAGES
    best_ours, best_theirs = IMAGES / min(ours), IMAGES / min(theirs)
    ratio = best_ours / best_theirs
    verdict = "meets" if ratio >= TARGET else "MISSES"
    return [
        f"{IMAGES} filed photos of {SIZE[0]}x{SIZE[1]} ({megabytes:.0f} MB of DICOM) to Orthanc"
        " on loopback (Clinfile sends over two associations at once, storescu over one)",
        f"Clinfile (vault -> DICOM -> gate -> C-STORE -> queue): best {best_ours:.1f} images/s,"
        f" median {IMAGES / statistics.median(ours):.1f}/s over {RUNS} runs",
        f"storescu (dcmtk, same objects from files): best {best_theirs:.1f} images/s,"
        f" median {IMAGES / statistics.median(theirs):.1f}/s",
        f"Clinfile / storescu = {ratio:.2f}x ({verdict} the target of >= {TARGET}x)",
    ]


def _filed_vault(scratch: Path):
    """A vault with the twenty photos imported and filed; their DICOM objects as files too."""
    from clinfile.app.interop.archive_photo import filed_image, read_archive_photos
    from clinfile.app.interop.dicom_objects import dicom_object
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService
    from clinfile.app.vault.vault import Vault
    from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
    from tests.integration.archive_pictures import add_patient, file_pictures, import_files

    root = scratch / "vault"
    Vault.create(root, ADMIN, ADMIN_PASSWORD).vault.lock()
    admin = Session.login(root, ADMIN, ADMIN_PASSWORD)
    UserService(admin).add("clinician", "clinician", PASSWORDS["clinician"])
    clinician = Session.login(root, "clinician", PASSWORDS["clinician"])
    drop = scratch / "drop"
    drop.mkdir()
    for n in range(IMAGES):
        (drop / f"IMG_{n:04d}.jpg").write_bytes(_photo(n))
    ids = import_files(clinician, sorted(drop.iterdir()))
    file_pictures(clinician, ids, add_patient(admin))
    files = []
    with clinician.vault.index() as conn:
        photos = read_archive_photos(conn, clinician.vault, [filed_image(conn, i) for i in ids])
    for photo in photos:
        path = scratch / f"{photo.image.image_id}.dcm"
        path.write_bytes(dicom_object(clinician.vault, photo).data)
        files.append(path)
    return clinician, ids, files


def _admin(scratch: Path):
    from clinfile.app.security.session import Session
    from tests.conftest import ADMIN, ADMIN_PASSWORD

    return Session.login(scratch / "vault", ADMIN, ADMIN_PASSWORD)


def _photo(n: int) -> bytes:
    with Image.open(CORPUS / SOURCES[n % len(SOURCES)]) as source:
        big = source.convert("RGB").resize(SIZE, Image.Resampling.BICUBIC)
    big.putpixel((n, n), (n, 0, 0))  # every photo its own bytes
    out = io.BytesIO()
    big.save(out, "JPEG", quality=92)
    return out.getvalue()


def _empty(server) -> None:
    for patient in server.get("/patients"):
        request = urllib.request.Request(f"{server.url}/patients/{patient}", method="DELETE",
                                         headers=_auth())
        urllib.request.urlopen(request, timeout=30).read()


def _auth() -> dict:
    import base64

    from tests.integration.orthanc import PASSWORD, USER
    return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
