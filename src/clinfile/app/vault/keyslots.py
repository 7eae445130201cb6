"""The key-slot file: the master key handed to each user and to the recovery key.

As in LUKS, logging in is opening your own slot, and changing a password
rewraps one slot while the encrypted data stays as it is. Each slot has an
X25519 key pair: its private half is wrapped under the slot's password
(Argon2id, AES-256-GCM), and the master key is sealed to its public half.
That split is what lets an admin change the master key when someone
leaves: the new key is sealed to every remaining slot's public half without
anyone's password, and the leaver's old file opens only the old key. Admin
slots (and the recovery slot) also hold the Ed25519 key that seals the audit
trail, which the master key does not open.

What a slot's password unwraps (its payload) also pins the public half of
that seal key and the last seal its owner made: only the owner's password
can rewrite those, so someone holding the master key cannot swap in a seal
key of their own or quietly remove a seal. An admin who makes someone else
an admin cannot write into their payload, so each payload also holds a pin
key, of which a copy is sealed for the seal key's holders (the pin box): the
promoting admin vouches for the seal key with it, and only the new admin's
password and the seal key's holders can make or check that vouch. When the
seal key is renewed (an admin leaves), the retired key and the last row it
may seal are kept in the file's seal history, signed by the new key.
The file also keeps, signed by the seal key, the row from which every
admin act has been sealed as it was made (``sealing_since``); each admin's
payload pins it too, so it cannot be taken out unnoticed.

The file carries a plain SHA-256 (so accidental damage is reported before
anyone types a password) and an HMAC under a key derived from the master key
(so a deliberate edit is caught as soon as anyone unlocks). Each slot's
AES-GCM tags are bound to the vault id and the slot's name, so slots cannot
be swapped between users or vaults. User names are stored only as salted
hashes. Slots written before key pairs existed (legacy) wrap the master key
directly; they are upgraded at their owner's next login.

The file also keeps the newest audit row the index was known to hold (the
vault's generation), under the same HMAC, so that an older copy of the index
put back in place is refused even if the audit head beside it went too; and
the key epoch: how many times the master key has been changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from clinfile.app.custody.audit import AuditMark
from clinfile.app.custody.crypto import (
    KEY_BYTES,
    SALT_BYTES,
    Argon2Params,
    UnwrapFailed,
    b64,
    box_keypair,
    derive_key,
    mac,
    new_keypair,
    open_sealed,
    same,
    seal_to,
    stretch_password,
    unb64,
    unwrap,
    wrap,
)
from clinfile.app.errors import MeantForPeople
from clinfile.db.connection import write_atomically

FORMAT = "clinfile-keyslots"
FORMAT_VERSION = 6
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6)
RECOVERY = "recovery"


class KeySlotsDamaged(MeantForPeople):
    """The key-slot file is missing, unreadable, or was changed outside Clinfile."""


class WrongSecret(Exception):
    """The password or recovery key does not unwrap the slot."""


class NoSuchSlot(Exception):
    """No slot exists for that user."""


class SlotDisabled(Exception):
    """The user's slot was disabled by an admin."""


class SlotExpired(Exception):
    """A legacy slot that could not be given the new master key when the keys changed."""


@dataclass(frozen=True)
class Slot:
    """One person's (or the recovery key's) way to the master key.

    ``wrapped`` is the payload under the password; ``public`` the slot's
    X25519 public key (empty for a legacy slot, whose ``wrapped`` is the
    master key itself); ``envelope`` the master key sealed to ``public``;
    ``seal`` the audit-seal key sealed to ``public``, for admins only;
    ``pin_box`` the slot's pin key sealed for the seal key's holders;
    ``vouch`` an admin's word, under that pin key, for the file's seal key;
    ``sealed`` the last seal the slot's owner made, signed, for other admins
    to check the trail against.
    """

    id: str
    state: str
    salt: str
    nonce: str
    wrapped: str
    kdf: dict = field(default_factory=dict)
    public: str = ""
    envelope: dict = field(default_factory=dict)
    seal: dict = field(default_factory=dict)
    pin_box: dict = field(default_factory=dict)
    vouch: dict = field(default_factory=dict)
    sealed: dict = field(default_factory=dict)

    @property
    def legacy(self) -> bool:
        """Whether the slot predates key pairs and wraps the master key directly."""
        return not self.public


