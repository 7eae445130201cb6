"""Imports from phones that ended without the person seeing how, told at the next start.

An import from a device writes one audit row as it begins and one as it
ends, the second carrying its receipt's counts. An import whose process
ended between the two (Clinfile was closed, crashed or the computer lost
power) never told anyone what it had done; one whose phone went away said
so at the time, but the photos it could not read are still on the phone;
one stopped by Ctrl-C printed its receipt to a terminal that may be long
closed.
At the next start each of them is said once, worked out from the receipts
the audit holds (every picture stored and every source deleted has its own
row), and a third row records that it was told.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.escaping import recorded
from clinfile.app.ingest.owners import has_gone, this_process
from clinfile.app.ingest.receipt import ImportReceipt, photos
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository, AuditRow
from clinfile.db.images import JournalOwner

BEGAN = "device.import.began"
ENDED = "device.import.ended"
TOLD = "device.import.told"
# Older imports than this are not raised again: the phone has long been dealt with.
LOOK_BACK = timedelta(days=30)


@dataclass(frozen=True)
class Unfinished:
    """An import from a device whose end the person has not been told about.

    Attributes:
        seq: its first audit row.
        device: the device's name.
        began: when it began (ISO).
        chosen: how many photos were chosen.
        stored: how many of them are safe in the vault.
        deleted: how many of those were deleted from the device.
        went_away: it ended because the device went away.
        interrupted: it was stopped by Ctrl-C (else, if not gone away, the process ended).
    """

    seq: int
    device: str
    began: str
    chosen: int
    stored: int
    deleted: int
    went_away: bool
    interrupted: bool = False

    def words(self) -> str:
        """What to tell the person, in a few sentences."""
        when = datetime.fromisoformat(self.began).astimezone()
        cause = (f"{self.device} went away during it" if self.went_away
                 else "it was stopped (Ctrl-C)" if self.interrupted
                 else "Clinfile or the computer stopped during it")
        left = self.chosen - self.deleted
        return (f"The import from {self.device} on {when.day} {when:%b} at {when:%H:%M} did "
                f"not finish: {cause}. {self.stored} of its {photos(self.chosen)} "
                f"{'is' if self.stored == 1 else 'are'} safe in the vault and "
                f"{self.deleted} {'was' if self.deleted == 1 else 'were'} deleted from the "
                f"phone; {photos(left)} may still be on it. Plug the phone in and import again: "
                "photos already in the vault are marked, and none is stored twice.")


class ImportLedger:
    """Writes the begin and end rows of imports from devices, and finds the unfinished."""

    def __init__(self, vault: Vault, actor: str) -> None:
        self._vault = vault
        self._actor = actor

    def began(self, device: str, dcim: Path, chosen: int, delete: bool) -> int:
        """Record that an import from a device begins; return its row's number."""
        owner = this_process()
        return self._append(BEGAN, device, {
            "folder": recorded(dcim), "chosen": chosen, "delete": delete,
            "owner": {"pid": owner.pid, "started": owner.started, "host": owner.host}}).seq

    def ended(self, began: int, receipt: ImportReceipt) -> None:
        """Record how an import from a device ended, with its receipt's counts."""
        stored = sum(photo.safe_in_vault for photo in receipt.photos)
        self._append(ENDED, receipt.device, {
            "began": began, "stored": stored, "deleted": len(receipt.deleted),
            "not_read": len(receipt.not_read), "cancelled": receipt.cancelled,
            "interrupted": receipt.interrupted, "went_away": receipt.device_went_away})

    def unfinished(self) -> list[Unfinished]:
        """Every import from a device not yet told about, each recorded as told now."""
        since = clock.stamp(clock.now() - LOOK_BACK)
        with self._vault.index() as conn:
            rows = list(AuditRepository(conn).of_actions_since(since, (BEGAN, ENDED, TOLD)))
        began = {row.seq: row for row in rows if row.action == BEGAN}
        ended = {json.loads(row.detail)["began"]: json.loads(row.detail)
                 for row in rows if row.action == ENDED}
        told = {json.loads(row.detail)["began"] for row in rows if row.action == TOLD}
        found = []
        for seq, row in began.items():
            if seq in told:
                continue
            end = ended.get(seq)
            if end is None and _running(row):
                continue
            if end is not None and not (end.get("interrupted")
                                        or (end["went_away"] and end["not_read"])):
                continue
            found.append(self._unfinished(row, end))
        for item in found:
            self._append(TOLD, item.device, {"began": item.seq})
        return found

    def _unfinished(self, row: AuditRow, end: dict | None) -> Unfinished:
        detail = json.loads(row.detail)
        if end is not None:
            return Unfinished(row.seq, row.subject, row.at, detail["chosen"], end["stored"],
                              end["deleted"], end["went_away"], bool(end.get("interrupted")))
        stored, deleted = self._receipts_since(row.at, detail["folder"])
        return Unfinished(row.seq, row.subject, row.at, detail["chosen"], stored, deleted, False)

    def _receipts_since(self, at: str, folder: str) -> tuple[int, int]:
        """How many pictures from a folder were stored, and deleted there, since a moment.

        A process that ended between deleting a photo and writing its receipt
        left no receipt for it, so where the folder can be looked at, a photo
        stored and no longer there counts as gone from the phone.
        """
        with self._vault.index() as conn:
            rows = list(AuditRepository(conn).of_actions_since(
                at, ("image.imported", "image.duplicate", "source.deleted")))
        beneath = folder.rstrip("/\\")
        stored, deleted = set(), set()
        for row in rows:
            source = json.loads(row.detail).get("source") or ""
            if not source.startswith(beneath):
                continue
            (deleted if row.action == "source.deleted" else stored).add(source)
        if Path(folder).is_dir():
            deleted |= {source for source in stored - deleted if _gone(source)}
        return len(stored), len(deleted)

    def _append(self, action: str, subject: str, detail: dict) -> AuditRow:
        with self._vault.audited() as work:
            return work.record(AuditEntry(self._actor, action, subject, detail))


def _gone(source: str) -> bool:
    """Whether a recorded photo is no longer in its folder.

    A name recorded with an undecodable byte escaped opens no file, so is
    never taken for gone.
    """
    return "\\x" not in source and not os.path.lexists(source)


def _running(row: AuditRow) -> bool:
    owner = json.loads(row.detail).get("owner") or {}
    return not has_gone(JournalOwner(owner.get("pid"), owner.get("started"), owner.get("host")))
