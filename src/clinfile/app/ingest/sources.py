"""Turning files and folders given by hand into candidates for import."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from clinfile.app.ingest.custody import Candidate
from clinfile.app.ingest.events import SourceKind

# Files operating systems leave in folders on their own; never a person's picture.
SYSTEM_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".directory"})


def is_litter(name: str) -> bool:
    """Whether a file name is operating-system litter rather than something sent in."""
    return name in SYSTEM_LITTER or name.startswith("._")


def manual_candidates(paths: Iterable[Path], *, delete_source: bool,
                      kind: SourceKind = SourceKind.MANUAL) -> list[Candidate]:
    """Expand files and folders into candidates, each bound to the root it was given under.

    A folder is walked without following links; a link found inside is still
    offered, so that it is refused with a reason rather than silently skipped.
    A file given directly is bound to its own folder.
    """
    found: list[Candidate] = []
    for given in paths:
        path = Path(os.path.abspath(given))
        if path.is_dir() and not path.is_symlink():
            found += [Candidate(p, path, kind, delete_source) for p in walk_files(path)]
        else:
            found.append(Candidate(path, path.parent, kind, delete_source))
    return found


def walk_files(root: Path) -> Iterator[Path]:
    """Yield every file, link or special file beneath ``root``, in a stable order."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        base = Path(folder)
        linked_dirs = [d for d in dirs if (base / d).is_symlink()]
        for name in sorted(files + linked_dirs):
            if not is_litter(name):
                yield base / name
