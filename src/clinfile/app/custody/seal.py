"""Sealing the audit trail: an admin's signature that no other user can forge.

Every user appends audit rows, and the rows chain by an HMAC under a key
the master key opens, so anyone who can open the vault could delete rows
and chain the rest again. A seal closes that: an Ed25519 signature, by a
key only admins (and the recovery key) hold, over one row's number and
hash. The hash of a row depends on every row before it, so a seal covers
the whole trail up to there; any change before it makes the sealed row's
hash differ from the one signed. While an admin is logged in, each of
their acts is sealed as it is committed. Rows after the last seal are "not
yet sealed": they can still be rewritten by someone holding the master key,
until an admin's next act, login or the daily seal; only a copy kept
elsewhere (the practice's syslog) protects them, and a trail cut back to
exactly its last seal looks like one where nothing happened since.

Because each admin act is sealed as it is made, an admin's row with no
seal at or after it means its seal was removed, unless the program was
stopped between the act and its seal. The seal key signs the row from
which this holds (``sealing since``), so a vault from before it is not
misjudged; rows one admin process left unsealed are what such a stop
leaves, and the next admin login seals them and says so, while more than
that (several admins, several logins) is reported as seals removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from clinfile.app import clock
from clinfile.app.counting import counted
from clinfile.app.custody.audit import AuditMark
from clinfile.app.custody.crypto import same, sign, signature_holds
from clinfile.db.audit import AuditRepository, AuditRow, SealRepository, SealRow
from clinfile.db.connection import Connection

SEAL_EVERY_HOURS = 24
# Rows younger than this may still be sealed by the process that wrote them.
STILL_SEALING = timedelta(minutes=1)
_LOGINS = ("login.succeeded", "login.recovery_key")
# Rows written under an admin's name by someone else's login (a failed attempt noted).
_ON_THEIR_BEHALF = ("login.failed", "login.refused")
# An admin login that cannot seal says so first; its rows are not sealed at once.
_NOT_SEALING = ("audit.seal_key_not_vouched", "audit.seal_key_replaced")


@dataclass
class SealReport:
    """How far the trail is sealed, by whom and when, and what does not hold.

    ``cut_short`` are admin rows left unsealed as one process stopped
    between its act and its seal leaves them, for the next login to seal.
    ``sealed_before`` says the vault has sealed its trail at some time (the
    key file names a seal key), so a trail with no seal lost its seals.
    """

    last_row: int = 0
    sealed: SealRow | None = None
    problems: list[str] = field(default_factory=list)
    unsealed_since: str = ""
    sealed_before: bool = False
    cut_short: list[AuditRow] = field(default_factory=list)

    @property
    def unsealed_rows(self) -> int:
        """How many rows come after the last seal."""
        return self.last_row - (self.sealed.seq if self.sealed else 0)

    def summary(self, person: Callable[[str], str] = str) -> str:
        """One sentence for people: sealed up to where, by whom, and what is not yet sealed.

        ``person`` names the admin who sealed from their login ('Jo Bloggs'
        for ``manager``), where the reader has the users to hand.
        """
        if self.sealed is None and self.sealed_before:
            rows = ("its only row is not" if self.last_row == 1 else
                    f"none of its {self.last_row} rows is")
            return (f"No seal of the audit trail is found, though it was sealed before: its "
                    f"seals are gone, so {rows} sealed now.")
        if self.sealed is None:
            rows = ("its only row is" if self.last_row == 1 else
                    f"all {self.last_row} rows are")
            return (f"The audit trail has not been sealed yet: {rows} not yet sealed."
                    + (f" {_UNSEALED_RISK}" if self.last_row else ""))
        text = (f"The audit trail is sealed up to row {self.sealed.seq}, by "
                f"{person(self.sealed.sealed_by)} on "
                f"{clock.local_time(self.sealed.sealed_at)}.")
        if self.unsealed_rows:
            rows = counted(self.unsealed_rows, "row")
            since = clock.local_time(self.unsealed_since)
            text += (f" Rows {self.sealed.seq + 1} to {self.last_row} ({rows}, written since "
                     f"{since}) are not yet sealed; an admin's next act or login seals them. "
                     f"{_UNSEALED_RISK}")
        return text


_UNSEALED_RISK = (
    "Until then only the copy sent to the practice's syslog, if it has one, protects them, "
    "and a trail cut back to exactly its last seal cannot be told from one where nothing "
    "happened since.")


def seal_head(conn: Connection, vault_id: str, seal_key: bytes, actor: str,
              *, at: datetime | None = None) -> SealRow | None:
    """Sign the newest row inside the caller's transaction; None when it is sealed already."""
    last = AuditRepository(conn).last()
    newest = SealRepository(conn).last()
    if last is None or (newest is not None and newest.seq >= last.seq):
        return None
    when = clock.stamp(at)
    unsigned = SealRow(last.seq, last.hash, actor, when, "")
    seal = SealRow(last.seq, last.hash, actor, when,
                   sign(seal_key, _message(vault_id, unsigned)))
    SealRepository(conn).add(seal)
    return seal


