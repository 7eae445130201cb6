"""Writing a finished document or picture into the outbox folder, and nowhere else.

The outbox is where the clinical software's import picks files up (for
example its scanned-documents folder), so two things matter. It must not be
a cloud-sync folder, for the same reason the vault must not be
(:func:`app.custody.locations.require_local`). And the import must never
see half a file, nor half an export: the files are written whole into a
private hidden folder inside the destination, flushed to disk, then given
their real names; if any step fails, the names already given are taken back
and the private folder removed, so nothing identified is left behind. An
existing file is never overwritten; a second document of the same name gets
``_2``, ``_3``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from clinfile.app.custody import held_folders
from clinfile.app.custody.locations import require_local
from clinfile.db.connection import fsync_dir

FILE_MODE = 0o640
STAGING_PREFIX, STAGING_SUFFIX = ".clinfile-", ".partial"
#: An export's private folder holds this mark, locked while the export runs.
STAGING_MARK = ".clinfile-export"

#: What a file holds: its bytes, or a function that writes them into the open file.
Content = bytes | Callable[[BinaryIO], None]


def check_outbox(folder: Path, *, force: bool = False) -> list[str]:
    """Check the outbox folder is not synced to a cloud service; return its warnings.

    Raises:
        CloudFolderRefused: the folder is synced to a cloud service (unless forced).
    """
    return require_local(Path(folder), what="outbox", force=force).warnings


def write_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as a new file in a checked outbox and return where it went."""
    return write_files(folder, [(name, data)])[0]


def write_files(folder: Path, files: list[tuple[str, Content]]) -> tuple[Path, ...]:
    """Write files into a checked outbox, all of them or none, and return where they went.

    The folder is made if it does not exist yet. Each name must be a plain
    file name (no folders); if it is taken, a number is added before the
    extension. A file's content is its bytes, or a function that writes it
    into the open file, so a large export is made one file, and one picture,
    at a time.

    Raises:
        ValueError: a name is not a plain file name.
        OSError: the folder could not take the files; none of them is left there.
    """
    folder = Path(folder)
    for name, _ in files:
        _check_name(name)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _remove_abandoned(folder)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, suffix=STAGING_SUFFIX, dir=folder))
    held = held_folders.hold(staging, STAGING_MARK)
    published: list[Path] = []
    try:
        staged = [_write_whole(staging / f"{n:04d}", content)
                  for n, (_, content) in enumerate(files)]
        for path, (name, _) in zip(staged, files, strict=True):
            published.append(_publish(path, folder, name))
    except BaseException:
        for path in published:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        held_folders.release(held)
    fsync_dir(folder)
    return tuple(published)


def _remove_abandoned(folder: Path) -> list[Path]:
    """Remove the private folders that exports stopped dead left here, and return them.

    A large export writes for minutes, so one stopped dead (killed, or the
    computer turned off) leaves its private folder behind, holding part of
    a patient's pictures where the clinical software looks. Only an
    export's own folder that no running export holds goes (see
    :mod:`clinfile.app.custody.held_folders`); another export writing
    into the same folder at the same time keeps its own.
    """
    return held_folders.remove_left_behind(Path(folder), f"{STAGING_PREFIX}*{STAGING_SUFFIX}",
                                           STAGING_MARK)


def _check_name(name: str) -> None:
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"{name!r} is not a plain file name")


def _write_whole(path: Path, content: Content) -> Path:
    """Write a new file and flush it to the disk before anyone may see it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        if callable(content):
            content(handle)
        else:
            handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return path


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
