"""Whether some process still holds a file open for writing.

On Linux the kernel answers directly: a read lease (``F_SETLEASE``) can be
taken only while nobody has the file open for writing, whoever they are, so
taking one and letting it go at once costs about 15 µs. The lease is held for
microseconds, and its break signal is set to SIGURG, which is ignored unless
handled, since the default SIGIO would end the process should a writer open
the file in that instant.

Leases are refused on files another user owns and on file systems without
them (network shares, FUSE phone mounts). There ``/proc/<pid>/fd`` is scanned
instead: link names are compared first, and only a link naming the file is
looked at closer (device, inode, and the access mode in ``fdinfo``), so a
file renamed into place while open is still found. The scan sees only our
own user's processes and costs milliseconds per file.

What neither can see: writers on other computers (a network drop folder), a
writer using another hard-link name (for the scan), and every platform
without leases or ``/proc``. There the stability check and the structure
check still stand.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

_PROC = Path("/proc")
_ACCESS_MODE = 0o3
_READ_ONLY = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
              | getattr(os, "O_CLOEXEC", 0))


def open_for_writing(path: Path, device: int, inode: int) -> bool | None:
    """Whether any process has the file open for writing; None when this platform cannot tell."""
    held = _lease_refused(path, device, inode)
    if held is not None:
        return held
    return _seen_in_proc(path, device, inode)


def _lease_refused(path: Path, device: int, inode: int) -> bool | None:
    """Ask the kernel by taking a read lease; None when no lease can be had here."""
    if not hasattr(fcntl, "F_SETLEASE"):
        return None
    try:
        fd = os.open(path, _READ_ONLY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (device, inode):
            return None
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        try:
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        except OSError as exc:
            return True if exc.errno == errno.EAGAIN else None
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


def _seen_in_proc(path: Path, device: int, inode: int) -> bool | None:
    """Scan every process's open files we may see; None without ``/proc``."""
    if not (_PROC / "self" / "fd").is_dir():
        return None
    name = os.fsencode(Path(path).name)
    for pid in os.listdir(_PROC):
        if not pid.isdigit():
            continue
        fds = os.fsencode(_PROC / pid / "fd")
        try:
            links = os.listdir(fds)
        except OSError:
            continue
        for fd in links:
            link = fds + b"/" + fd
            if _names(link, name) and _same_file(link, device, inode) \
                    and _writable(_PROC / pid / "fdinfo" / os.fsdecode(fd)):
                return True
    return False


def _names(link: bytes, name: bytes) -> bool:
    try:
        target = os.readlink(link)
    except OSError:
        return False
    return target.removesuffix(b" (deleted)").rpartition(b"/")[2] == name


def _same_file(link: bytes, device: int, inode: int) -> bool:
    try:
        st = os.stat(link)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (device, inode)


def _writable(fdinfo: Path) -> bool:
    try:
        text = fdinfo.read_text()
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8) & _ACCESS_MODE in (os.O_WRONLY, os.O_RDWR)
    return False
