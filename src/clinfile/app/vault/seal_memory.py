"""The last seal an admin made, remembered on their own computer as well as in the vault.

Everything in the vault folder can be put back to an older copy together:
the index, the key file (and with it the admin's own memory of their last
seal), the audit head. The operating system's keyring, outside the folder,
is not put back with them; so the admin's last seal in that folder is kept
there too, and a trail that no longer holds it is reported as an older copy
put back. A
computer without a usable keyring simply does not remember.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from clinfile.app.custody.secrets import KeyringSecretStore, SecretStoreUnavailable
from clinfile.db.audit import SealRow

log = logging.getLogger("clinfile.vault.seal_memory")


NOT_REMEMBERED = (
    "This computer has no password keyring Clinfile can use, so it cannot remember the last "
    "seal: a whole vault folder put back to an older copy would not be noticed here. Only the "
    "practice's syslog copy, or a computer with a keyring, would show it.")


def can_remember(vault_id: str) -> bool:
    """Whether this computer has a keyring to remember the last seal in."""
    return KeyringSecretStore(vault_id).is_available()


def remember(vault_id: str, root: Path, slot_id: str, seal: SealRow) -> None:
    """Keep this seal as the newest this computer saw the slot's owner make in this folder."""
    try:
        KeyringSecretStore(vault_id).set(_name(root, slot_id), json.dumps(asdict(seal)))
    except SecretStoreUnavailable:
        log.info("no keyring on this computer to remember the last seal in")


def recalled(vault_id: str, root: Path, slot_id: str) -> SealRow | None:
    """The last seal this computer saw the slot's owner make in this folder, if any."""
    try:
        stored = KeyringSecretStore(vault_id).get(_name(root, slot_id))
        return SealRow(**json.loads(stored)) if stored else None
    except (SecretStoreUnavailable, ValueError, TypeError):
        return None


def forget(vault_id: str, root: Path, slot_id: str) -> None:
    """Let go of the remembered seal, when an admin accepts an older copy on the record."""
    try:
        KeyringSecretStore(vault_id).delete(_name(root, slot_id))
    except SecretStoreUnavailable:
        return


def _name(root: Path, slot_id: str) -> str:
    """One memory per folder: a backup copy elsewhere is older by design, not put back."""
    return f"last seal {slot_id} in {Path(root).resolve()}"
