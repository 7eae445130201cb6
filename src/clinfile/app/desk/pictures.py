"""What the desk shows of the inbox: each item's facts, thumbnail and display copy.

Reading goes through the role check; opening a picture large is audited, as
every read of a clinical image is. Thumbnails are fetched only for items the
window has not shown yet, so a refresh while a hundred files arrive stays cheap.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePath

from clinfile.app.ingest.sources import walk_files
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.images import ImageRepository, ImageRow


@dataclass(frozen=True)
class InboxItem:
    """One unfiled picture as the inbox lists it.

    Attributes:
        id: the inbox item's id.
        file_name: the source file's name (it may carry a patient's name: a hint).
        source_kind: drop folder, device or manual.
        received_at: when it was taken in (ISO, UTC).
        had_gps: the original carried location data (never in any copy that leaves).
        width: pixels across, after orientation.
        height: pixels down, after orientation.
        thumbnail: JPEG bytes, or None when the window already has them.
    """

    id: int
    file_name: str
    source_kind: str
    received_at: str
    had_gps: bool
    width: int
    height: int
    thumbnail: bytes | None


class InboxPictures:
    """Reading the inbox for the desk."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def items(self, known: Collection[int] = ()) -> list[InboxItem]:
        """Return every unfiled item, oldest first; thumbnails only for ids not in ``known``."""
        self._session.require(Permission.VIEW_IMAGES)
        vault = self._session.vault
        with vault.index() as conn:
            rows = ImageRepository(conn).unfiled()
        store = vault.blobs
        return [_item(row, None if row.id in known else store.read_bytes(row.thumbnail_blob))
                for row in rows]

    def written(self) -> tuple[int, ...]:
        """Where the inbox stands now: when it differs from the last reading, read it again.

        Another workstation (or the command line) files, deletes or attaches
        pictures that this window still lists; a few numbers tell it so.
        """
        self._session.require(Permission.VIEW_IMAGES)
        with self._session.vault.index() as conn:
            return ImageRepository(conn).inbox_written()

    def display_copies(self, ids: list[int]) -> list[tuple[InboxItem, bytes]]:
        """Return the display copies (orientation applied, no metadata) to show large."""
        self._session.require(Permission.VIEW_IMAGES)
        vault = self._session.vault
        with vault.index() as conn:
            rows = [ImageRepository(conn).by_id(image_id) for image_id in ids]
        store = vault.blobs
        shown = [(_item(row, None), store.read_bytes(row.derivative_blob)) for row in rows]
        for row in rows:
            self._session.audit("image.viewed", f"image {row.id}")
        return shown


def files_waiting(drop_folder: Path | str, refused: frozenset[Path] = frozenset()) -> int:
    """Count the files in the drop folder, which wait there while the window is locked.

    The vault cannot be read while locked, so this only looks at the folder:
    whatever is in it is taken in (or refused, with a reason) on unlocking.
    Files already refused (``refused``, read before locking) stay in the
    folder but wait for nothing, so they are not counted.
    """
    folder = Path(drop_folder)
    if not str(drop_folder) or not folder.is_dir():
        return 0
    return sum(1 for path in walk_files(folder) if path not in refused)


def _item(row: ImageRow, thumbnail: bytes | None) -> InboxItem:
    return InboxItem(row.id, PurePath(row.source_path).name, row.source_kind, row.received_at,
                     row.had_gps, row.width, row.height, thumbnail)