@dataclass(frozen=True)
class KeySlots:
    """The whole key-slot file, immutable; every change produces a new one.

    ``epoch`` counts the master keys the vault has had; ``seal_key`` is the
    public half of the audit-seal key; ``previous`` holds the master key
    before the last change, wrapped under the current one, until every file
    of the vault has been re-keyed (so an interrupted change can finish).
    """

    vault_id: str
    generation: int
    slots: tuple[Slot, ...]
    latest: AuditMark | None = None
    epoch: int = 1
    seal_key: str = ""
    previous: dict = field(default_factory=dict)
    seal_history: tuple = ()
    history_signature: str = ""
    sealing_since: dict = field(default_factory=dict)

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


@dataclass(frozen=True)
class Opened:
    """What a slot's password opened: the master key and what the payload pins.

    ``wrapping_key`` (the Argon2id output) lets the payload be rewritten at
    login without a second slow derivation; it is kept no longer than login.
    """

    master_key: bytes
    private_key: bytes = b""
    seal_pin: bytes = b""
    last_seal: AuditMark | None = None
    wrapping_key: bytes = b""
    pin_key: bytes = b""
    sealing_since: AuditMark | None = None


def user_slot_id(vault_id: str, user_name: str) -> str:
    """Return the slot id for a user: a salted hash, so names are not in the file."""
    digest = hashlib.sha256(f"{vault_id}:{user_name.casefold()}".encode()).hexdigest()
    return f"user-{digest[:32]}"


def make_slot(slot_id: str, slots: KeySlots, master_key: bytes, secret: str,
              params: Argon2Params, *, seal_pin: bytes = b"", pin_key: bytes = b"",
              sealing_since: AuditMark | None = None) -> Slot:
    """Give a password (or recovery key) its own key pair and the master key.

    ``pin_key`` is the slot's key for vouches; the caller boxes it for the
    seal key's holders (:func:`with_pin_box`) or keeps the one it had.
    ``sealing_since`` is pinned for an admin: the row from which every admin
    act is sealed at once.
    """
    private, public = new_keypair()
    salt = stretch_salt()
    wrapping = stretch_password(secret, salt, params)
    slot = Slot(slot_id, "active", b64(salt), "", "", asdict(params), b64(public))
    slot = _with_payload(slots.vault_id, slot, wrapping, private, seal_pin, None, pin_key,
                         sealing_since)
    return with_master_key(slots, slot, master_key)


def new_pin_key() -> bytes:
    """A fresh key for a slot's vouches."""
    return os.urandom(KEY_BYTES)


def stretch_salt() -> bytes:
    """A fresh salt for one slot's Argon2id derivation."""
    return os.urandom(SALT_BYTES)


def open_slot(slots: KeySlots, slot_id: str, secret: str) -> Opened:
    """Unwrap the master key from one slot, with what its payload pins.

    Raises:
        NoSuchSlot, SlotDisabled, SlotExpired, WrongSecret.
    """
    slot = slots.slot(slot_id)
    if slot.state == "expired":
        raise SlotExpired(slot_id)
    if slot.state != "active":
        raise SlotDisabled(slot_id)
    wrapping = stretch_password(secret, unb64(slot.salt), Argon2Params(**slot.kdf))
    try:
        payload = unwrap(wrapping, unb64(slot.nonce), unb64(slot.wrapped),
                         _associated(slots.vault_id, slot_id))
    except UnwrapFailed:
        raise WrongSecret(slot_id) from None
    if slot.legacy:
        return Opened(payload, wrapping_key=wrapping)
    fields = json.loads(payload)
    private = unb64(fields["private"])
    try:
        master_key = open_sealed(private, slot.envelope,
                                 _envelope_associated(slots, slot_id))
    except UnwrapFailed:
        raise KeySlotsDamaged("The vault's key file was changed outside Clinfile.") from None
    return Opened(master_key, private, unb64(fields.get("seal_pin", "")),
                  _mark(fields.get("last_seal")), wrapping, unb64(fields.get("pin_key", "")),
                  _mark(fields.get("sealing_since")))


def _mark(stored: dict | None) -> AuditMark | None:
    return AuditMark(int(stored["seq"]), str(stored["hash"])) if stored else None


