"""Reading one source file into memory without following links or leaving the root.

Every file is opened component by component beneath the root with
``O_NOFOLLOW``, so neither a link on the way nor a link in place of the file
is ever followed, and ``O_NONBLOCK`` so a FIFO named .jpg cannot hang the
import. Only after ``fstat`` shows an ordinary file of acceptable size is it
read, once, into memory while hashing: everything after works from that copy,
so the file can change or vanish without the vault receiving something other
than what was hashed, and no plaintext copy is ever written anywhere.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from clinfile.app.ingest import refusal
from clinfile.app.ingest.refusal import Refused

_READ_CHUNK = 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_FILE_FLAGS = (os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))
_WALK_BENEATH = os.open in os.supports_dir_fd and bool(_NOFOLLOW)


class SourceChanged(Exception):
    """The file changed while it was being read; try it again once it is stable."""


@dataclass(frozen=True)
class StagedFile:
    """A source file's bytes, held in memory, and how the file looked when read."""

    path: Path
    data: bytes
    sha256: str
    size: int
    mtime_ns: int
    device: int
    inode: int


@dataclass(frozen=True)
class SourceState:
    """Size and modification time of a file, as quarantine records and compares them."""

    size: int | None
    mtime_ns: int | None


def source_state(path: Path) -> SourceState:
    """Return a file's size and mtime without following a link (None when it is gone)."""
    try:
        st = os.lstat(path)
    except OSError:
        return SourceState(None, None)
    return SourceState(st.st_size, st.st_mtime_ns)


def stage(root: Path, path: Path, max_bytes: int) -> StagedFile:
    """Read the file at ``path`` (beneath ``root``) into memory, hashing it.

    Raises:
        Refused: the file is not one to take in, with the reason to show.
        SourceChanged: it changed while being read.
        FileNotFoundError: it vanished before it could be opened.
    """
    fd = open_beneath(root, path)
    try:
        before = os.fstat(fd)
        _check_kind(root, before, max_bytes)
        data, sha256 = _read_all(fd, before.st_size)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise SourceChanged(str(path))
    return StagedFile(Path(path), data, sha256, before.st_size, before.st_mtime_ns,
                      before.st_dev, before.st_ino)


def open_beneath(root: Path, path: Path) -> int:
    """Open ``path`` read-only, walking from ``root`` without following any link.

    Raises:
        Refused: the path leaves the root, passes through a link, or names a
            link, socket or something unreadable.
        FileNotFoundError: the file is not there.
    """
    parts = _parts_beneath(Path(root), Path(path))
    if not _WALK_BENEATH:
        return _open_checked_by_name(Path(root), parts)
    dir_fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        for part in parts[:-1]:
            next_fd = _open_or_refuse(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd)
            os.close(dir_fd)
            dir_fd = next_fd
        return _open_or_refuse(parts[-1], _FILE_FLAGS, dir_fd)
    finally:
        os.close(dir_fd)


def _parts_beneath(root: Path, path: Path) -> tuple[str, ...]:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts or parts == (".",):
        raise Refused(refusal.OUTSIDE_ROOT)
    return parts


def _open_or_refuse(name: str, flags: int, dir_fd: int) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP and _points_to_folder(name, dir_fd):
            raise Refused(refusal.LINKED_FOLDER) from exc
        raise _refusal_for(exc) from exc


def _points_to_folder(name: str, dir_fd: int) -> bool:
    """Whether a link points to a folder, so the refusal can call it one (nothing is read)."""
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


def _refusal_for(exc: OSError) -> Exception:
    if exc.errno == errno.ENOENT:
        return FileNotFoundError(exc.errno, exc.strerror, exc.filename)
    if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
        return Refused(refusal.LINK)
    if exc.errno in (errno.ENXIO, errno.ENODEV, errno.EOPNOTSUPP):
        return Refused(refusal.SPECIAL_FILE)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Refused(refusal.UNREADABLE)
    return Refused(refusal.UNREADABLE)


def _open_checked_by_name(root: Path, parts: tuple[str, ...]) -> int:
    """Where ``dir_fd`` is unavailable (Windows), check every component is no link."""
    current = root
    for part in parts:
        current = current / part
        if os.path.islink(current) or getattr(os.lstat(current), "st_reparse_tag", 0):
            raise Refused(refusal.LINK)
    try:
        return os.open(current, _FILE_FLAGS)
    except OSError as exc:
        raise _refusal_for(exc) from exc


def _check_kind(root: Path, st: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise Refused(refusal.FOLDER)
    if stat.S_ISLNK(st.st_mode):
        raise Refused(refusal.LINK)
    if not stat.S_ISREG(st.st_mode):
        raise Refused(refusal.SPECIAL_FILE)
    if st.st_nlink > 1 and not _all_links_beneath(root, st):
        raise Refused(refusal.HARD_LINK_OUTSIDE)
    if st.st_size == 0:
        raise Refused(refusal.EMPTY)
    if st.st_size > max_bytes:
        raise Refused(refusal.too_large_file(max_bytes))


def _all_links_beneath(root: Path, st: os.stat_result) -> bool:
    """Whether every hard link to this file is itself inside the root.

    Only hard-linked files pay for this walk; a link from elsewhere would let
    deleting "the source" leave the picture behind, or import a file the
    person never put in the folder.
    """
    found = 0
    for folder, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            try:
                other = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                found += 1
    return found >= st.st_nlink


def _read_all(fd: int, size: int) -> tuple[bytes, str]:
    buffer = bytearray(size)
    view = memoryview(buffer)
    digest = hashlib.sha256()
    offset = 0
    with io.FileIO(fd, "rb", closefd=False) as stream:
        while offset < size:
            count = stream.readinto(view[offset:offset + _READ_CHUNK])
            if not count:
                raise SourceChanged("the file became shorter while it was read")
            digest.update(view[offset:offset + count])
            offset += count
        if stream.read(1):
            raise SourceChanged("the file grew while it was read")
    return bytes(buffer), digest.hexdigest()


def remove_beneath(root: Path, staged: StagedFile) -> None:
    """Delete the source file that was staged, and make the deletion durable.

    The name is removed only if it still is the very file that was read
    (same device, inode, size and modification time): a file put in its
    place since is left alone.

    Raises:
        SourceChanged: the name now holds a different or changed file.
        FileNotFoundError: it is already gone.
        PermissionError, OSError: the folder or device refused the deletion.
    """
    parts = _parts_beneath(Path(root), staged.path)
    folder = Path(root).joinpath(*parts[:-1])
    if not _WALK_BENEATH:
        _check_same(os.lstat(folder / parts[-1]), staged)
        os.unlink(folder / parts[-1])
        _fsync_folder(folder)
        return
    dir_fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        for part in parts[:-1]:
            next_fd = _open_or_refuse(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd)
            os.close(dir_fd)
            dir_fd = next_fd
        _check_same(os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False), staged)
        os.unlink(parts[-1], dir_fd=dir_fd)
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check_same(st: os.stat_result, staged: StagedFile) -> None:
    if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != (
            staged.device, staged.inode, staged.size, staged.mtime_ns):
        raise SourceChanged(str(staged.path))


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | _DIRECTORY)
    except OSError:
        return  # Windows cannot open a folder to flush it; its unlink is already durable.
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
