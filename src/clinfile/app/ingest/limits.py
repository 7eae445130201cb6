"""The limits an import works within, with the reasons for each default."""

from __future__ import annotations

import os
from dataclasses import dataclass

MEGABYTE = 1_000_000


@dataclass(frozen=True)
class IngestLimits:
    """How much an import will read, decode and wait for.

    Attributes:
        max_bytes: larger files are refused before being read (the practice
            setting, default 200 MB); it also bounds the in-memory staging copy.
        max_pixels: larger pictures are refused as possible decompression
            bombs; 100 MP keeps iPhone's 48.8 MP photos well inside.
        decode_seconds: a worker taking longer on one file is killed and the
            file refused (an infinite loop in a decoder costs that file only).
        worker_memory_bytes: the address-space limit (RLIMIT_AS) of each decode
            worker, so a hostile file cannot exhaust the machine's memory.
        workers: how many decode worker processes run side by side.
        worker_files: a worker is replaced after decoding this many pictures.
            Its decoders' memory fragments and is not given back: over a
            morning of a watched drop folder, a worker grew from 90 MB to
            over 200 MB in 600 pictures. A fresh one forks from the
            process server in a few milliseconds.
        stable_seconds: a drop-folder file is taken only once its size and
            modification time are unchanged across two checks this far apart.
        heartbeat_seconds: the longest the event stream stays silent.
    """

    max_bytes: int = 200 * MEGABYTE
    max_pixels: int = 100_000_000
    decode_seconds: float = 60.0
    worker_memory_bytes: int = 4 * 1024 ** 3
    workers: int = max(1, min(2, os.cpu_count() or 1))
    worker_files: int = 100
    stable_seconds: float = 1.0
    heartbeat_seconds: float = 0.025

    @classmethod
    def from_practice(cls, max_megabytes: int, max_megapixels: int, **others) -> IngestLimits:
        """Build limits from the practice settings (``PracticeSettings``)."""
        return cls(max_bytes=max_megabytes * MEGABYTE, max_pixels=max_megapixels * 1_000_000,
                   **others)
