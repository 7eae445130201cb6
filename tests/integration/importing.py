"""Real ``clinfile import`` processes on one vault, and what they must have left behind.

Shared by the tests that run several imports at once or kill them mid-way:
each checks custody (every picture in the vault exactly once, every blob of
every image readable with its SHA-256, or else still at its source) and that
every line the imports printed was true.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from clinfile.app.security.session import Session
from clinfile.db.images import ImageRepository, ImageRow
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS

CLINFILE = Path(sys.executable).with_name("clinfile")
PICTURE_SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".tiff"}


def command() -> list[str]:
    """The installed ``clinfile`` command, or the launcher run by this Python."""
    if CLINFILE.exists():
        return [str(CLINFILE)]
    return [sys.executable, "-c", "from clinfile.ui.launcher import main; main()"]


def corpus_pictures(corpus: Path) -> list[Path]:
    """The corpus's camera and phone files (and the damaged ones among them), in a fixed order."""
    return sorted(p for p in corpus.rglob("*") if p.suffix.lower() in PICTURE_SUFFIXES)


def copy_pictures(pictures: Iterable[Path], into: Path) -> dict[Path, str]:
    """Copy files into a folder under unique names; return each copy's SHA-256."""
    into.mkdir(parents=True, exist_ok=True)
    copies = {}
    for path in pictures:
        copy = into / f"{len(copies):02d}-{path.name}"
        shutil.copyfile(path, copy)
        copies[copy] = hashlib.sha256(copy.read_bytes()).hexdigest()
    return copies


def start_import(vault: Path, folders: Iterable[Path], user: str = "reception"
                 ) -> subprocess.Popen:
    """Start ``clinfile import`` in its own process group, its password already given."""
    process = subprocess.Popen(
        [*command(), "import", str(vault), *map(str, folders), "--user", user,
         "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process.stdin.write(f"{PASSWORDS[user]}\n".encode())
    process.stdin.close()
    process.stdin = None
    return process


def kill_group(process: subprocess.Popen) -> str:
    """kill -9 an import and every process it started; return what it had printed."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = process.communicate()
    return _whole_lines(out) + _whole_lines(err)


def finish(process: subprocess.Popen, timeout: float = 120) -> str:
    """Wait for an import to end by itself; return what it printed."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err.decode(errors="replace")
    return out.decode() + err.decode()


def _whole_lines(data: bytes) -> str:
    """What a killed process printed, less a last line the kill may have cut."""
    text = data.decode(errors="replace")
    return text[:text.rfind("\n") + 1]


def check_custody(vault_path: Path, offered: dict[Path, str]) -> list[ImageRow]:
    """Assert every offered picture is in the vault once, whole, or still at its source.

    Every image row's original, display copy and thumbnail must read back
    through a fresh connection with the SHA-256 stored for it.
    """
    session = Session.login(vault_path, ADMIN, ADMIN_PASSWORD)
    try:
        vault = session.vault
        with vault.index() as conn:
            rows = ImageRepository(conn).unfiled()
        stored = Counter(row.sha256 for row in rows)
        assert not [sha for sha, n in stored.items() if n > 1], "a picture was stored twice"
        assert set(stored) <= set(offered.values()), "the vault holds something never offered"
        for row in rows:
            vault.blobs.verify(row.original_blob, row.sha256)
            vault.blobs.verify(row.derivative_blob)
            vault.blobs.verify(row.thumbnail_blob)
        for path, sha in offered.items():
            assert _holds(path, sha) or sha in stored, f"{path.name} was lost"
    finally:
        session.lock()
    return rows


def _holds(path: Path, sha: str) -> bool:
    return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha


_IMPORTED = re.compile(r"^Imported (?P<path>.+) as item (?P<item>\d+)\.$")
_DUPLICATE = re.compile(r"^Already in the vault \(item (?P<item>\d+)\): (?P<path>.+)$")
_DELETED = re.compile(r"^Deleted the source (?P<path>.+)\.$")
_KEPT = re.compile(r"^Kept (?P<path>.+?): (?P<reason>.+)$")
_REFUSED = re.compile(r"^Refused (?P<path>.+?): (?P<reason>.+)$")
_RESUMED = re.compile(r"^Interrupted import of (?P<path>.+): (?P<outcome>.+)$")


def false_messages(outputs: Iterable[str], offered: dict[Path, str],
                   rows: list[ImageRow]) -> list[str]:
    """Return every printed line that the vault and the folders, as they are now, belie.

    Call once the imports that printed ``outputs`` have all ended.
    """
    by_id = {row.id: row for row in rows}
    wrong = []
    deleted = Counter()
    for line in (line for output in outputs for line in output.splitlines()):
        if "unexpected problem" in line or "Traceback" in line:
            wrong.append(line)
        elif match := _IMPORTED.match(line) or _DUPLICATE.match(line):
            row = by_id.get(int(match["item"]))
            if row is None or row.sha256 != offered.get(Path(match["path"])):
                wrong.append(line)
        elif match := _DELETED.match(line):
            path = Path(match["path"])
            deleted[path] += 1
            if path.exists() or offered.get(path) not in {row.sha256 for row in rows}:
                wrong.append(line)
        elif match := _KEPT.match(line) or _REFUSED.match(line):
            path = Path(match["path"])
            if not _holds(path, offered.get(path, "")):
                wrong.append(line)
        elif (match := _RESUMED.match(line)) and match["outcome"] == "source deleted":
            path = Path(match["path"])
            deleted[path] += 1
            if path.exists():
                wrong.append(line)
    wrong += [f"Deleted the source {path}. (said {n} times)"
              for path, n in deleted.items() if n > 1]
    return wrong
