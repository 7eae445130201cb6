"""Writing a finished document or picture into the outbox folder, and nowhere else.

The outbox is where the clinical software's import picks files up (for
example its scanned-documents folder), so two things matter. It must not be
a cloud-sync folder, for the same reason the vault must not be
(:func:`app.security.locations.require_local`). And the import must never
see half a file: each file is written under a hidden name, flushed to disk,
then given its real name in one step. An existing file is never
overwritten; a second document of the same name gets ``_2``, ``_3``.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.security.locations import require_local
from db.connection import fsync_dir

FILE_MODE = 0o640


def check_outbox(folder: Path, *, force: bool = False) -> list[str]:
    """Check the outbox folder is not synced to a cloud service; return its warnings.

    Raises:
        CloudFolderRefused: the folder is synced to a cloud service (unless forced).
    """
    return require_local(Path(folder), what="outbox", force=force).warnings


def write_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as a new file in a checked outbox and return where it went.

    The folder is made if it does not exist yet. The name must be a plain
    file name (no folders); if it is taken, a number is added before the
    extension.
    """
    folder = Path(folder)
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"{name!r} is not a plain file name")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = folder / f".{name}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        final = _publish(partial, folder, name)
    finally:
        partial.unlink(missing_ok=True)
    fsync_dir(folder)
    return final


def _publish(partial: Path, folder: Path, name: str) -> Path:
    """Give the written file its real name without ever replacing another file."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    for number in range(1, 1000):
        candidate = name if number == 1 else f"{stem}_{number}{dot}{extension}"
        try:
            os.link(partial, folder / candidate)
        except FileExistsError:
            continue
        return folder / candidate
    raise FileExistsError(f"{folder} already holds a thousand files named like {name}")
