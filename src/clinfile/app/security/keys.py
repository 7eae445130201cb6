"""An admin's change of the vault's keys, the re-keying that follows, and sealing, role-checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from clinfile.app.custody.seal import SealReport, seal_due
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.rotation import (
    Progress,
    RekeyProgress,
    change_master_key,
    rekey_remaining,
    rekey_steps,
    remaining,
)


def change_keys(session: Session, reason: str) -> None:
    """Give the vault a new master key now (after a leak, a lost sheet, someone leaving).

    Older pictures are re-keyed afterwards by :func:`finish_rekey`, in the
    background; until then they open with the old key kept inside the index.
    """
    session.require(Permission.CHANGE_KEYS)
    change_master_key(session.vault, session.actor.name, reason)


def finish_rekey(session: Session, progress: Progress | None = None,
                 cancelled: Callable[[], bool] | None = None) -> RekeyProgress:
    """Re-key what is still under an older key; stop early when ``cancelled`` says so."""
    session.require(Permission.CHANGE_KEYS)
    return rekey_remaining(session.vault, progress, cancelled)


def rekey_in_steps(session: Session) -> Iterator[RekeyProgress]:
    """:func:`finish_rekey` one file at a time, for a window to show and to stop between files."""
    session.require(Permission.CHANGE_KEYS)
    yield from rekey_steps(session.vault)


def waiting_to_rekey(session: Session) -> int:
    """Bytes still under an older key (0 when no change of keys is unfinished)."""
    session.require(Permission.CHANGE_KEYS)
    return remaining(session.vault)


def seal_state(session: Session) -> tuple[SealReport, bool]:
    """How far the audit trail is sealed, and whether the daily seal is due."""
    session.require(Permission.SEAL_AUDIT)
    report = session.vault.seal_report()
    return report, seal_due(report)


def seal_now(session: Session) -> SealReport:
    """Seal the audit trail's newest row (the daily seal); return the state after."""
    session.require(Permission.SEAL_AUDIT)
    session.vault.seal_audit(session.actor.name)
    return session.vault.seal_report()
