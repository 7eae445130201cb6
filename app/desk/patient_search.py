"""Search as you type: the practice's patient index, loaded once per session.

Building the index reads every patient once (in a worker); after that each
keystroke's search is a few milliseconds of pure Python, run in a worker too.
"""

from __future__ import annotations

import threading
from pathlib import PurePath

from app.patients.index import PatientIndex
from app.patients.matching import MatchResult, search
from app.patients.query import parse_query
from app.security.roles import Permission
from app.security.session import Session
from db.patients import PatientRepository


class PatientSearch:
    """Ranked candidates with their reasons, for text typed or a picture's file name."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._index: PatientIndex | None = None
        self._lock = threading.Lock()

    def search(self, text: str, *, limit: int = 8) -> MatchResult:
        """Rank the practice's patients against what was typed."""
        self._session.require(Permission.SEARCH_PATIENTS)
        return search(self._loaded(), parse_query(text), limit=limit)

    def hint_from_file_name(self, file_name: str) -> str:
        """The part of a file name worth searching for: 'Mai Nguyen 5-6-90.jpg' gives its stem.

        Camera names like IMG_1234 carry no hint; an empty string is returned for them.
        """
        stem = PurePath(file_name).stem.replace("_", " ").strip()
        words = [w for w in stem.split() if any(c.isalpha() for c in w)]
        camera = all(w.upper().startswith(("IMG", "DSC", "PXL", "DCIM", "PHOTO", "IMAGE"))
                     or sum(c.isdigit() for c in w) > len(w) // 2 for w in words)
        return "" if not words or camera else stem

    def _loaded(self) -> PatientIndex:
        with self._lock:
            if self._index is None:
                with self._session.vault.index() as conn:
                    self._index = PatientIndex(PatientRepository(conn).all())
            return self._index
