"""An admin's change of the vault's keys, and the re-keying that follows, with role checks."""

from __future__ import annotations

from collections.abc import Callable

from app.security.roles import Permission
from app.security.session import Session
from app.vault.rotation import Progress, RekeyProgress, change_master_key, rekey_remaining


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
