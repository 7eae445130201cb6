"""Archiving filed pictures in the practice's PACS: queue them, send what waits, say how it stands.

Queueing only writes rows in the vault, so filing never waits for the
network; sending works through the queue over one association and leaves
what could not go waiting, with the reason, for the next try. Every send
passes the consent gate (the archive is the practice's own record, used for
the patient's care) once the archive has answered, so a use is recorded
only when it can happen, and every send and failure is audited. Pictures
are built into DICOM objects in memory, one at a time, as they go.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from app.consent.gate import Channel, authorise_use, check_use
from app.consent.vocabulary import Purpose
from app.interop.archive_photo import filed_image, read_archive_photos
from app.interop.dicom_files import dicom_object
from app.interop.dicom_uids import photo_uids
from app.interop.pacs_config import (
    PacsConfig,
    PacsConfigError,
    read_pacs_config,
    write_pacs_config,
)
from app.interop.pacs_store import PacsUnreachable, store_all
from app.reports.service import CARE_RECORD
from app.security.roles import Permission
from app.security.session import Session
from db.connection import transaction
from db.filing import FilingRepository
from db.pacs_queue import PacsQueueRepository, QueuedInstance


@dataclass(frozen=True)
class SendReport:
    """What one pass through the queue did."""

    sent: int
    still_waiting: int
    refused: int
    problem: str = ""


@dataclass(frozen=True)
class PacsStatus:
    """The archive the practice uses and how its queue stands."""

    config: PacsConfig | None
    waiting: int
    sent: int
    refused: int
    last_problem: str
    last_tried: str | None


class PacsService:
    """The PACS queue for one person's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def configure(self, config: PacsConfig) -> None:
        """Set the practice's PACS (admins), on the record.

        Raises:
            PolicyRefused: the person may not change settings (audited).
            PacsConfigError: a setting cannot work.
        """
        self._session.require(Permission.CHANGE_SETTINGS, subject="PACS")
        config.check()
        vault = self._session.vault
        with vault.index() as conn, transaction(conn):
            write_pacs_config(conn, config)
        self._session.audit("pacs.configured", "", {
            "host": config.host, "port": config.port, "called_ae": config.called_ae,
            "calling_ae": config.calling_ae, "tls": config.uses_tls})

    def queue(self, image_ids: Iterable[int] | None = None) -> int:
        """Queue filed pictures for the archive (every filed one when none are named).

        A picture already queued or sent as it now stands is not queued
        again; a corrected one is, as the new instance it has become.
        Returns how many were newly queued.

        Raises:
            PolicyRefused: the person may not view images (audited).
            PacsConfigError: a named image is not filed.
        """
        self._session.require(Permission.VIEW_IMAGES, subject="PACS queue")
        vault = self._session.vault
        actor = self._session.actor.name
        with vault.index() as conn:
            filings = FilingRepository(conn)
            ids = list(image_ids) if image_ids is not None else \
                [f.image_id for f in filings.all_filings()]
            images = []
            for image_id in ids:
                image = filed_image(conn, image_id)
                if image is None:
                    raise PacsConfigError(f"Image {image_id} is not filed to a patient yet; "
                                          "file it before archiving it.")
                if not image.deleted:
                    images.append(image)
            photos = read_archive_photos(conn, vault, images)
            with transaction(conn):
                repo = PacsQueueRepository(conn)
                added = [p.image.image_id for p in photos
                         if repo.add(p.image.image_id, photo_uids(p).instance, actor, _now())]
        if added:
            self._session.audit("pacs.queued", ", ".join(f"image {i}" for i in added),
                                {"count": len(added)})
        return len(added)

    def send_waiting(self) -> SendReport:
        """Send every waiting picture to the PACS over one association.

        Raises:
            PolicyRefused: the person may not send images (audited).
            PacsConfigError: no PACS is set up.
        """
        self._session.require(Channel.PACS.permission, subject="PACS queue")
        vault = self._session.vault
        with vault.index() as conn:
            config = read_pacs_config(conn)
            rows = PacsQueueRepository(conn).waiting()
        if config is None:
            raise PacsConfigError("No PACS is set up yet; an admin sets it with "
                                  "'clinfile pacs configure'.")
        rows, refused = self._allowed(rows)
        if not rows:
            return SendReport(0, 0, refused)
        outcome = {"sent": 0, "problem": ""}
        pending = {row.id: row for row in rows}
        try:
            for result in store_all(config, self._objects(rows),
                                    before_first=lambda: self._authorise(rows)):
                row = pending.pop(result.key.id)
                self._record(row, result.stored, result.problem)
                outcome["sent"] += result.stored
        except PacsUnreachable as exc:
            outcome["problem"] = str(exc)
            for row in pending.values():
                self._record(row, False, str(exc))
            pending.clear()
        self._session.audit("pacs.sent" if not outcome["problem"] else "pacs.send_failed",
                            f"{config.called_ae}@{config.host}:{config.port}", {
                                "sent": outcome["sent"], "tried": len(rows),
                                "problem": outcome["problem"],
                                "images": sorted({r.image_id for r in rows})})
        waiting = self.status().waiting
        return SendReport(outcome["sent"], waiting, refused, outcome["problem"])

    def status(self) -> PacsStatus:
        """Say which PACS is set up and how many pictures wait, were sent or refused."""
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            repo = PacsQueueRepository(conn)
            counts = repo.by_state()
            failure = repo.last_failure()
            config = read_pacs_config(conn)
        return PacsStatus(config, counts.get("waiting", 0), counts.get("sent", 0),
                          counts.get("refused", 0), failure.last_error if failure else "",
                          failure.tried_at if failure else None)

    def _allowed(self, rows: list[QueuedInstance]) -> tuple[list[QueuedInstance], int]:
        """Drop the rows the consent rules or a correction since queueing rule out, on record."""
        keep, refused = [], 0
        for row in rows:
            decision = check_use(self._session, row.image_id, Purpose.CLINICAL_CARE,
                                 CARE_RECORD)
            why = "" if decision.allowed else str(decision)
            if not why and self._current_uid(row.image_id) != row.sop_instance_uid:
                why = "the picture was corrected after it was queued; the corrected one goes"
                self.queue([row.image_id])
            if why:
                self._record(row, False, why, refused=True)
                refused += 1
            else:
                keep.append(row)
        return keep, refused

    def _authorise(self, rows: list[QueuedInstance]) -> None:
        authorise_use(self._session, [r.image_id for r in rows], Purpose.CLINICAL_CARE,
                      CARE_RECORD, channel=Channel.PACS)

    def _objects(self, rows: list[QueuedInstance]) -> Iterator[tuple[QueuedInstance, bytes]]:
        vault = self._session.vault
        for row in rows:
            with vault.index() as conn:
                [photo] = read_archive_photos(conn, vault, [filed_image(conn, row.image_id)])
            yield row, dicom_object(vault, photo).data

    def _current_uid(self, image_id: int) -> str:
        vault = self._session.vault
        with vault.index() as conn:
            [photo] = read_archive_photos(conn, vault, [filed_image(conn, image_id)])
        return photo_uids(photo).instance

    def _record(self, row: QueuedInstance, stored: bool, problem: str, *,
                refused: bool = False) -> None:
        with self._session.vault.index() as conn, transaction(conn):
            repo = PacsQueueRepository(conn)
            if stored:
                repo.mark_sent(row.id, _now())
            else:
                repo.mark_failed(row.id, problem, _now(), refused=refused)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
