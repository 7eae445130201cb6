"""Archiving filed pictures in the practice's PACS: queue them, send what waits, say how it stands.

Queueing only writes rows in the vault, so filing never waits for the
network; a sender claims the rows it will send (so several senders on one
vault never send a picture twice), marks each as the archive confirms it,
and leaves what could not go waiting, with the reason, for the next try. Every send
passes the consent gate (the archive is the practice's own record, used for
the patient's care) once the archive has answered, so a use is recorded
only when it can happen, and every send and failure is audited. Pictures
are built into DICOM objects in memory, one at a time, as they go.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import psutil
from pydicom import Dataset

from clinfile.app import clock
from clinfile.app.consent.vocabulary import CARE_RECORD, Purpose
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.custody.secrets import KeyringSecretStore
from clinfile.app.filing.model import load_filed
from clinfile.app.interop.archive_photo import filed_image, read_archive_photos
from clinfile.app.interop.dicom_objects import dicom_dataset
from clinfile.app.interop.dicom_pixels import PixelsUnusable
from clinfile.app.interop.dicom_uids import photo_uids
from clinfile.app.interop.pacs_config import (
    DICOMWEB_SECRET,
    PacsConfig,
    PacsConfigError,
    read_pacs_config,
    write_pacs_config,
)
from clinfile.app.interop.pacs_store import PacsUnreachable, store_all
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.uses.gate import Channel, authorise_use, check_use
from clinfile.db.connection import transaction
from clinfile.db.consents import NOT_MADE, SENT, ConsentRepository
from clinfile.db.filing import FilingRepository
from clinfile.db.pacs_queue import PacsQueueRepository, QueuedInstance

#: Pictures built ahead of the one being sent.
BUILD_AHEAD = 2
#: How long a sender's claim on its rows lasts without an answer from the archive.
CLAIM_SECONDS = 300


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
    #: Each refused picture's image id and why it is not sent, oldest first.
    refusals: tuple[tuple[int, str], ...] = ()


class PacsService:
    """The PACS queue for one person's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def configure(self, config: PacsConfig, dicomweb_password: str | None = None) -> None:
        """Set the practice's PACS (admins), on the record; a DICOMweb password goes to the keyring.

        Raises:
            PolicyRefused: the person may not change settings (audited).
            PacsConfigError: a setting cannot work.
            SecretStoreUnavailable: a password was given and no keyring can keep it.
        """
        self._session.require(Permission.CHANGE_SETTINGS, subject="PACS")
        config.check()
        vault = self._session.vault
        if dicomweb_password:
            KeyringSecretStore(vault.vault_id).set(DICOMWEB_SECRET, dicomweb_password)
        with vault.index() as conn, transaction(conn):
            write_pacs_config(conn, config)
        self._session.audit("pacs.configured", "", {
            "host": config.host, "port": config.port, "called_ae": config.called_ae,
            "calling_ae": config.calling_ae, "tls": config.uses_tls,
            "dicomweb_url": config.dicomweb_url, "dicomweb_password_kept": bool(dicomweb_password)})

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
                now = clock.stamp()
                added = [p.image.image_id for p in photos
                         if repo.add(p.image.image_id, photo_uids(p).instance, actor, now)]
        if added:
            self._session.audit("pacs.queued", ", ".join(f"image {i}" for i in added),
                                {"count": len(added)})
        return len(added)

    def send_waiting(self) -> SendReport:
        """Send every waiting picture no other sender holds to the PACS.

        The rows are claimed first, so two senders on one vault never send
        the same picture; each is marked sent, and audited, as the archive
        confirms it, so a sender killed part-way leaves a true account.

        Raises:
            PolicyRefused: the person may not send images (audited).
            PacsConfigError: no PACS is set up.
        """
        self._session.require(Channel.PACS.permission, subject="PACS queue")
        vault = self._session.vault
        with vault.index() as conn:
            config = read_pacs_config(conn)
        if config is None:
            raise PacsConfigError("No PACS is set up yet; an admin sets it with "
                                  "'clinfile pacs configure'.")
        sender = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        try:
            with vault.index() as conn, transaction(conn):
                repo = PacsQueueRepository(conn)
                for dead in filter(_sender_gone, repo.claimants()):
                    repo.release(dead)
                rows = repo.claim(sender, clock.stamp(), _claim_until())
            return self._send(config, sender, rows)
        finally:
            with vault.index() as conn, transaction(conn):
                PacsQueueRepository(conn).release(sender)

    def _send(self, config: PacsConfig, sender: str, rows: list[QueuedInstance]
              ) -> SendReport:
        rows, refused = self._allowed(rows)
        sent, problem = 0, ""
        pending = {row.id: row for row in rows}
        uses: dict[int, int] = {}
        if rows:
            try:
                for result in store_all(config, self._objects(rows, pending),
                                        before_first=lambda: uses.update(self._authorise(rows))):
                    row = pending.pop(result.key.id)
                    self._answered(config, sender, row, result.stored, result.problem,
                                   uses.get(row.image_id))
                    sent += result.stored
            except PacsUnreachable as exc:
                problem = str(exc)
                for row in pending.values():
                    self._record(row, False, problem)
            self._session.audit("pacs.send_failed" if problem else "pacs.send_finished",
                                f"{config.called_ae}@{config.host}:{config.port}", {
                                    "sent": sent, "tried": len(rows), "problem": problem})
        waiting, elsewhere = self._waiting()
        if elsewhere and not problem:
            problem = (f"{elsewhere} picture{'s are' if elsewhere != 1 else ' is'} being sent "
                       "by another sender at the same time.")
        return SendReport(sent, waiting, refused, problem)

    def _answered(self, config: PacsConfig, sender: str, row: QueuedInstance, stored: bool,
                  problem: str, use: int | None) -> None:
        """Record the archive's answer for one picture, and whether its use was made."""
        vault = self._session.vault
        with vault.audited() as work:
            repo = PacsQueueRepository(work.conn)
            _mark(repo, row, stored, problem)
            if use is not None:
                ConsentRepository(work.conn).settle_uses([use], SENT if stored else NOT_MADE)
            repo.keep_claim(sender, _claim_until())
            work.record(AuditEntry(
                self._session.actor.name, "pacs.sent" if stored else "pacs.not_stored",
                f"image {row.image_id}", {
                    "archive": f"{config.called_ae}@{config.host}:{config.port}",
                    "sop_instance_uid": row.sop_instance_uid, "problem": problem}))

    def _waiting(self) -> tuple[int, int]:
        """How many pictures wait, and how many of those another sender holds now."""
        with self._session.vault.index() as conn:
            repo = PacsQueueRepository(conn)
            return repo.by_state().get("waiting", 0), repo.claimed_elsewhere(clock.stamp())

    def status(self) -> PacsStatus:
        """Say which PACS is set up and how many pictures wait, were sent or refused."""
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            repo = PacsQueueRepository(conn)
            counts = repo.by_state()
            failure = repo.last_failure()
            refusals = tuple((row.image_id, row.last_error) for row in repo.refused())
            config = read_pacs_config(conn)
        return PacsStatus(config, counts.get("waiting", 0), counts.get("sent", 0),
                          counts.get("refused", 0), failure.last_error if failure else "",
                          failure.tried_at if failure else None, refusals)

    def _allowed(self, rows: list[QueuedInstance]) -> tuple[list[QueuedInstance], int]:
        """Drop the rows the consent rules or a correction since queueing rule out, on record.

        Rows refused before are asked again, so a picture whose consent has
        been put right since goes now; a refused row whose picture was
        corrected stays refused (its corrected instance has a row of its own).
        """
        current = self._current_uids([row.image_id for row in rows])
        keep, refused = [], 0
        for row in rows:
            superseded = current.get(row.image_id) != row.sop_instance_uid
            if superseded and row.state == "refused":
                continue
            decision = check_use(self._session, row.image_id, Purpose.CLINICAL_CARE,
                                 CARE_RECORD)
            why = "" if decision.allowed else str(decision)
            if not why and superseded:
                why = "the picture was corrected after it was queued; the corrected one goes"
                self.queue([row.image_id])
            if why:
                self._record(row, False, why, refused=True)
                refused += 1
            else:
                keep.append(row)
        return keep, refused

    def _authorise(self, rows: list[QueuedInstance]) -> dict[int, int]:
        """Allow the send of these pictures, and return each picture's recorded use."""
        allowed = authorise_use(self._session, [r.image_id for r in rows],
                                Purpose.CLINICAL_CARE, CARE_RECORD, channel=Channel.PACS)
        return {image_id: use for (image_id, _), use in zip(allowed.decisions,
                                                             allowed.use_ids, strict=True)}

    def _objects(self, rows: list[QueuedInstance], pending: dict[int, QueuedInstance]
                 ) -> Iterator[tuple[QueuedInstance, Dataset]]:
        """Build each row's DICOM object, the next ones while the archive stores this one.

        Reading, decrypting and building take about as long as the archive
        takes to answer; building a few ahead in a worker thread overlaps the
        two, and holding only a few in memory keeps a long queue affordable. A
        picture that cannot be carried is marked so, with the reason, and
        leaves ``pending``; the others go on.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pacs-build") as pool:
            ahead: deque = deque()
            for row in rows:
                ahead.append((row, pool.submit(self._build, row)))
                if len(ahead) > BUILD_AHEAD:
                    yield from self._ready(*ahead.popleft(), pending)
            while ahead:
                yield from self._ready(*ahead.popleft(), pending)

    def _ready(self, row: QueuedInstance, built: Future, pending: dict[int, QueuedInstance]
               ) -> Iterator[tuple[QueuedInstance, Dataset]]:
        try:
            yield row, built.result()
        except PixelsUnusable as exc:
            pending.pop(row.id, None)
            self._record(row, False, f"the picture cannot be archived: {exc}", refused=True)

    def _build(self, row: QueuedInstance) -> Dataset:
        vault = self._session.vault
        with vault.index() as conn:
            [photo] = read_archive_photos(conn, vault, [filed_image(conn, row.image_id)])
        return dicom_dataset(vault, photo)

    def _current_uids(self, image_ids: list[int]) -> dict[int, str]:
        """Each filed picture's SOP Instance UID as it now stands."""
        vault = self._session.vault
        with vault.index() as conn:
            filed = load_filed(conn, image_ids)
            images = [filed[n] for n in image_ids if n in filed]
            photos = read_archive_photos(conn, vault, images)
        return {p.image.image_id: photo_uids(p).instance for p in photos}

    def _record(self, row: QueuedInstance, stored: bool, problem: str, *,
                refused: bool = False) -> None:
        with self._session.vault.index() as conn, transaction(conn):
            _mark(PacsQueueRepository(conn), row, stored, problem, refused=refused)


def _mark(repo: PacsQueueRepository, row: QueuedInstance, stored: bool, problem: str, *,
          refused: bool = False) -> None:
    if stored:
        repo.mark_sent(row.id, clock.stamp())
    else:
        repo.mark_failed(row.id, problem, clock.stamp(), refused=refused)



def _sender_gone(sender: str) -> bool:
    """True for a sender on this computer whose process has ended (killed, say).

    Its claim is given up at once rather than left to lapse; a sender on
    another computer cannot be asked after, so its claim lapses.
    """
    host, pid, _ = sender.rsplit(":", 2)
    return host == socket.gethostname() and pid.isdigit() and not psutil.pid_exists(int(pid))


def _claim_until() -> str:
    return clock.stamp(clock.now() + timedelta(seconds=CLAIM_SECONDS))