def with_payload(slots: KeySlots, slot: Slot, opened: Opened, *, seal_pin: bytes,
                 last_seal: AuditMark | None) -> tuple[Slot, Opened]:
    """Rewrite a slot's payload at its owner's login: pin the seal key, note their last seal.

    A legacy slot is given its key pair here, the one moment its password is
    at hand. Returns the new slot and what it now holds.
    """
    private = opened.private_key
    if slot.legacy:
        private, public = new_keypair()
        slot = with_master_key(slots, replace(slot, public=b64(public)), opened.master_key)
    slot = _with_payload(slots.vault_id, slot, opened.wrapping_key, private, seal_pin,
                         last_seal, opened.pin_key, opened.sealing_since)
    return slot, replace(opened, private_key=private, seal_pin=seal_pin, last_seal=last_seal)


def with_master_key(slots: KeySlots, slot: Slot, master_key: bytes) -> Slot:
    """Seal a master key to the slot's public key (for the file's epoch); needs no password."""
    envelope = seal_to(unb64(slot.public), master_key, _envelope_associated(slots, slot.id))
    return replace(slot, envelope=envelope)


def with_seal_key(slots: KeySlots, slot: Slot, seal_private: bytes) -> Slot:
    """Hand a slot the audit-seal key (admins and the recovery key only)."""
    return replace(slot, seal=seal_to(unb64(slot.public), seal_private,
                                      _seal_associated(slots, slot.id)))


def without_seal_key(slot: Slot) -> Slot:
    """Take the audit-seal key and its vouch from a slot whose owner is no longer an admin."""
    return replace(slot, seal={}, vouch={})


def with_pin_box(slots: KeySlots, slot: Slot, pin_key: bytes, seal_private: bytes) -> Slot:
    """Seal a slot's pin key for whoever holds the audit-seal key, so they can vouch later."""
    return replace(slot, pin_box=seal_to(box_keypair(seal_private)[1], pin_key,
                                         _box_associated(slots, slot.id)))


def boxed_pin_key(slots: KeySlots, slot: Slot, seal_private: bytes) -> bytes:
    """Open a slot's pin box with the seal key; b"" when it has none or it was not for this key."""
    if not slot.pin_box:
        return b""
    try:
        return open_sealed(box_keypair(seal_private)[0], slot.pin_box,
                           _box_associated(slots, slot.id))
    except UnwrapFailed:
        return b""


def vouched(slots: KeySlots, slot: Slot, pin_key: bytes) -> Slot:
    """An admin's word, under the slot's pin key, that the file's seal key is the practice's."""
    return replace(slot, vouch={"mac": mac(pin_key, _vouch_message(slots, slot.id))})


def vouches(slots: KeySlots, slot: Slot, pin_key: bytes) -> bool:
    """Whether the slot's vouch was made, with its owner's pin key, for the file's seal key."""
    if not pin_key or not slot.vouch.get("mac") or not slots.seal_key:
        return False
    return same(mac(pin_key, _vouch_message(slots, slot.id)), str(slot.vouch["mac"]))


def history_message(slots: KeySlots) -> bytes:
    """What the current seal key signs of the seal history."""
    return json.dumps([FORMAT, slots.vault_id, "seal history", list(slots.seal_history)],
                      sort_keys=True, separators=(",", ":")).encode()


def open_seal_key(slots: KeySlots, slot_id: str, private_key: bytes) -> bytes:
    """Unwrap the audit-seal key from a slot, or b"" when it holds none.

    Raises:
        KeySlotsDamaged: the slot's seal key was not sealed to it for this file's seal key.
    """
    slot = slots.slot(slot_id)
    if not slot.seal or not private_key:
        return b""
    try:
        return open_sealed(private_key, slot.seal, _seal_associated(slots, slot_id))
    except UnwrapFailed:
        raise KeySlotsDamaged("The vault's key file was changed outside Clinfile.") from None


def changed_master_key(slots: KeySlots, old_key: bytes, new_key: bytes) -> KeySlots:
    """The file for a new master key: every active slot given it, legacy slots expired.

    No password is needed: the key is sealed to each slot's public half. The
    old key is kept wrapped under the new one (``previous``) until the vault
    is wholly re-keyed, so a change cut short by a crash can be finished.
    """
    changed = replace(slots, epoch=slots.epoch + 1, generation=slots.generation + 1)
    nonce, wrapped = wrap(derive_key(new_key, "previous key"), old_key,
                          _previous_associated(changed))
    changed = replace(changed, previous={"nonce": b64(nonce), "wrapped": b64(wrapped)})
    renewed = []
    for slot in changed.slots:
        if slot.state == "active":
            slot = expired(slot) if slot.legacy else with_master_key(changed, slot, new_key)
        renewed.append(slot)
    return replace(changed, slots=tuple(renewed))


