"""A Windows portable device for tests off Windows: the WPD calls answered from a folder.

Only the COM layer cannot exist here; this stands in for it, object ids and
all, so the WPD device's walk, custody and deletion run for real.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from clinfile.app.ingest.device_sources.wpd import ROOT, WpdObject


class FolderPort:
    """WPD over a folder: its sub-folders are the storages; object ids are opaque tokens."""

    def __init__(self, folder: Path, name: str = "Anna's iPhone", *,
                 can_delete: bool = True) -> None:
        self._folder = folder
        self._name = name
        self._can_delete = can_delete
        self._paths: dict[str, Path] = {ROOT: folder}

    @property
    def friendly_name(self) -> str:
        return self._name

    def _id(self, path: Path) -> str:
        object_id = f"o{abs(hash(path)):x}"
        self._paths[object_id] = path
        return object_id

    def children(self, object_id: str) -> list[WpdObject]:
        folder = self._paths[object_id]
        if not folder.is_dir():
            raise OSError("the device is not answering")
        return [self.describe(self._id(path)) for path in sorted(folder.iterdir())]

    def describe(self, object_id: str) -> WpdObject:
        path = self._paths.get(object_id)
        if path is None:
            raise FileNotFoundError(object_id)
        st = os.lstat(path)
        return WpdObject(object_id, path.name, path.is_dir(), st.st_size,
                         datetime.fromtimestamp(st.st_mtime, UTC), self._can_delete)

    def read(self, object_id: str, max_bytes: int) -> bytes:
        return self._paths[object_id].read_bytes()[:max_bytes + 1]

    def delete(self, object_id: str) -> None:
        self._paths.pop(object_id).unlink()

    def alive(self) -> bool:
        return self._folder.is_dir()

    def close(self) -> None:
        self._paths = {ROOT: self._folder}
