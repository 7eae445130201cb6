"""Import for one session: role check, then the pipeline over the chosen source.

Each method returns a generator of events; iterate it to run the import, set
the cancel token (or close the generator) to stop between files. What has
been committed stays committed; what has not was never taken from its source.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from app.ingest import events as ev
from app.ingest.custody import Candidate
from app.ingest.decode_workers import warm_up
from app.ingest.devices import CameraVolume, DeletionPolicy, DeviceImage, decide_deletion
from app.ingest.drop_folder import DropFolderWatcher
from app.ingest.limits import IngestLimits
from app.ingest.pipeline import ImportPipeline
from app.ingest.previews import device_thumbnails
from app.ingest.sources import manual_candidates
from app.security.locations import require_local
from app.security.roles import Permission
from app.security.session import Session
from app.settings import SettingsService
from db.images import ImageRepository, ImageRow
from db.quarantine import QuarantineRepository, QuarantineRow

WATCH_TICK_SECONDS = 0.1


class ImportService:
    """Taking pictures into the vault's inbox, and reading the inbox and quarantine."""

    def __init__(self, session: Session, limits: IngestLimits | None = None) -> None:
        """Import for ``session``, within ``limits`` (by default the practice's settings)."""
        self._session = session
        warm_up()
        if limits is None:
            practice = SettingsService(session).load()
            limits = IngestLimits.from_practice(practice.max_import_megabytes,
                                                practice.max_import_megapixels)
        self._limits = limits

    def import_paths(self, paths: Iterable[Path], *, keep_source: bool = False,
                     cancel: ev.CancelToken | None = None) -> Iterator[ev.Event]:
        """Import files and folders given by hand; their sources go unless ``keep_source``."""
        self._session.require(Permission.IMPORT_IMAGES)
        candidates = manual_candidates([Path(p) for p in paths], delete_source=not keep_source)
        return self._run_all(candidates, cancel)

    def import_from_device(self, volume: CameraVolume, chosen: Sequence[DeviceImage], *,
                           policy: DeletionPolicy | None = None,
                           ask: Callable[[int], bool] = lambda _count: False,
                           cancel: ev.CancelToken | None = None) -> Iterator[ev.Event]:
        """Import the chosen pictures from a phone or camera.

        Whether they are deleted from the device is settled once, before the
        first file, by ``policy`` (the practice's setting when not given); with
        ASK, ``ask`` is called with the number of pictures and answers for the
        whole import. ``ask`` runs on the caller's thread: a window should ask
        on its own thread first and pass the answer as ``policy``.
        """
        self._session.require(Permission.IMPORT_IMAGES, subject=volume.label)
        if policy is None:
            policy = DeletionPolicy(SettingsService(self._session).load().device_deletion)
        delete = decide_deletion(policy, ask, len(chosen))
        candidates = [Candidate(image.path, volume.dcim, ev.SourceKind.DEVICE, delete)
                      for image in chosen]
        return self._run_all(candidates, cancel)

    def device_thumbnails(self, volume: CameraVolume, images: Sequence[DeviceImage], *,
                          cancel: ev.CancelToken | None = None
                          ) -> Iterator[tuple[DeviceImage, bytes | None]]:
        """Thumbnails of a device's pictures for choosing, made safely and kept in memory."""
        self._session.require(Permission.IMPORT_IMAGES, subject=volume.label)
        return device_thumbnails(volume, images, self._limits, cancel)

    def watch(self, folder: Path, *, cancel: ev.CancelToken, polling: bool | None = None,
              force: bool = False) -> Iterator[ev.Event]:
        """Watch a drop folder until cancelled, importing and emptying it as files settle.

        A folder inside a cloud-sync folder is refused unless forced (everything
        dropped there would be copied to the internet); a folder on a network
        drive is polled, since inotify does not see other machines' changes.

        Raises:
            CloudFolderRefused: the folder is synced to a cloud service.
        """
        self._session.require(Permission.IMPORT_IMAGES, subject=str(folder))
        folder = Path(folder).absolute()
        place = require_local(folder, what="drop folder", force=force)
        if polling is None:
            polling = place.network_filesystem is not None
        pipeline = self._pipeline(cancel)

        def offer(path: Path) -> None:
            pipeline.submit(Candidate(path, folder, ev.SourceKind.DROP_FOLDER, True))

        watcher = DropFolderWatcher(folder, offer, self._limits.stable_seconds, polling=polling)
        return _watching(pipeline, watcher, cancel)

    def inbox(self) -> list[ImageRow]:
        """Return the unfiled items, oldest first."""
        self._session.require(Permission.VIEW_IMAGES)
        with self._session.vault.index() as conn:
            return ImageRepository(conn).unfiled()

    def quarantine(self) -> list[QuarantineRow]:
        """Return the refused files, newest first."""
        self._session.require(Permission.IMPORT_IMAGES)
        with self._session.vault.index() as conn:
            return QuarantineRepository(conn).all()

    def _pipeline(self, cancel: ev.CancelToken | None) -> ImportPipeline:
        return ImportPipeline(self._session.vault, self._session.actor.name, self._limits,
                              cancel=cancel, keep_alive=self._session.touch)

    def _run_all(self, candidates: list[Candidate], cancel: ev.CancelToken | None
                 ) -> Iterator[ev.Event]:
        pipeline = self._pipeline(cancel)
        for candidate in candidates:
            pipeline.submit(candidate)
        pipeline.close()
        return pipeline.events()


def _watching(pipeline: ImportPipeline, watcher: DropFolderWatcher,
              cancel: ev.CancelToken) -> Iterator[ev.Event]:
    """Run the watcher beside the pipeline, for as long as the pipeline runs."""
    def keep_watching() -> None:
        watcher.start()
        try:
            while not cancel.wait(WATCH_TICK_SECONDS):
                watcher.poll()
        finally:
            watcher.stop()

    thread = threading.Thread(target=keep_watching, name="drop-folder", daemon=True)
    thread.start()
    try:
        yield from pipeline.events()
    finally:
        cancel.cancel()
        thread.join()