def previous_key(slots: KeySlots, master_key: bytes) -> bytes:
    """The master key before the last change, while the file still keeps it; else b""."""
    if not slots.previous:
        return b""
    try:
        return unwrap(derive_key(master_key, "previous key"), unb64(slots.previous["nonce"]),
                      unb64(slots.previous["wrapped"]), _previous_associated(slots))
    except (UnwrapFailed, KeyError, ValueError):
        raise KeySlotsDamaged("The vault's key file was changed outside Clinfile.") from None


def _previous_associated(slots: KeySlots) -> bytes:
    return f"{FORMAT}|{slots.vault_id}|previous of {slots.epoch}".encode()


def _with_payload(vault_id: str, slot: Slot, wrapping: bytes, private: bytes,
                  seal_pin: bytes, last_seal: AuditMark | None, pin_key: bytes,
                  sealing_since: AuditMark | None) -> Slot:
    payload = json.dumps({"private": b64(private), "seal_pin": b64(seal_pin),
                          "last_seal": asdict(last_seal) if last_seal else None,
                          "pin_key": b64(pin_key),
                          "sealing_since": asdict(sealing_since) if sealing_since else None},
                         sort_keys=True).encode()
    nonce, wrapped = wrap(wrapping, payload, _associated(vault_id, slot.id))
    return replace(slot, nonce=b64(nonce), wrapped=b64(wrapped))


def waste_equal_time(params: Argon2Params | None = None) -> None:
    """Spend what a real unwrap would, so timing does not reveal which names exist."""
    stretch_password("-", b"\0" * SALT_BYTES, params or Argon2Params())


def disabled(slot: Slot) -> Slot:
    """Return the slot with its wrapped key erased and marked disabled."""
    return replace(slot, state="disabled", salt="", nonce="", wrapped="", kdf={}, public="",
                   envelope={}, seal={}, pin_box={}, vouch={}, sealed={})


def expired(slot: Slot) -> Slot:
    """Return a legacy slot emptied when the keys changed: an admin must set a new password."""
    return replace(disabled(slot), state="expired")


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
            epoch=int(document.get("epoch", 1)),
            seal_key=str(document.get("seal_key", "")),
            previous=dict(document.get("previous") or {}),
            seal_history=tuple(document.get("seal_history") or ()),
            history_signature=str(document.get("history_signature", "")),
            sealing_since=dict(document.get("sealing_since") or {}),
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
        "slots": [_slot_body(s, version) for s in sorted(slots.slots, key=lambda s: s.id)],
    }
    if version >= 2:
        body["latest"] = asdict(slots.latest) if slots.latest else None
    if version >= 3:
        body.update(epoch=slots.epoch, seal_key=slots.seal_key, previous=slots.previous)
    if version >= 4:
        body.update(seal_history=list(slots.seal_history),
                    history_signature=slots.history_signature)
    if version >= 6:
        body["sealing_since"] = slots.sealing_since
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


_SLOT_FIELDS_SINCE = {"public": 3, "envelope": 3, "seal": 3, "pin_box": 4, "vouch": 4,
                      "sealed": 5}


def _slot_body(slot: Slot, version: int) -> dict:
    return {name: value for name, value in asdict(slot).items()
            if _SLOT_FIELDS_SINCE.get(name, 1) <= version}


def _associated(vault_id: str, slot_id: str) -> bytes:
    return f"{FORMAT}|{vault_id}|{slot_id}".encode()


def _envelope_associated(slots: KeySlots, slot_id: str) -> bytes:
    return f"{FORMAT}|{slots.vault_id}|{slot_id}|master key {slots.epoch}".encode()


def _box_associated(slots: KeySlots, slot_id: str) -> bytes:
    return f"{FORMAT}|{slots.vault_id}|{slot_id}|pin box".encode()


def _vouch_message(slots: KeySlots, slot_id: str) -> bytes:
    return f"{FORMAT}|{slots.vault_id}|{slot_id}|vouch for seal key {slots.seal_key}".encode()


def _seal_associated(slots: KeySlots, slot_id: str) -> bytes:
    return f"{FORMAT}|{slots.vault_id}|{slot_id}|seal key {slots.seal_key}".encode()
