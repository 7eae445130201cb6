"""The key-slot file: the master key wrapped once per user and once for recovery.

As in LUKS, logging in is unwrapping your own slot, and changing a password
rewraps one slot while the encrypted data stays as it is. The file carries a
plain SHA-256 (so accidental damage is reported before anyone types a
password) and an HMAC under a key derived from the master key (so a
deliberate edit is caught as soon as anyone unlocks). Each slot's AES-GCM
tag is bound to the vault id and the slot's name, so slots cannot be swapped
between users or vaults. User names are stored only as salted hashes.

The file also keeps the newest audit row the index was known to hold (the
vault's generation), under the same HMAC, so that an older copy of the index
put back in place is refused even if the audit head beside it went too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from app.security.audit import AuditMark
from app.security.crypto import (
    SALT_BYTES,
    Argon2Params,
    UnwrapFailed,
    derive_key,
    mac,
    same,
    stretch_password,
    unwrap,
    wrap,
)
from db.connection import write_atomically

FORMAT = "clinfile-keyslots"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
RECOVERY = "recovery"


class KeySlotsDamaged(Exception):
    """The key-slot file is missing, unreadable, or was changed outside Clinfile."""


class WrongSecret(Exception):
    """The password or recovery key does not unwrap the slot."""


class NoSuchSlot(Exception):
    """No slot exists for that user."""


class SlotDisabled(Exception):
    """The user's slot was disabled by an admin."""


@dataclass(frozen=True)
class Slot:
    """One wrapped copy of the master key."""

    id: str
    state: str
    salt: str
    nonce: str
    wrapped: str
    kdf: dict = field(default_factory=dict)


@dataclass(frozen=True)
class KeySlots:
    """The whole key-slot file, immutable; every change produces a new one."""

    vault_id: str
    generation: int
    slots: tuple[Slot, ...]
    latest: AuditMark | None = None

    def slot(self, slot_id: str) -> Slot:
        """Return a slot by id or raise NoSuchSlot."""
        for slot in self.slots:
            if slot.id == slot_id:
                return slot
        raise NoSuchSlot(slot_id)

    def with_slot(self, slot: Slot) -> KeySlots:
        """Return a copy with this slot added or replaced, one generation newer."""
        others = tuple(s for s in self.slots if s.id != slot.id)
        return replace(self, generation=self.generation + 1, slots=others + (slot,))


def user_slot_id(vault_id: str, user_name: str) -> str:
    """Return the slot id for a user: a salted hash, so names are not in the file."""
    digest = hashlib.sha256(f"{vault_id}:{user_name.casefold()}".encode()).hexdigest()
    return f"user-{digest[:32]}"


def make_slot(slot_id: str, vault_id: str, master_key: bytes, secret: str,
              params: Argon2Params) -> Slot:
    """Wrap the master key under a password or recovery key."""
    salt = os.urandom(SALT_BYTES)
    wrapping = stretch_password(secret, salt, params)
    nonce, wrapped = wrap(wrapping, master_key, _associated(vault_id, slot_id))
    return Slot(slot_id, "active", _b64(salt), _b64(nonce), _b64(wrapped), asdict(params))


def open_slot(slots: KeySlots, slot_id: str, secret: str) -> bytes:
    """Unwrap the master key from one slot.

    Raises:
        NoSuchSlot, SlotDisabled, WrongSecret.
    """
    slot = slots.slot(slot_id)
    if slot.state != "active":
        raise SlotDisabled(slot_id)
    wrapping = stretch_password(secret, _unb64(slot.salt), Argon2Params(**slot.kdf))
    try:
        return unwrap(wrapping, _unb64(slot.nonce), _unb64(slot.wrapped),
                      _associated(slots.vault_id, slot_id))
    except UnwrapFailed:
        raise WrongSecret(slot_id) from None


def waste_equal_time(params: Argon2Params | None = None) -> None:
    """Spend what a real unwrap would, so timing does not reveal which names exist."""
    stretch_password("-", b"\0" * SALT_BYTES, params or Argon2Params())


def disabled(slot: Slot) -> Slot:
    """Return the slot with its wrapped key erased and marked disabled."""
    return replace(slot, state="disabled", salt="", nonce="", wrapped="", kdf={})


def write(path: Path, slots: KeySlots, master_key: bytes) -> None:
    """Write the file atomically, so a crash or a second writer never leaves half of it."""
    body = _body(slots)
    document = {
        **json.loads(body),
        "checksum": hashlib.sha256(body.encode()).hexdigest(),
        "mac": mac(derive_key(master_key, "keyslots"), body.encode()),
    }
    write_atomically(path, json.dumps(document, sort_keys=True, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Seal:
    """The file's HMAC, and the format version it was computed over, to check after unlock."""

    version: int
    mac: str


def read(path: Path) -> tuple[KeySlots, Seal]:
    """Read the file and check its checksum; return the slots and the MAC to check later.

    Raises:
        KeySlotsDamaged: missing, unreadable, or the checksum does not match.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        checksum = document.pop("checksum")
        file_mac = document.pop("mac")
        version = document.get("version")
        if document.get("format") != FORMAT or version not in READABLE_VERSIONS:
            raise ValueError("not a key-slot file of a known version")
        latest = document.get("latest")
        slots = KeySlots(
            vault_id=str(document["vault_id"]),
            generation=int(document["generation"]),
            slots=tuple(Slot(**s) for s in document["slots"]),
            latest=AuditMark(int(latest["seq"]), str(latest["hash"])) if latest else None,
        )
    except FileNotFoundError:
        raise KeySlotsDamaged(f"The vault's key file is missing ({path.name}).") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise KeySlotsDamaged(f"The vault's key file cannot be read ({exc}).") from None
    if not same(hashlib.sha256(_body(slots, version).encode()).hexdigest(), str(checksum)):
        raise KeySlotsDamaged("The vault's key file has been changed or damaged.")
    return slots, Seal(version, str(file_mac))


def check_mac(slots: KeySlots, seal: Seal, master_key: bytes) -> None:
    """Raise KeySlotsDamaged unless the file's HMAC proves it was written with this key."""
    body = _body(slots, seal.version)
    if not same(mac(derive_key(master_key, "keyslots"), body.encode()), seal.mac):
        raise KeySlotsDamaged("The vault's key file was changed outside Clinfile.")


def _body(slots: KeySlots, version: int = FORMAT_VERSION) -> str:
    body = {
        "format": FORMAT,
        "version": version,
        "vault_id": slots.vault_id,
        "generation": slots.generation,
        "slots": [asdict(s) for s in sorted(slots.slots, key=lambda s: s.id)],
    }
    if version >= 2:
        body["latest"] = asdict(slots.latest) if slots.latest else None
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _associated(vault_id: str, slot_id: str) -> bytes:
    return f"{FORMAT}|{vault_id}|{slot_id}".encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
