"""What one computer remembers between runs: which vault it opens, its drop folder.

These are facts about this workstation, not about the practice, so they live
in the per-user configuration folder rather than in the vault; no patient
data is ever written here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from clinfile.app.paths import config_dir
from clinfile.db.connection import write_atomically


@dataclass(frozen=True)
class WorkstationMemory:
    """The last vault opened here and the folders this computer files from and to.

    Attributes:
        vault: the vault folder opened last; the login screen offers it.
        user: who logged in last, so the next login needs only a password.
        drop_folder: where the practice's mail rule saves attachments on this computer.
        outbox: where summary PDFs go for the clinical software to pick up.
    """

    vault: str = ""
    user: str = ""
    drop_folder: str = ""
    outbox: str = ""


class WorkstationStore:
    """Reads and writes :class:`WorkstationMemory` as a small JSON file."""

    FILE_NAME = "workstation.json"

    def __init__(self, folder: Path | None = None) -> None:
        self._path = Path(folder or config_dir()) / self.FILE_NAME

    def load(self) -> WorkstationMemory:
        """Return what this computer remembers; nothing, if the file is missing or unreadable."""
        try:
            stored = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return WorkstationMemory()
        known = {f.name for f in fields(WorkstationMemory)}
        return WorkstationMemory(**{k: str(v) for k, v in stored.items() if k in known})

    def remember(self, **changes: str) -> WorkstationMemory:
        """Change some remembered values, writing the file atomically; return the whole."""
        memory = replace(self.load(), **changes)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self._path, json.dumps(asdict(memory), indent=2).encode())
        return memory