@dataclass(frozen=True)
class RetiredSealKey:
    """A seal key given up when an admin left: its seals count only up to ``until``.

    ``hash`` is the hash row ``until`` had then (empty for keys retired by an
    older Clinfile): the trail must still hold that row as it was.
    """

    public: bytes
    until: int
    hash: str = ""


def seal_report(conn: Connection, vault_id: str, trusted: bytes,
                own_last_seal: AuditMark | None = None,
                retired: tuple[RetiredSealKey, ...] = (),
                remembered: tuple[SealRow, ...] = (), *,
                on_this_computer: SealRow | None = None,
                latest_only: bool = False, since: AuditMark | None = None,
                admins: frozenset[str] = frozenset(), own_from: int = 0) -> SealReport:
    """Check every seal against the trail; ``trusted`` is the seal key's public half.

    ``own_last_seal`` is the last seal the person verifying made, as their
    own key slot remembers it: a trail rolled back to before it, or with its
    seals deleted, is tampering even if what is left holds together.
    ``retired`` are the keys used before the seal key was renewed; a
    seal they made after the row where they were retired is tampering (the
    admin who left still has that key). ``remembered`` are the last seals
    other admins made, as the key file keeps them: a trail cut back before
    one of them shows. ``on_this_computer`` is the verifier's last seal as
    their computer's keyring keeps it, outside the vault folder: a trail
    that lacks it was put back to an older copy, key file and all.
    A trail that no longer holds the row where a retired key's use stopped
    was cut back below, or rewritten before, a change the key file records.
    ``since`` is the row from which every admin act is sealed as it is made
    (signed by the seal key): rows of ``admins`` after it with no seal at or
    after them show removed seals, unless one process stopping explains them
    (see :func:`_acts_left_unsealed`); rows from ``own_from`` on are the
    verifying login's own, still being sealed.
    ``latest_only`` checks only the newest seal, as
    sealing each act does (login and verify check them all).
    """
    rows = AuditRepository(conn)
    last = rows.last()
    report = SealReport(last_row=last.seq if last else 0)
    seals = SealRepository(conn)
    for seal in ([s] if (s := seals.last()) else []) if latest_only else seals.all():
        problem = _signer_problem(vault_id, seal, trusted, retired)
        if problem:
            report.problems.append(problem)
            continue
        report.sealed = seal
        row = rows.at_seq(seal.seq)
        if row is None or not same(row.hash, seal.hash):
            report.problems.append(
                f"tampering: audit rows up to row {seal.seq}, sealed by {seal.sealed_by} on "
                f"{clock.local_time(seal.sealed_at)}, were changed, removed or reordered "
                "after they were sealed")
    if own_last_seal is not None:
        row = rows.at_seq(own_last_seal.seq)
        kept = report.sealed is not None and report.sealed.seq >= own_last_seal.seq
        if row is None or not same(row.hash, own_last_seal.hash) or not kept:
            report.problems.append(
                f"tampering: your own seal of audit row {own_last_seal.seq} is gone or no "
                "longer matches: the trail was rewritten or put back to an older copy")
    if on_this_computer is not None and not _still_held(rows, report, on_this_computer):
        report.problems.append(
            f"the vault was put back to an older copy (its key file with it), or its trail "
            f"was rewritten: this computer remembers your seal of audit row "
            f"{on_this_computer.seq} made on {clock.local_time(on_this_computer.sealed_at)}, "
            "which the vault no longer holds. Restore the latest backup; if an older copy was "
            "put back on purpose, accept it with 'clinfile verify --accept-older-copy'")
    for seal in remembered:
        if _signer_problem(vault_id, seal, trusted, retired):
            continue
        if not _still_held(rows, report, seal):
            report.problems.append(
                f"tampering: the seal of audit row {seal.seq} that {seal.sealed_by} made on "
                f"{clock.local_time(seal.sealed_at)}, which the key file remembers, is gone or "
                "no longer matches: the trail was cut back or rewritten")
    report.problems += [
        f"tampering: the key file retired a seal key at row {key.until}, when an admin left or "
        "stopped being one, but the trail no longer holds that row as it was: it was cut back "
        "below that change or rewritten before it"
        for key in retired if key.hash and not AuditMark(key.until, key.hash).found_in(conn)]
    if since is not None and not latest_only:
        report.cut_short, problem = _acts_left_unsealed(conn, report, since, admins, own_from)
        if problem:
            report.problems.append(problem)
    if report.unsealed_rows:
        first = rows.at_seq(report.sealed.seq + 1 if report.sealed else 1)
        report.unsealed_since = first.at if first else ""
    return report


