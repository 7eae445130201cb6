"""Another process writing a picture in two halves, pausing between, as a slow copy does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_WRITE_IN_HALVES = r"""
import os, sys
source, target, keep_open = sys.argv[1], sys.argv[2], sys.argv[3] == "open"
data = open(source, "rb").read()
half = len(data) // 2
out = open(target, "wb")
out.write(data[:half]); out.flush(); os.fsync(out.fileno())
if not keep_open:
    out.close()
print("half", flush=True)
sys.stdin.readline()
if not keep_open:
    out = open(target, "ab")
out.write(data[half:]); out.close()
print("done", flush=True)
"""


class SlowWriter:
    """Writes ``source`` to ``target``: the first half at once, the rest on :meth:`finish`.

    With ``keep_open`` the writer holds the file open through the pause, as
    a copy that stalls does; without, it closes and reopens to append, as a
    sync that resumes later does.
    """

    def __init__(self, source: Path, target: Path, *, keep_open: bool) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WRITE_IN_HALVES, str(source), str(target),
             "open" if keep_open else "closed"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout.readline().strip() == "half"

    def finish(self) -> None:
        """Write the second half and wait until the file is closed."""
        self._process.stdin.write("go\n")
        self._process.stdin.flush()
        assert self._process.stdout.readline().strip() == "done"
        self._process.wait(timeout=30)

    def __enter__(self) -> SlowWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
