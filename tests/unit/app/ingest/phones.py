"""A pretend phone that refuses deletion, for the import and window tests."""

import contextlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest


@contextlib.contextmanager
def undeletable(folder: Path):
    """Make a folder's files undeletable, as a phone refusing deletion does.

    An ordinary user gets a read-only folder; root ignores that, so root marks
    each file immutable instead (skipping where the file system cannot).
    """
    files = sorted(folder.iterdir())
    if os.geteuid() != 0:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield
        finally:
            folder.chmod(stat.S_IRWXU)
        return
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", *map(str, files)], capture_output=True).returncode:
        pytest.skip("cannot make files undeletable here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, files)], check=True)
