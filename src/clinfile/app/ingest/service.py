"""Import for one session: role check, then the pipeline over the chosen source.

Each method returns a generator of events; iterate it to run the import, set
the cancel token (or close the generator) to stop between files. What has
been committed stays committed; what has not was never taken from its source.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from clinfile.app.custody.locations import require_local
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.custody import ALREADY_GONE, Candidate, Custodian
from clinfile.app.ingest.decode_workers import warm_up
from clinfile.app.ingest.device_sources import DeviceSource
from clinfile.app.ingest.devices import (
    POLICY_DELETES_PHOTOS,
    POLICY_KEEPS_PHOTOS,
    DeletionPolicy,
    DeviceImage,
    decide_deletion,
    real_place,
    volume_holding,
)
from clinfile.app.ingest.drop_folder import DropFolderWatcher
from clinfile.app.ingest.limits import IngestLimits
from clinfile.app.ingest.pipeline import ImportPipeline
from clinfile.app.ingest.previews import Preview, device_thumbnails
from clinfile.app.ingest.receipt import CHOSEN_TO_KEEP, POLICY_KEEPS, ImportReceipt
from clinfile.app.ingest.shared_drop import SharedDrop, SharedDropWatcher
from clinfile.app.ingest.sources import manual_candidates
from clinfile.app.ingest.unfinished import ImportLedger, Unfinished
from clinfile.app.security.roles import Permission, PolicyRefused
from clinfile.app.security.session import Session
from clinfile.app.settings import SettingsService
from clinfile.db.images import ImageRepository, ImageRow
from clinfile.db.quarantine import QuarantineRepository, QuarantineRow

WATCH_TICK_SECONDS = 0.1

log = logging.getLogger("clinfile.ingest")


class ImportService:
    """Taking pictures into the vault's inbox, and reading the inbox and quarantine."""

    def __init__(self, session: Session, limits: IngestLimits | None = None) -> None:
        """Import for ``session``, within ``limits`` (by default the practice's settings)."""
        self._session = session
        if limits is None:
            practice = SettingsService(session).load()
            limits = IngestLimits.from_practice(practice.max_import_megabytes,
                                                practice.max_import_megapixels)
        self._limits = limits
        warm_up(limits)

    def import_paths(self, paths: Iterable[Path], *, keep_source: bool = False,
                     cancel: ev.CancelToken | None = None) -> Iterator[ev.Event]:
        """Import files and folders given by hand; their sources go unless ``keep_source``.

        A path on a phone or camera is from a device and kept under the
        practice's rule for devices, whoever asks and however it was reached.

        Raises:
            PolicyRefused: a path is on a device and the practice keeps photos there.
        """
        self._session.require(Permission.IMPORT_IMAGES)
        candidates: list[Candidate] = []
        for path in paths:
            volume = volume_holding(Path(path))
            if volume is None:
                candidates += manual_candidates([Path(path)], delete_source=not keep_source)
                continue
            if not keep_source and self.deletion_policy() is DeletionPolicy.NEVER:
                raise PolicyRefused(POLICY_KEEPS_PHOTOS)
            candidates += [replace(c, root=volume.dcim, kind=ev.SourceKind.DEVICE, device=volume)
                           for c in manual_candidates([real_place(Path(path))],
                                                      delete_source=not keep_source)
                           if volume.dcim in c.path.parents]
        return self._run_all(candidates, cancel)

    def import_from_device(self, volume: DeviceSource, chosen: Sequence[DeviceImage], *,
                           policy: DeletionPolicy | None = None,
                           ask: Callable[[int], bool] = lambda _count: False,
                           cancel: ev.CancelToken | None = None,
                           kept_because: str | None = None) -> DeviceImport:
        """Import the chosen pictures from a phone or camera.

        Whether they are deleted from the device is settled once, before the
        first file, by ``policy`` (the practice's setting when not given); with
        ASK, ``ask`` is called with the number of pictures and answers for the
        whole import. ``ask`` runs on the caller's thread: a window should ask
        on its own thread first and pass the answer as ``policy``.

        Iterating the result runs the import; its receipt says, photo by photo,
        what became of every picture chosen, however the import ended.
        ``kept_because`` is why they stay on the device, when they do (by
        default: the practice's setting under NEVER, else the person's choice).
        """
        self._session.require(Permission.IMPORT_IMAGES, subject=volume.label)
        if policy is None:
            policy = self.deletion_policy()
        delete = decide_deletion(policy, ask, len(chosen))
        if kept_because is None:
            kept_because = POLICY_KEEPS if policy is DeletionPolicy.NEVER else CHOSEN_TO_KEEP
        cancel = cancel or ev.CancelToken()
        candidates = [Candidate(image.path, volume.dcim, ev.SourceKind.DEVICE, delete, volume)
                      for image in chosen]
        receipt = ImportReceipt(volume.label, [image.path for image in chosen], delete=delete,
                                kept_because=kept_because)
        ledger = ImportLedger(self._session.vault, self._session.actor.name)

        def start() -> Iterator[ev.Event]:
            self._require_policy_allows(delete)
            return self._run_all(candidates, cancel)

        return DeviceImport(start, receipt, volume, cancel, ledger)

    def _require_policy_allows(self, delete: bool) -> None:
        """Refuse, whoever asks, what the practice's deletion setting does not allow.

        Read afresh as the import starts (in the caller's worker), so a setting
        changed since the question was asked is the one kept.
        """
        practice = self.deletion_policy()
        if practice is DeletionPolicy.NEVER and delete:
            raise PolicyRefused(POLICY_KEEPS_PHOTOS)
        if practice is DeletionPolicy.ALWAYS and not delete:
            raise PolicyRefused(POLICY_DELETES_PHOTOS)

    def unfinished_device_imports(self) -> list[Unfinished]:
        """Imports from devices that ended unseen (a crash) or cut short, each told once."""
        self._session.require(Permission.IMPORT_IMAGES)
        return ImportLedger(self._session.vault, self._session.actor.name).unfinished()

    def delete_safe_copies(self, volume: DeviceSource, paths: Sequence[Path]
                           ) -> Iterator[ev.Event]:
        """Delete from a device the photos the vault already holds, each checked again first.

        A photo is deleted only when its bytes, read now, match an item of the
        vault whose copy is read back and matched too; each deletion has its
        receipt in the audit. Yields SourceDeleted or SourceKept for each.
        """
        self._session.require(Permission.IMPORT_IMAGES, subject=volume.label)
        if self.deletion_policy() is DeletionPolicy.NEVER:
            raise PolicyRefused(POLICY_KEEPS_PHOTOS)
        custodian = Custodian(self._session.vault, self._session.actor.name)
        return _deleting(custodian, volume, list(paths))

    def deletion_policy(self) -> DeletionPolicy:
        """The practice's current rule for deleting photos from devices, read afresh."""
        return DeletionPolicy(SettingsService(self._session).load().device_deletion)

    def device_thumbnails(self, volume: DeviceSource, images: Sequence[DeviceImage], *,
                          cancel: ev.CancelToken | None = None) -> Iterator[Preview]:
        """Previews of a device's pictures for choosing, made safely and kept in memory.

        Each says whether the vault already holds that photo's exact bytes.
        """
        self._session.require(Permission.IMPORT_IMAGES, subject=volume.label)
        return self._marked(device_thumbnails(volume, images, self._limits, cancel))

    def _marked(self, previews: Iterator[Preview]) -> Iterator[Preview]:
        with self._session.vault.index() as conn:
            images_in_vault = ImageRepository(conn)
            for preview in previews:
                known = preview.sha256 and images_in_vault.by_sha256(preview.sha256)
                yield replace(preview, in_vault=bool(known))

    def watch(self, folder: Path, *, cancel: ev.CancelToken, polling: bool | None = None,
              force: bool = False, shared: SharedDrop | None = None) -> Iterator[ev.Event]:
        """Watch a drop folder until cancelled, importing and emptying it as files settle.

        A folder inside a cloud-sync folder is refused unless forced (everything
        dropped there would be copied to the internet); a folder on a network
        drive is polled, since inotify does not see other machines' changes.
        ``shared`` names this workstation for a folder several workstations
        watch: each file is claimed for it first, so exactly one takes it.

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

        def watcher_offering(to: Callable[[Path], None]) -> DropFolderWatcher:
            return DropFolderWatcher(folder, to, self._limits.stable_seconds, polling=polling,
                                     max_bytes=self._limits.max_bytes)

        if shared is None:
            return _watching(pipeline, watcher_offering(offer), cancel)
        return _watching(pipeline, SharedDropWatcher(shared.claims(folder), offer,
                                                     watcher_offering), cancel)

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


def _deleting(custodian: Custodian, volume: DeviceSource, paths: list[Path]
              ) -> Iterator[ev.Event]:
    for path in paths:
        release = custodian.release_if_in_vault(
            Candidate(path, volume.dcim, ev.SourceKind.DEVICE, True, volume))
        if release.deleted or release.gone:
            yield ev.SourceDeleted(path) if release.deleted else ev.SourceKept(
                path, ALREADY_GONE)
        else:
            yield ev.SourceKept(path, release.reason)


class DeviceImport:
    """An import from a device: iterate it to run it; its receipt fills in as it goes.

    The receipt is settled when the iteration ends, however it ends (the
    last photo, Stop, the device going away, or the caller closing it), by
    looking at the device once more: a photo still there is never reported
    as deleted.
    """

    def __init__(self, events: Callable[[], Iterator[ev.Event]], receipt: ImportReceipt,
                 volume: DeviceSource, cancel: ev.CancelToken, ledger: ImportLedger) -> None:
        self._start = events
        self._events: Iterator[ev.Event] = iter(())
        self.receipt = receipt
        self._volume = volume
        self._cancel = cancel
        self._ledger = ledger

    def __iter__(self) -> Iterator[ev.Event]:
        began = self._ledger.began(self.receipt.device, self._volume.dcim,
                                   len(self.receipt.photos), self.receipt.delete)
        self._events = self._start()
        try:
            for event in self._events:
                self.receipt.add(event)
                yield event
        finally:
            stopped = self._cancel.cancelled or not self.receipt.ended
            if not self.receipt.ended:
                self._drain()
            self.receipt.close(cancelled=stopped, device_present=self._volume.present(),
                               still_there=self._still_there)
            self._record_end(began)

    def _record_end(self, began: int) -> None:
        """Record the end; a locked vault or full disk leaves it to be told at the next start."""
        try:
            self._ledger.ended(began, self.receipt)
        except Exception:
            log.exception("the end of an import from a device could not be recorded")

    def _still_there(self, path: Path) -> bool:
        return self._volume.state(path).size is not None

    def _drain(self) -> None:
        """Stop the import and hear out the photo it was in the middle of.

        Left unheard, a photo stored and deleted as the caller stopped
        listening would be reported as never read.
        """
        self._cancel.cancel()
        try:
            self.receipt.add_all(self._events)
        except Exception:
            log.exception("the end of an import from a device could not be heard")


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