def since_statement(vault_id: str, mark: AuditMark, seal_key: bytes) -> dict:
    """The seal key's word that every admin act after row ``mark`` is sealed as it is made."""
    return {"seq": mark.seq, "hash": mark.hash,
            "signature": sign(seal_key, _since_message(vault_id, mark))}


def since_stated(vault_id: str, statement: dict, trusted: bytes) -> AuditMark | None:
    """The row a signed "sealing since" statement names; None when absent or not signed so."""
    try:
        mark = AuditMark(int(statement["seq"]), str(statement["hash"]))
        signature = str(statement["signature"])
    except (KeyError, ValueError, TypeError):
        return None
    return mark if signature_holds(trusted, _since_message(vault_id, mark), signature) else None


def _acts_left_unsealed(conn: Connection, report: SealReport, since: AuditMark,
                        admins: frozenset[str], own_from: int) -> tuple[list[AuditRow], str]:
    """Admin rows after the last seal: what one stopped process left, or why not.

    A process killed between an act and its seal leaves that one login's
    rows unsealed (its login row first, if its login seal was cut short
    too); any admin login after it seals them. Rows of several admins, or
    of several logins, waiting unsealed had their seals removed. Rows of a
    minute or less may still be sealed by their own process.
    """
    if since.seq and not since.found_in(conn):
        return [], (f"tampering: row {since.seq}, from which every admin act is sealed as it "
                    "is made, is gone or was changed: the trail was cut back or rewritten")
    after = max(since.seq, report.sealed.seq if report.sealed else 0)
    settled = clock.now() - STILL_SEALING
    waiting = [r for r in AuditRepository(conn).rows(since=after)
               if r.actor in admins and r.action not in _ON_THEIR_BEHALF
               and not (own_from and r.seq >= own_from)
               and datetime.fromisoformat(r.at) <= settled]
    could_not = {r.actor for r in waiting if r.action in _NOT_SEALING}
    waiting = [r for r in waiting if r.actor not in could_not]
    logins = [i for i, r in enumerate(waiting) if r.action in _LOGINS]
    if len({r.actor for r in waiting}) <= 1 and logins in ([], [0]):
        return waiting, ""
    first = waiting[0]
    return [], (f"tampering: {len(waiting)} rows of admins' acts from row {first.seq} "
                f"({first.action} by {first.actor}) on have no seal, though every admin act "
                f"after row {since.seq} is sealed as it is made and no program stopped "
                "mid-way explains so many: their seals were removed")


def _since_message(vault_id: str, mark: AuditMark) -> bytes:
    return json.dumps(["clinfile audit sealed at once since", vault_id, mark.seq, mark.hash],
                      separators=(",", ":")).encode()


def _still_held(rows: AuditRepository, report: SealReport, seal: SealRow) -> bool:
    """Whether the trail still has the sealed row as it was, and a seal at least that far."""
    row = rows.at_seq(seal.seq)
    kept = report.sealed is not None and report.sealed.seq >= seal.seq
    return row is not None and same(row.hash, seal.hash) and kept


def _signer_problem(vault_id: str, seal: SealRow, trusted: bytes,
                    retired: tuple[RetiredSealKey, ...]) -> str:
    """Why a seal's signature is not to be trusted; empty when it is."""
    message = _message(vault_id, seal)
    if signature_holds(trusted, message, seal.signature):
        return ""
    for key in retired:
        if signature_holds(key.public, message, seal.signature):
            if seal.seq <= key.until:
                return ""
            return (f"tampering: the seal of audit row {seal.seq} (said to be by "
                    f"{seal.sealed_by} on {clock.local_time(seal.sealed_at)}) was made with a "
                    f"seal key retired at row {key.until}, when an admin left or stopped "
                    "being one")
    return (f"tampering: the seal of audit row {seal.seq} (said to be by {seal.sealed_by} "
            f"on {clock.local_time(seal.sealed_at)}) was not made with the practice's seal key")


def seal_due(report: SealReport, now: datetime | None = None) -> bool:
    """Whether an admin should be asked to seal: rows wait and the last seal is a day old.

    A trail never sealed counts its day from its first row, the vault's
    creation, so a vault made a minute ago does not ask.
    """
    if report.unsealed_rows == 0:
        return False
    since = report.sealed.sealed_at if report.sealed else report.unsealed_since
    try:
        waited = (now or clock.now()) - datetime.fromisoformat(since)
    except (TypeError, ValueError):
        return True
    return waited.total_seconds() >= SEAL_EVERY_HOURS * 3600


def _message(vault_id: str, seal: SealRow) -> bytes:
    return json.dumps(["clinfile audit seal", vault_id, seal.seq, seal.hash, seal.sealed_by,
                       seal.sealed_at], separators=(",", ":")).encode()
