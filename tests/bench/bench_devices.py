"""Photos per second from a phone: as a mounted folder, and over libgphoto2's directory driver.

Both imports take the same phone-size JPEGs (12 MP, as a phone takes them)
from a DCIM folder and delete each from the "phone" once its vault copy is
verified, as the practice's "always" setting does. The baseline, measured in
the same run over the same files, is the plain loop a copy script would be:
read each photo, hash it, write it encrypted and fsynced, delete the
original. The import does more (safe open, decode in workers, thumbnails,
read-back, index, audit), so the ratio says what that custody costs, or wins
back through its workers, on this machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clinfile.app.ingest.device_sources import DeviceSource
from clinfile.app.ingest.device_sources.gphoto import Gphoto2Device, available
from clinfile.app.ingest.devices import DeletionPolicy, find_camera_volumes
from clinfile.app.ingest.service import ImportService
from tests.bench.bench_ingest import _phone_jpegs, _scenes, _session

PHOTOS = 20


def run() -> list[str]:
    """Measure and return the report lines."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        photos = _phone_jpegs(root / "made", _scenes())[:PHOTOS]
        base = _baseline(_phone(root, "baseline", photos), root / "copies")
        lines = [f"baseline copy loop (read, hash, encrypt, fsync, delete): "
                 f"{len(photos) / base:.2f} photos/s"]
        folder = _phone(root, "folder", photos)
        volume = find_camera_volumes([folder.parents[2]])[0]
        took = _import(root, "v-folder", volume, len(photos))
        lines.append(f"phone as a mounted folder ({len(photos)} 12 MP JPEGs, deleted once "
                     f"safe): {len(photos) / took:.2f} photos/s, ratio {base / took:.2f}x "
                     "the baseline")
        if available():
            served = _phone(root, "gphoto2", photos)
            device = Gphoto2Device.folder(served.parents[1])
            try:
                took = _import(root, "v-gphoto2", device, len(photos))
            finally:
                device.close()
            lines.append(f"phone over libgphoto2 (directory driver, same files): "
                         f"{len(photos) / took:.2f} photos/s, ratio {base / took:.2f}x "
                         "the baseline")
        else:
            lines.append("libgphoto2 is not installed: the gphoto2 figure was not measured")
    return lines


def _phone(root: Path, name: str, photos: list[Path]) -> Path:
    dcim = root / name / "media" / "PHONE" / "DCIM" / "100APPLE"
    dcim.mkdir(parents=True)
    for photo in photos:
        shutil.copyfile(photo, dcim / photo.name)
    return dcim


def _baseline(dcim: Path, out: Path) -> float:
    """Seconds for the plain copy loop over the phone's photos."""
    out.mkdir()
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    started = time.perf_counter()
    for n, path in enumerate(sorted(dcim.iterdir())):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        sealed = aead.encrypt(os.urandom(12), data, digest.encode())
        fd = os.open(out / f"{n}.bin", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, sealed)
            os.fsync(fd)
        finally:
            os.close(fd)
        path.unlink()
    return time.perf_counter() - started


def _import(root: Path, name: str, device: DeviceSource, count: int) -> float:
    """Seconds to import every photo on the device, deleting each once safe."""
    session = _session(root, name)
    chosen = device.list_device().images
    started = time.perf_counter()
    running = ImportService(session).import_from_device(device, chosen,
                                                        policy=DeletionPolicy.ALWAYS)
    for _event in running:
        pass
    took = time.perf_counter() - started
    session.lock()
    if len(running.receipt.deleted) != count:
        raise RuntimeError(running.receipt.headline())
    return took
